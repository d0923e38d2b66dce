"""SLA use cases: start a case's clocks, pause and resume them, stop them, sweep.

A case starts with two clocks: the first response and the resolution (a complaint
under CAAC rules gets a third, regulatory one). Each counts its target in its own
way, fixed when it starts: in the working hours of the responsible department's
calendar, or around the clock. ``remaining_time`` is always in that counting;
``paused_time`` is elapsed wall-clock time; both are exact durations.

- only a first response (a reply to the passenger) meets the first-response clock;
- pending on the passenger pauses the resolution clock; leaving pending resumes it
  with what remained, from the moment it resumes. The first-response clock never
  pauses: a passenger who has had no answer cannot be waited on;
- resolving stops the clocks: met, or breached if late; a first-response clock
  still running, on time, is cancelled (resolved without a reply: neither met nor
  breached);
- a reopen resumes the resolution clock with what remained at the resolution; the
  first-response clock never restarts;
- the sweep warns before a breach, marks breaches and escalates each breach to the
  department's supervisor.
"""

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from paxcare.bulk import insert_rows, new_row
from paxcare.cases.events import (
    SYSTEM_LABEL,
    EventType,
    announce,
    build_event,
    record_event,
)
from paxcare.cases.lifecycle import Status
from paxcare.cases.models import Case, Channel, Event
from paxcare.routing.models import Department
from paxcare.rowcache import RowCache
from paxcare.sla.calendar import ALWAYS_OPEN, WorkingCalendar, from_model
from paxcare.sla.events import SlaEvent
from paxcare.sla.models import BusinessCalendar, Clock, ClockKind, ClockState, SlaPolicy
from paxcare.triage.models import Category

logger = logging.getLogger(__name__)

FALLBACK_CALENDAR = "cn-office"

# Rows per sweep transaction: large enough that the round trips do not dominate,
# small enough that a lock is held for well under a second.
SWEEP_BATCH = 500

# SQLite allows 32,766 parameters per statement; stay far below it.
IN_BATCH = 2000

RISKS = ("ok", "warning", "breached")

# The clocks every case starts with; others (a regulator's deadline) start elsewhere.
STARTED_KINDS = (ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION)

# The only clock that waits with the case: the first response cannot wait on a
# passenger who has had no answer, and a period set by law runs on regardless.
PAUSING_KINDS = frozenset({ClockKind.RESOLUTION})

# The statuses that stop the clocks. A case is closed only once resolved, so its
# clocks have stopped already; closing stops any that a history left running.
STOPPING_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})

ONE_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class SweepResult:
    warned: int
    breached: int
    escalated: int


# --- Starting clocks ------------------------------------------------------------


@transaction.atomic
def start_clocks(cases: Sequence[Case], at: datetime | None = None) -> list[Clock]:
    """Create the first-response and resolution clocks of saved cases, in bulk.

    The clocks start at ``at``, or at each case's ``received_at`` when ``at`` is
    None. Cases that already have a clock of a kind keep it. A case with a first
    response gets no first-response clock. Write one SLA_STARTED event per case.
    """
    clocks, events = plan_clocks(cases, at)
    insert_rows(clocks)
    insert_rows(events)
    announce(events)
    return clocks


def plan_clocks(
    cases: Sequence[Case], at: datetime | None = None, *, new_cases: bool = False
) -> tuple[list[Clock], list[Event]]:
    """Return the unsaved clocks and SLA_STARTED events ``start_clocks`` would write.

    For callers that insert them with rows of their own (intake writes all of a
    batch's events at once). ``new_cases``: the cases were just inserted, so none
    has a clock yet and the look-up is skipped.
    """
    if not cases:
        return [], []
    starter = _Starter(cases)
    existing = set() if new_cases else _existing_clocks([case.pk for case in cases])
    clocks: list[Clock] = []
    events: list[Event] = []
    for case in cases:
        policy = starter.policy(case)
        if policy is None:
            logger.warning("No SLA policy matches case %s", case.number)
            continue
        calendar = starter.calendar(case)
        started_at = at if at is not None else case.received_at
        kinds = _kinds_to_start(case, existing)
        if not kinds:
            continue
        start = starter.start(policy, calendar, kinds, started_at)
        related = {"case": case, "policy": policy, "calendar": calendar}
        clocks.extend(new_row(Clock, values, related) for values in start.clocks)
        events.append(new_row(Event, start.event, {"case": case, "actor": None}))
    return clocks, events


