"""The case moments every case has, turned into notifications from the timeline.

``events_recorded`` arrives inside the transaction that wrote the events, with one
event or a whole import batch of them. The receiver keeps to a few queries per call
whatever its size: the moments are picked in memory, and ``queue_notifications``
loads what it needs per batch.

- ``case.created``: the acknowledgement, except for cases PaxCare opened itself
  (proactive cases are told by their own ``disruption`` notification) and for cases
  received long ago (an import of history is not answered again);
- ``message.sent``: the agent's reply;
- status to ``pending``: the request for information, unless the agent's reply of
  the same instant asked already;
- status to ``resolved``: the result.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from paxcare.cases.events import EventType
from paxcare.cases.lifecycle import Status
from paxcare.cases.models import Channel, Event
from paxcare.comms.models import Purpose
from paxcare.comms.services import Moment, queue_notifications


def on_events_recorded(sender, events: list[Event], **kwargs) -> None:
    """Queue the notifications that the recorded events owe."""
    moments = moments_for(events)
    if moments:
        queue_notifications(moments)


def moments_for(events: list[Event]) -> list[Moment]:
    """Return the notification moments among ``events``, in their order."""
    oldest = timezone.now() - timedelta(days=settings.COMMS_ACKNOWLEDGE_WITHIN_DAYS)
    moments: list[Moment] = []
    status_events: list[Event] = []
    for event in events:
        if event.type == EventType.CREATED:
            if event.channel != Channel.SYSTEM and event.occurred_at >= oldest:
                moments.append(Moment(case=event.case, purpose=Purpose.ACKNOWLEDGEMENT))
        elif event.type == EventType.REPLY_SENT:
            message_id = event.data.get("message")
            moments.append(
                Moment(
                    case=event.case,
                    purpose=Purpose.REPLY,
                    key=f"message:{message_id}",
                    message_id=message_id,
                )
            )
        elif event.type == EventType.STATUS_CHANGED and event.data.get("new") in (
            Status.PENDING,
            Status.RESOLVED,
        ):
            status_events.append(event)
    moments.extend(_status_moments(status_events))
    return moments


def _status_moments(events: list[Event]) -> list[Moment]:
    if not events:
        return []
    asked = _replies_at_the_same_instant(
        [e for e in events if e.data["new"] == Status.PENDING]
    )
    moments = []
    for event in events:
        if event.data["new"] == Status.PENDING:
            if (event.case_id, event.occurred_at) in asked:
                continue
            purpose = Purpose.INFO_REQUEST
        else:
            purpose = Purpose.RESULT
        moments.append(
            Moment(case=event.case, purpose=purpose, key=f"event:{event.pk}")
        )
    return moments


def _replies_at_the_same_instant(events: list[Event]) -> set:
    """Return (case id, time) of the replies written with these status changes.

    ``reply_to_passenger`` gives its reply and the status change it asks for one
    timestamp; the reply already says what the agent needs.
    """
    if not events:
        return set()
    rows = Event.objects.filter(
        case_id__in={e.case_id for e in events},
        type=EventType.REPLY_SENT,
        occurred_at__in={e.occurred_at for e in events},
    ).values_list("case_id", "occurred_at")
    return set(rows)
