"""The case timeline: every state change of a case writes one Event."""

from datetime import datetime
from typing import Any

from django.db import models
from django.dispatch import Signal
from django.utils import timezone

from paxcare.cases.models import Case, Channel, Event


class EventType(models.TextChoices):
    CREATED = "case.created"
    CLASSIFIED = "case.classified"
    DUPLICATE_FLAGGED = "case.duplicate_flagged"
    CATEGORY_CHANGED = "case.category_changed"
    KIND_CHANGED = "case.kind_changed"
    PRIORITY_CHANGED = "case.priority_changed"
    STATUS_CHANGED = "case.status_changed"
    REOPENED = "case.reopened"
    ROUTED = "case.routed"
    ASSIGNED = "case.assigned"
    MESSAGE_RECEIVED = "message.received"
    REPLY_SENT = "message.sent"
    NOTE_ADDED = "note.added"
    ATTACHMENT_ADDED = "attachment.added"
    FIELDS_CHANGED = "case.fields_changed"
    SLA_STARTED = "sla.started"
    SLA_PAUSED = "sla.paused"
    SLA_RESUMED = "sla.resumed"
    SLA_MET = "sla.met"
    SLA_WARNING = "sla.warning"
    SLA_BREACHED = "sla.breached"
    ESCALATED = "case.escalated"


# Sent with ``events=[Event, ...]`` inside the transaction that wrote them, so that a
# receiver (comms queues the notifications a moment owes) commits or rolls back with
# the change itself. Receivers must not send anything before the commit.
events_recorded = Signal()


def announce(events: list[Event]) -> None:
    """Tell the other apps about timeline events just written."""
    if events:
        events_recorded.send(sender=Event, events=events)


# How PaxCare's own entries (no actor) name who wrote them.
SYSTEM_LABEL = "PaxCare"


def actor_label(user) -> str:
    if user is None:
        return SYSTEM_LABEL
    return user.get_full_name() or user.get_username()


def build_event(
    case: Case,
    type: str,
    *,
    actor=None,
    label: str | None = None,
    channel: str = Channel.SYSTEM,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Event:
    """Return an unsaved Event, for bulk inserts."""
    return Event(
        case=case,
        type=type,
        actor=actor,
        actor_label=label if label is not None else actor_label(actor),
        channel=channel,
        data=data or {},
        occurred_at=at or timezone.now(),
    )


def record_event(case: Case, type: str, **kwargs) -> Event:
    """Append one Event to the case's timeline."""
    event = build_event(case, type, **kwargs)
    event.save(force_insert=True)
    announce([event])
    return event