def _kinds_to_start(case: Case, existing: set[tuple[int, str]]) -> tuple[str, ...]:
    """Return the kinds of ``STARTED_KINDS`` the case has no clock of yet.

    A case with a first response gets no first-response clock.
    """
    if not existing and case.first_response_at is None:
        # A new case: the usual answer, without the walk below.
        return STARTED_KINDS
    return tuple(
        kind
        for kind in STARTED_KINDS
        if (case.pk, kind) not in existing
        and not (
            kind == ClockKind.FIRST_RESPONSE and case.first_response_at is not None
        )
    )


def _load_rules() -> tuple[list[SlaPolicy], dict[int, BusinessCalendar]]:
    policies = list(SlaPolicy.objects.filter(is_active=True).order_by("rank", "id"))
    return policies, {c.pk: c for c in BusinessCalendar.objects.all()}


# The active policies and the calendars, read once per process until one of them
# changes (paxcare.rowcache). Shared rows: read, never changed.
_rules = RowCache(_load_rules)


@dataclass(frozen=True)
class _Start:
    """The column values of the clocks and of the SLA_STARTED event a case gets.

    Shared by the cases of a batch started alike: ``new_row`` copies them, and the
    events share one ``data`` dict, never changed afterwards.
    """

    clocks: tuple[dict[str, Any], ...]
    event: dict[str, Any]


class _Starter:
    """What starting the clocks of one batch needs, each worked out once.

    A batch shares a few policies, calendars and start instants (an intake batch
    starts every clock at the same moment), so the matching policy is kept per
    (category, kind, priority, channel) and the clocks' and the event's values
    per (policy, calendar, clock kinds, start): the working-hours arithmetic and
    the event's data are worked out a few times per batch, not once per case.
    """

    def __init__(self, cases: Sequence[Case]) -> None:
        self.policies, self.calendars = _rules.get()
        self.fallback = next(
            (c for c in self.calendars.values() if c.code == FALLBACK_CALENDAR), None
        )
        self.department_calendars = _department_calendars(cases)
        self.codes = _category_codes(cases)
        self.matches: dict[tuple, SlaPolicy | None] = {}
        # Keyed by the identity of the policy and the calendar: both are the
        # rows read once above, alive as long as this object.
        self.starts: dict[tuple, _Start] = {}

    def policy(self, case: Case) -> SlaPolicy | None:
        code = self.codes[case.category_id]
        key = (code, case.kind, case.priority, case.channel)
        if key not in self.matches:
            self.matches[key] = match_policy(self.policies, case, code)
        return self.matches[key]

    def calendar(self, case: Case) -> BusinessCalendar | None:
        calendar_id = self.department_calendars.get(case.department_id)
        return self.calendars.get(calendar_id, self.fallback)

    def start(
        self,
        policy: SlaPolicy,
        calendar: BusinessCalendar | None,
        kinds: tuple[str, ...],
        started_at: datetime,
    ) -> _Start:
        """Return the values of the clocks of ``kinds`` and of their event."""
        key = (id(policy), id(calendar), kinds, started_at)
        found = self.starts.get(key)
        if found is None:
            clocks = tuple(
                _clock_values(policy, calendar, kind, started_at) for kind in kinds
            )
            data = {
                "policy": policy.pk,
                "policy_name": policy.name,
                "calendar": calendar.code if calendar else "",
                "due": {
                    values["kind"]: values["due_at"].isoformat() for values in clocks
                },
            }
            event = {
                "type": EventType.SLA_STARTED,
                "actor_label": SYSTEM_LABEL,
                "channel": Channel.SYSTEM,
                "data": data,
                "occurred_at": started_at,
            }
            found = self.starts[key] = _Start(clocks, event)
        return found


