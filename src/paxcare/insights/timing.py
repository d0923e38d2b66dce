"""Keep each case's timing facts (``CaseTiming``) as its timeline grows.

Three KPIs need more than the case row: the first response in working hours needs
the office calendar, and the resolution time and first-contact resolution need the
case's history (how long it waited on the passenger, what it looked like when first
resolved). They are worked out here, once, when the event happens, and stored; the
KPI queries then only aggregate.

The rules, the same for live events, imports and the backfill:

- waiting is the time a case spends pending on the passenger, or resolved or closed
  before a reopen; a case waits from the status change that starts it to the one
  that ends it;
- the resolution time of a resolved case is receipt to its latest resolution less
  the waiting before it;
- the first response in working hours counts the working minutes from receipt to
  the first response in the calendar of the case's SLA clock (else its department's,
  else the default office's). A reopen never changes it;
- a case is resolved on first contact when, at its first resolution, it had at most
  one reply to the passenger and had never waited on them (the KPI also requires
  that it was never reopened).
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from paxcare.cases.events import EventType
from paxcare.cases.lifecycle import Status
from paxcare.cases.models import Case, Event, Message
from paxcare.insights.models import CaseTiming
from paxcare.sla.calendar import ALWAYS_OPEN, WorkingCalendar, from_model
from paxcare.sla.models import BusinessCalendar, Clock, ClockKind, ClockState
from paxcare.sla.services import FALLBACK_CALENDAR

logger = logging.getLogger(__name__)

WAITING = frozenset({Status.PENDING, Status.RESOLVED, Status.CLOSED})
STATUS_EVENTS = frozenset({EventType.STATUS_CHANGED, EventType.REOPENED})
# The SLA targets whose "met" time is kept on CaseTiming, and where.
MET_FIELDS = {
    ClockKind.FIRST_RESPONSE: "first_response_met_at",
    ClockKind.RESOLUTION: "resolution_met_at",
}


def _seconds(begin: datetime, end: datetime) -> int:
    return max(0, int((end - begin).total_seconds()))


def apply_status_change(
    facts: CaseTiming,
    received_at: datetime,
    old: str,
    new: str,
    at: datetime,
    replies_so_far: int | None = None,
) -> None:
    """Update ``facts`` in place for a status change from ``old`` to ``new`` at ``at``.

    ``replies_so_far`` (messages sent to the passenger up to ``at``) is needed only
    for the first resolution.
    """
    was_waiting, now_waiting = old in WAITING, new in WAITING
    waited = facts.waiting_seconds
    if facts.waiting_since is not None:
        waited += _seconds(facts.waiting_since, at)
    if new == Status.RESOLVED:
        facts.resolved_at = at
        facts.resolution_seconds = max(0, _seconds(received_at, at) - waited)
        if facts.first_resolved_at is None:
            facts.first_resolved_at = at
            facts.resolved_on_first_contact = (replies_so_far or 0) <= 1 and not waited
    if old in (Status.RESOLVED, Status.CLOSED) and new == Status.OPEN:
        facts.resolved_at = None
    if was_waiting and not now_waiting:
        facts.waiting_seconds = waited
        facts.waiting_since = None
    elif now_waiting and not was_waiting:
        facts.waiting_since = at
    # Pending to resolved, resolved to closed: one wait goes on.


def business_minutes(calendar: WorkingCalendar, begin: datetime, end: datetime) -> int:
    """Return the working minutes between two instants (0 when end is not later)."""
    return calendar.minutes_between(begin, end)


def office_calendar(case: Case) -> WorkingCalendar:
    """Return the calendar a case's working-hours figures are counted in."""
    clock = (
        Clock.objects.filter(case_id=case.pk, calendar__isnull=False)
        .select_related("calendar")
        .order_by("kind")
        .first()
    )
    if clock is not None:
        return from_model(clock.calendar)
    calendar = None
    if case.department_id is not None:
        calendar = BusinessCalendar.objects.filter(
            department=case.department_id
        ).first()
    if calendar is None:
        calendar = BusinessCalendar.objects.filter(code=FALLBACK_CALENDAR).first()
    return from_model(calendar) if calendar is not None else ALWAYS_OPEN


# --- Live events ---------------------------------------------------------------


def on_events_recorded(sender, events: Sequence[Event], **kwargs) -> None:
    """Update the facts of the cases whose replies or status changes were recorded."""
    for event in events:
        if event.type == EventType.REPLY_SENT:
            _on_reply(event)
        elif event.type in STATUS_EVENTS:
            _on_status(event)
        elif event.type == EventType.SLA_MET:
            _on_sla(event, met=True)
        elif event.type == EventType.SLA_RESUMED and event.data.get("reopened"):
            _on_sla(event, met=False)


def _timing(case_id: int) -> CaseTiming:
    facts, _created = CaseTiming.objects.get_or_create(case_id=case_id)
    return facts


