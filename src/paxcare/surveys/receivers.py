"""What surveys does when other apps write a case's timeline."""

from paxcare.cases.events import EventType
from paxcare.cases.lifecycle import Status
from paxcare.surveys.services import create_survey


def on_events_recorded(sender, events, **kwargs) -> None:
    """Create the survey of each case that was just resolved."""
    for event in events:
        if event.type == EventType.STATUS_CHANGED and event.data.get("new") == (
            Status.RESOLVED
        ):
            create_survey(event.case, event.occurred_at)


def on_post_migrate(sender, **kwargs) -> None:
    if sender.label == "surveys":
        from paxcare.surveys.defaults import install_reasons

        install_reasons()