def _clock_values(
    policy: SlaPolicy,
    calendar: BusinessCalendar | None,
    kind: str,
    started_at: datetime,
) -> dict[str, Any]:
    """Return the column values of a clock of ``kind`` that starts at ``started_at``."""
    if kind == ClockKind.FIRST_RESPONSE:
        minutes = policy.first_response_minutes
        business_hours = policy.first_response_business_hours
    else:
        minutes = policy.resolution_minutes
        business_hours = policy.resolution_business_hours
    probe = Clock(
        kind=kind,
        target_minutes=minutes,
        warn_before_minutes=policy.warn_before_minutes,
    )
    office = _office(calendar) if business_hours else ALWAYS_OPEN
    _schedule(probe, started_at, timedelta(minutes=minutes), office)
    return {
        "kind": kind,
        "business_hours": business_hours,
        "target_minutes": minutes,
        "started_at": started_at,
        "due_at": probe.due_at,
        "warn_at": probe.warn_at,
        "warn_before_minutes": policy.warn_before_minutes,
    }


# Converting a calendar row parses its hours and dates (1 ms and more); the result is
# kept per process, keyed by the row's content, so that an edited calendar counts
# at once.
_OFFICES: dict[tuple, WorkingCalendar] = {}


def _office(calendar: BusinessCalendar | None) -> WorkingCalendar:
    """Return the working calendar of a row, converted once per content."""
    if calendar is None:
        return ALWAYS_OPEN
    key = (
        calendar.time_zone,
        json.dumps(calendar.working_hours, sort_keys=True),
        calendar.holiday_country,
        json.dumps(calendar.extra_holidays),
        json.dumps(calendar.extra_workdays),
        calendar.always_open,
    )
    office = _OFFICES.get(key)
    if office is None:
        if len(_OFFICES) >= 64:
            _OFFICES.clear()
        office = _OFFICES[key] = from_model(calendar)
    return office


def match_policy(
    policies: Iterable[SlaPolicy], case: Case, category_code: str
) -> SlaPolicy | None:
    """Return the most specific policy that matches the case, ties broken by rank."""
    best: SlaPolicy | None = None
    best_key: tuple[int, int, int] | None = None
    for policy in policies:
        matched = _matchers_set(policy, case, category_code)
        if matched is None:
            continue
        key = (-matched, policy.rank, policy.pk or 0)
        if best_key is None or key < best_key:
            best, best_key = policy, key
    return best


def _matchers_set(policy: SlaPolicy, case: Case, category_code: str) -> int | None:
    """Return how many matchers the policy sets, or None if one of them fails."""
    count = 0
    if policy.category:
        wanted = policy.category
        prefix_match = wanted.endswith(".") and category_code.startswith(wanted)
        if category_code != wanted and not prefix_match:
            return None
        count += 1
    for matcher, value in (
        (policy.kind, case.kind),
        (policy.priority, case.priority),
        (policy.channel, case.channel),
    ):
        if matcher:
            if matcher != value:
                return None
            count += 1
    return count


def _department_calendars(cases: Sequence[Case]) -> dict[int | None, int | None]:
    """Return department id -> calendar id; from the cached departments if loaded."""
    found: dict[int | None, int | None] = {}
    missing = set()
    for case in cases:
        if not case.department_id or case.department_id in found:
            continue
        if Case.department.is_cached(case):
            found[case.department_id] = case.department.calendar_id
        else:
            missing.add(case.department_id)
    for chunk in _chunks(sorted(missing - found.keys())):
        rows = Department.objects.filter(pk__in=chunk).values_list("pk", "calendar_id")
        found.update(rows)
    return found


def _category_codes(cases: Sequence[Case]) -> dict[int, str]:
    codes = {}
    missing = set()
    for case in cases:
        if case.category_id in codes:
            continue
        if Case.category.is_cached(case):
            codes[case.category_id] = case.category.code
        else:
            missing.add(case.category_id)
    for chunk in _chunks(sorted(missing - codes.keys())):
        codes.update(Category.objects.filter(pk__in=chunk).values_list("pk", "code"))
    return codes