def _on_reply(event: Event) -> None:
    case = event.case
    facts = _timing(case.pk)
    if facts.first_response_business_minutes is not None:
        return
    first = case.first_response_at or event.occurred_at
    facts.first_response_business_minutes = business_minutes(
        office_calendar(case), case.received_at, first
    )
    facts.save(update_fields=["first_response_business_minutes"])


def _on_status(event: Event) -> None:
    old, new = event.data.get("old"), event.data.get("new")
    if not old or not new:
        return
    case = event.case
    facts = _timing(case.pk)
    replies = None
    if new == Status.RESOLVED and facts.first_resolved_at is None:
        replies = _replies_until(case.pk, event.occurred_at)
    apply_status_change(facts, case.received_at, old, new, event.occurred_at, replies)
    facts.save()


def _on_sla(event: Event, met: bool) -> None:
    """Keep when a target was met; a reopen restarts the resolution clock."""
    field = MET_FIELDS.get(event.data.get("kind"))
    if field is None:
        return
    facts = _timing(event.case.pk)
    setattr(facts, field, event.occurred_at if met else None)
    facts.save(update_fields=[field])


def sla_met_times(case_ids: list[int]) -> dict[int, dict[str, datetime]]:
    """Return case id -> {CaseTiming field: stopped_at} of the clocks met."""
    found: dict[int, dict[str, datetime]] = {}
    clocks = Clock.objects.filter(
        case_id__in=case_ids, state=ClockState.MET, kind__in=list(MET_FIELDS)
    ).values_list("case_id", "kind", "stopped_at")
    for case_id, kind, stopped_at in clocks:
        found.setdefault(case_id, {})[MET_FIELDS[kind]] = stopped_at
    return found


def _replies_until(case_id: int, at: datetime) -> int:
    return Message.objects.filter(
        case_id=case_id, direction=Message.Direction.OUTBOUND, created_at__lte=at
    ).count()


# --- Replaying a history (imports, backfill) ----------------------------------


@dataclass(frozen=True)
class StatusChange:
    old: str
    new: str
    at: datetime


def timing_from_history(
    case: Case,
    changes: Iterable[StatusChange],
    reply_times: Sequence[datetime],
    calendar: WorkingCalendar,
) -> CaseTiming:
    """Return the (unsaved) facts of a case from its status changes and replies."""
    facts = CaseTiming(case=case)
    if case.first_response_at is not None:
        facts.first_response_business_minutes = business_minutes(
            calendar, case.received_at, case.first_response_at
        )
    for change in sorted(changes, key=lambda c: c.at):
        replies = sum(1 for t in reply_times if t <= change.at)
        apply_status_change(
            facts, case.received_at, change.old, change.new, change.at, replies
        )
    return facts


def backfill(case_ids: Iterable[int] | None = None, batch: int = 500) -> int:
    """Recompute the facts of cases from their timelines; return how many.

    Without ``case_ids``, every case that has no facts yet and has been answered or
    changed status. Existing facts of the named cases are replaced.
    """
    if case_ids is None:
        cases = Case.objects.filter(timing__isnull=True).filter(
            Q(first_response_at__isnull=False)
            | Q(reopened_count__gt=0)
            | ~Q(status=Status.NEW)
        )
        ids = list(cases.values_list("pk", flat=True).order_by("pk"))
    else:
        ids = list(case_ids)
    done = 0
    for start in range(0, len(ids), batch):
        done += _backfill_batch(ids[start : start + batch])
    logger.info("insights: facts recomputed for %d cases", done)
    return done


def _backfill_batch(ids: list[int]) -> int:
    cases = Case.objects.filter(pk__in=ids).only(
        "pk", "received_at", "first_response_at", "department_id"
    )
    changes: dict[int, list[StatusChange]] = {}
    for case_id, data, at in Event.objects.filter(
        case_id__in=ids, type__in=STATUS_EVENTS
    ).values_list("case_id", "data", "occurred_at"):
        if data.get("old") and data.get("new"):
            changes.setdefault(case_id, []).append(
                StatusChange(data["old"], data["new"], at)
            )
    replies: dict[int, list[datetime]] = {}
    for case_id, at in Message.objects.filter(
        case_id__in=ids, direction=Message.Direction.OUTBOUND
    ).values_list("case_id", "created_at"):
        replies.setdefault(case_id, []).append(at)
    rows = [
        timing_from_history(
            case, changes.get(case.pk, []), replies.get(case.pk, []), _calendar(case)
        )
        for case in cases
    ]
    met = sla_met_times(ids)
    for row in rows:
        for field, at in met.get(row.case_id, {}).items():
            setattr(row, field, at)
    CaseTiming.objects.filter(case_id__in=ids).delete()
    CaseTiming.objects.bulk_create(rows)
    return len(rows)


def _calendar(case: Case) -> WorkingCalendar:
    if case.first_response_at is None:
        return ALWAYS_OPEN
    return office_calendar(case)
