"""How the SLA app's own events read on a case's timeline, in the active language."""

from django.utils.translation import gettext as _

from paxcare.cases.models import Event
from paxcare.sla.events import SlaEvent


def describe_sla_event(event: Event) -> str | None:
    """Return one line for an event of ``SlaEvent``; None for events of other apps."""
    if event.type == SlaEvent.CANCELLED:
        return _(
            "First-response target cancelled: the case was resolved without a reply "
            "to the passenger, so it counts neither as met nor as breached."
        )
    return None