def _existing_clocks(case_ids: list[int]) -> set[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    for chunk in _chunks(case_ids):
        found.update(
            Clock.objects.filter(case_id__in=chunk).values_list("case_id", "kind")
        )
    return found


def _chunks(values: list, size: int = IN_BATCH) -> Iterable[list]:
    for index in range(0, len(values), size):
        yield values[index : index + size]


# --- Regulatory deadlines -------------------------------------------------------


@dataclass(frozen=True)
class RegulatoryDeadline:
    """A period the law sets for answering a case, in working days of a calendar."""

    case: Case
    working_days: int
    calendar_code: str
    basis: str
    name: str


REGULATORY_WARN_MINUTES = 9 * 60


@transaction.atomic
def start_regulatory_clocks(deadlines: Sequence[RegulatoryDeadline]) -> list[Clock]:
    """Start one regulatory clock per case, from the moment it was received.

    It is due at the close of the Nth working day after the day of receipt (that day
    not counted, as periods in days are counted under Chinese law), in the named
    calendar. A case that has a regulatory clock keeps it. Write SLA_STARTED events.
    """
    wanted = {deadline.case.pk: deadline for deadline in deadlines}
    if not wanted:
        return []
    existing = _existing_clocks(sorted(wanted))
    codes = {deadline.calendar_code for deadline in wanted.values()}
    calendars = {c.code: c for c in BusinessCalendar.objects.filter(code__in=codes)}
    clocks: list[Clock] = []
    events: list[Event] = []
    for deadline in wanted.values():
        calendar = calendars.get(deadline.calendar_code)
        if calendar is None or (deadline.case.pk, ClockKind.REGULATORY) in existing:
            continue
        clock = _regulatory_clock(deadline, calendar)
        clocks.append(clock)
        data = {
            "policy": None,
            "policy_name": deadline.name,
            "basis": deadline.basis,
            "calendar": calendar.code,
            "due": {clock.kind: clock.due_at.isoformat()},
        }
        events.append(
            build_event(
                deadline.case, EventType.SLA_STARTED, data=data, at=clock.started_at
            )
        )
    insert_rows(clocks)
    insert_rows(events)
    announce(events)
    return clocks


def _regulatory_clock(
    deadline: RegulatoryDeadline, calendar: BusinessCalendar
) -> Clock:
    office = from_model(calendar)
    started_at = deadline.case.received_at
    due_at = office.add_working_days(started_at, deadline.working_days)
    clock = Clock(
        case=deadline.case,
        kind=ClockKind.REGULATORY,
        calendar=calendar,
        business_hours=True,
        target_minutes=office.minutes_between(started_at, due_at),
        started_at=started_at,
        warn_before_minutes=REGULATORY_WARN_MINUTES,
    )
    # The exact working time to the deadline, so the clock ends at closing time
    # even when the case arrived at 10:00:30.
    span = office.working_time_between(started_at, due_at)
    _schedule(clock, started_at, span, office)
    return clock


# --- Counting -------------------------------------------------------------------


def counting(clock: Clock) -> WorkingCalendar:
    """Return the calendar a clock counts its minutes in."""
    if not clock.business_hours or clock.calendar is None:
        return ALWAYS_OPEN
    return from_model(clock.calendar)


def warn_threshold(clock: Clock) -> int:
    """Return how many minutes before its breach a clock warns.

    The policy's ``warn_before_minutes``, but at most half the target: a 2-hour
    target with a 2-hour warning warns after one hour, not at once.
    """
    return min(clock.warn_before_minutes, clock.target_minutes // 2)


def _schedule(
    clock: Clock,
    begin: datetime,
    remaining: timedelta,
    calendar: WorkingCalendar | None = None,
) -> None:
    """Set due_at and warn_at for ``remaining`` working time counted from ``begin``."""
    calendar = calendar or counting(clock)
    threshold = timedelta(minutes=warn_threshold(clock))
    before_warning = max(timedelta(), remaining - threshold)
    clock.warn_at = calendar.add_working_time(begin, before_warning)
    clock.due_at = calendar.add_working_time(clock.warn_at, remaining - before_warning)


def _remaining_time(clock: Clock, at: datetime) -> timedelta:
    """Return the time left at ``at`` in the clock's counting; negative if late."""
    calendar = counting(clock)
    if at <= clock.due_at:
        return calendar.working_time_between(at, clock.due_at)
    return -calendar.working_time_between(clock.due_at, at)


def _whole_minutes(amount: timedelta) -> int:
    """Return a duration in whole minutes, rounded toward zero (-90 s is -1)."""
    minutes = abs(amount) // ONE_MINUTE
    return minutes if amount >= timedelta() else -minutes


# --- Status changes -------------------------------------------------------------


@transaction.atomic
def record_first_response(case: Case, at: datetime) -> Clock | None:
    """Stop the first-response clock: met if ``at`` is on time, else breached."""
    clock = (
        Clock.objects.select_for_update(of=("self",))
        .select_related("calendar")
        .filter(case=case, kind=ClockKind.FIRST_RESPONSE, stopped_at__isnull=True)
        .first()
    )
    if clock is None:
        return None
    _stop(case, clock, at)
    return clock


@transaction.atomic
def on_status_change(
    case: Case, old_status: str, new_status: str, at: datetime
) -> None:
    """Pause, resume or stop the case's clocks for a status change at ``at``."""
    if old_status == new_status:
        return
    clocks = list(
        Clock.objects.select_for_update(of=("self",))
        .select_related("calendar")
        .filter(case=case)
        .order_by("kind")
    )
    reopened = old_status in STOPPING_STATUSES
    for clock in clocks:
        if new_status == Status.PENDING:
            _pause(case, clock, at)
        elif new_status in STOPPING_STATUSES:
            _stop_for_resolution(case, clock, at)
        elif old_status == Status.PENDING:
            _resume(case, clock, at)
        elif reopened and new_status == Status.OPEN:
            _reopen(case, clock, at)


def _pause(case: Case, clock: Clock, at: datetime) -> None:
    # A clock already past due is not paused: its breach has happened, and the
    # sweep records it within the minute.
    if clock.kind not in PAUSING_KINDS:
        return
    if clock.state != ClockState.RUNNING or at >= clock.due_at:
        return
    clock.remaining_time = _remaining_time(clock, at)
    clock.state = ClockState.PAUSED
    clock.paused_at = at
    clock.save(update_fields=["remaining_time", "state", "paused_at"])
    data = {
        "kind": clock.kind,
        "remaining_minutes": _whole_minutes(clock.remaining_time),
        "remaining_seconds": int(clock.remaining_time.total_seconds()),
    }
    record_event(case, EventType.SLA_PAUSED, data=data, at=at)


def _resume(case: Case, clock: Clock, at: datetime) -> None:
    if clock.state != ClockState.PAUSED:
        return
    _add_pause(clock, at)
    _restart(clock, at)
    clock.save()
    data = {
        "kind": clock.kind,
        "due_at": clock.due_at.isoformat(),
        "paused_minutes": clock.paused_minutes,
        "paused_seconds": int(clock.paused_time.total_seconds()),
    }
    record_event(case, EventType.SLA_RESUMED, data=data, at=at)


def _reopen(case: Case, clock: Clock, at: datetime) -> None:
    if clock.kind != ClockKind.RESOLUTION or clock.stopped_at is None:
        return
    clock.stopped_at = None
    if clock.state == ClockState.BREACHED:
        # Late already: the case is back in the queue as breached; the breach and
        # its escalation were recorded once and are not repeated.
        clock.save(update_fields=["stopped_at"])
        return
    _restart(clock, at)
    clock.save()
    data = {"kind": clock.kind, "due_at": clock.due_at.isoformat(), "reopened": True}
    record_event(case, EventType.SLA_RESUMED, data=data, at=at)


def _restart(clock: Clock, at: datetime) -> None:
    """Run the clock again from ``at`` with the time it had left."""
    remaining = max(clock.remaining_time or timedelta(), timedelta())
    _schedule(clock, at, remaining)
    clock.state = ClockState.RUNNING
    clock.remaining_time = None
    clock.paused_at = None


def _add_pause(clock: Clock, at: datetime) -> None:
    if clock.paused_at is not None and at > clock.paused_at:
        clock.paused_time += at - clock.paused_at


def _stop(case: Case, clock: Clock, at: datetime) -> None:
    """Stop a clock at ``at``: met if on time; a late running clock is breached."""
    if clock.stopped_at is not None:
        return
    clock.stopped_at = at
    breached = False
    if clock.state == ClockState.PAUSED:
        _add_pause(clock, at)
        clock.paused_at = None
        clock.state = ClockState.MET
    elif clock.state == ClockState.RUNNING and at <= clock.due_at:
        clock.remaining_time = _remaining_time(clock, at)
        clock.state = ClockState.MET
    elif clock.state == ClockState.RUNNING:
        # Late, and the sweep has not seen it yet: the breach happened at due_at.
        clock.state = ClockState.BREACHED
        clock.breached_at = clock.due_at
        breached = True
    clock.save()
    # Recorded once the clock is saved: receivers read it.
    if breached or clock.state == ClockState.MET:
        kind = EventType.SLA_BREACHED if breached else EventType.SLA_MET
        data = {"kind": clock.kind, "due_at": clock.due_at.isoformat()}
        record_event(case, kind, data=data, at=at)


def _stop_for_resolution(case: Case, clock: Clock, at: datetime) -> None:
    """Stop a clock because the case is resolved (or closed) at ``at``.

    Only a reply meets a first-response clock (``record_first_response``): one
    still going at the resolution had none. It is cancelled, counting neither as
    met nor as breached, unless it was breached already.
    """
    if clock.kind != ClockKind.FIRST_RESPONSE or clock.stopped_at is not None:
        _stop(case, clock, at)
        return
    late = clock.state == ClockState.BREACHED or (
        clock.state == ClockState.RUNNING and at > clock.due_at
    )
    if late:
        _stop(case, clock, at)
        return
    if clock.state == ClockState.PAUSED:
        # Paused by an earlier release, which paused first responses too.
        _add_pause(clock, at)
        clock.paused_at = None
    clock.state = ClockState.CANCELLED
    clock.stopped_at = at
    clock.save()
    data = {
        "kind": clock.kind,
        "due_at": clock.due_at.isoformat(),
        "reason": "resolved_without_reply",
    }
    record_event(case, SlaEvent.CANCELLED, data=data, at=at)


# --- Sweep ----------------------------------------------------------------------


def sweep(now: datetime | None = None) -> SweepResult:
    """Warn clocks near their breach, breach late clocks and escalate the breaches.

    Idempotent: a clock is warned once and breached once. Work goes in batches, each
    in its own transaction; rows another sweeper holds are skipped, not waited for.
    """
    now = now or timezone.now()
    warned = _in_batches(_warn_batch, now)
    breached = _in_batches(_breach_batch, now)
    if warned or breached:
        logger.info("SLA sweep warned %d and breached %d clocks", warned, breached)
    return SweepResult(warned=warned, breached=breached, escalated=breached)


def _in_batches(step, now: datetime) -> int:
    total = 0
    while True:
        with transaction.atomic():
            done = step(now)
        total += done
        if done < SWEEP_BATCH:
            return total


def _locked(filters: Q) -> list[Clock]:
    rows = (
        Clock.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("case", "case__department")
        .filter(filters)
        .order_by("due_at", "pk")[:SWEEP_BATCH]
    )
    return list(rows)


def _warn_batch(now: datetime) -> int:
    clocks = _locked(
        Q(state=ClockState.RUNNING, warned_at__isnull=True, warn_at__lte=now)
        & Q(due_at__gt=now)
    )
    Clock.objects.filter(pk__in=[clock.pk for clock in clocks]).update(warned_at=now)
    events = Event.objects.bulk_create(
        build_event(
            clock.case,
            EventType.SLA_WARNING,
            data={"kind": clock.kind, "due_at": clock.due_at.isoformat()},
            at=now,
        )
        for clock in clocks
    )
    announce(events)
    return len(clocks)


def _breach_batch(now: datetime) -> int:
    clocks = _locked(Q(state=ClockState.RUNNING, due_at__lte=now))
    events: list[Event] = []
    for clock in clocks:
        due = clock.due_at.isoformat()
        events.append(
            build_event(
                clock.case,
                EventType.SLA_BREACHED,
                data={"kind": clock.kind, "due_at": due},
                at=now,
            )
        )
        events.append(_escalation(clock, now))
    Clock.objects.filter(pk__in=[clock.pk for clock in clocks]).update(
        state=ClockState.BREACHED, breached_at=F("due_at")
    )
    Event.objects.bulk_create(events)
    announce(events)
    case_ids = [clock.case_id for clock in clocks]
    Case.objects.filter(pk__in=case_ids, escalated_at__isnull=True).update(
        escalated_at=now
    )
    return len(clocks)


def _escalation(clock: Clock, now: datetime) -> Event:
    """Return the ESCALATED event of a breach: to the department's supervisor."""
    department = clock.case.department
    supervisor_id = department.supervisor_id if department else None
    if supervisor_id is None:
        logger.warning(
            "SLA breach on case %s has no supervisor to escalate to", clock.case.number
        )
    data = {
        "to": supervisor_id,
        "department": department.code if department else "",
        "kind": clock.kind,
    }
    return build_event(clock.case, EventType.ESCALATED, data=data, at=now)


# --- Reading --------------------------------------------------------------------


def clock_summary(case: Case, now: datetime | None = None) -> list[dict[str, Any]]:
    """Return the case's clocks for pages and the API, first response first."""
    now = now or timezone.now()
    clocks = Clock.objects.filter(case=case).select_related("calendar").order_by("kind")
    return [_summary(clock, now) for clock in clocks]


def _summary(clock: Clock, now: datetime) -> dict[str, Any]:
    if clock.state == ClockState.PAUSED:
        remaining = _whole_minutes(clock.remaining_time or timedelta())
    elif clock.stopped_at is None:
        remaining = _whole_minutes(_remaining_time(clock, now))
    else:
        remaining = None
    return {
        "kind": clock.kind,
        "state": clock.state,
        "business_hours": clock.business_hours,
        "target_minutes": clock.target_minutes,
        "started_at": clock.started_at,
        "due_at": clock.due_at,
        "warn_at": clock.warn_at,
        "stopped_at": clock.stopped_at,
        "breached_at": clock.breached_at,
        "remaining": remaining,
        "paused_minutes": clock.paused_minutes,
        "risk": clock_risk(clock, now),
    }


def clock_risk(clock: Clock, now: datetime) -> str:
    """Return "ok", "warning" or "breached" for a clock, as the queue filter does."""
    if clock.stopped_at is not None:
        return "ok"
    if clock.state == ClockState.BREACHED:
        return "breached"
    if clock.state != ClockState.RUNNING:
        return "ok"
    if clock.due_at <= now:
        return "breached"
    if clock.warn_at is not None and clock.warn_at <= now:
        return "warning"
    return "ok"


def sla_risk_filter(risk: str, now: datetime | None = None) -> Q:
    """Return a Q for Case querysets: cases whose worst open clock is at ``risk``.

    "breached": a clock that is late and not stopped; "warning": a running clock
    past its warning and none breached; "ok": neither. Paused and stopped clocks
    are never at risk. Raise ValueError for another risk.
    """
    if risk not in RISKS:
        raise ValueError(f"Unknown SLA risk {risk!r}: use one of {', '.join(RISKS)}.")
    now = now or timezone.now()
    case_clocks = Clock.objects.filter(case=OuterRef("pk"), stopped_at__isnull=True)
    breached = Exists(
        case_clocks.filter(
            Q(state=ClockState.BREACHED) | Q(state=ClockState.RUNNING, due_at__lte=now)
        )
    )
    warning = Exists(
        case_clocks.filter(state=ClockState.RUNNING, warn_at__lte=now, due_at__gt=now)
    )
    if risk == "breached":
        return Q(breached)
    if risk == "warning":
        return Q(warning) & ~Q(breached)
    return ~Q(breached) & ~Q(warning)
