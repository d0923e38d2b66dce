"""Case clocks in the database: start, pause, resume, reopen, sweep, escalation.

The default policies and the cn-office calendar (Beijing, 09:00-18:00 on working
days, China's holidays) come from the post-migrate defaults. March 2025 has no
holiday in China, so its weeks are plain Monday-Friday weeks.
"""

import importlib
import itertools
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from paxcare.cases.events import EventType
from paxcare.cases.lifecycle import Status
from paxcare.cases.models import Case, Event
from paxcare.crm.models import Passenger
from paxcare.routing.models import Department
from paxcare.sla.admin import BusinessCalendarForm, SlaPolicyForm
from paxcare.sla.events import SlaEvent
from paxcare.sla.models import BusinessCalendar, Clock, ClockKind, ClockState, SlaPolicy
from paxcare.sla.services import (
    SweepResult,
    clock_summary,
    match_policy,
    on_status_change,
    record_first_response,
    sla_risk_filter,
    start_clocks,
    sweep,
)
from paxcare.triage.models import Category

BEIJING = ZoneInfo("Asia/Shanghai")
_serial = itertools.count(1)


def beijing(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


def make_case(
    category: str = "flight.delay",
    *,
    department: str | None = "disruption-care",
    received_at: datetime | None = None,
    **fields,
) -> Case:
    """Create a case row directly, without intake (and so without clocks)."""
    serial = next(_serial)
    passenger = Passenger.objects.create(
        full_name="Li Wei", email=f"p{serial}@example.com"
    )
    defaults = {
        "number": f"SLA{serial:06d}",
        "subject": "Flight CA981 delayed",
        "description": "Waited five hours in Beijing.",
        "channel": "web",
        "kind": "complaint",
        "category": Category.objects.get(code=category),
        "passenger": passenger,
        "department": Department.objects.get(code=department) if department else None,
        "received_at": received_at or beijing(2025, 3, 3, 9),
    }
    defaults.update(fields)
    return Case.objects.create(**defaults)


def clocks_of(case: Case) -> dict[str, Clock]:
    return {clock.kind: clock for clock in Clock.objects.filter(case=case)}


def event_types(case: Case) -> list[str]:
    return list(Event.objects.filter(case=case).values_list("type", flat=True))


def set_status(case: Case, new: str, at: datetime) -> None:
    old = case.status
    Case.objects.filter(pk=case.pk).update(status=new)
    case.status = new
    on_status_change(case, old, new, at)


# --- Starting -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_flight_complaint_gets_24_hours_to_answer_and_5_working_days_to_resolve():
    # given a flight delay complaint received on Monday 3 March 2025 at 09:00
    case = make_case("flight.delay")

    # when its clocks start
    start_clocks([case])

    # then the first response is due 24 hours later, around the clock
    clocks = clocks_of(case)
    first = clocks[ClockKind.FIRST_RESPONSE]
    assert (first.due_at, first.warn_at) == (
        beijing(2025, 3, 4, 9),
        beijing(2025, 3, 4, 7),
    )
    assert (first.business_hours, first.target_minutes) == (False, 1440)
    # and the resolution at closing time on Friday, five working days of 9 hours
    resolution = clocks[ClockKind.RESOLUTION]
    assert resolution.due_at == beijing(2025, 3, 7, 18)
    assert resolution.warn_at == beijing(2025, 3, 7, 16)
    assert (resolution.business_hours, resolution.target_minutes) == (True, 2700)
    assert resolution.calendar.code == "cn-office"
    assert event_types(case) == [EventType.SLA_STARTED]


@pytest.mark.django_db
def test_a_resolution_target_in_working_hours_skips_national_day():
    # given a flight complaint received on Friday 26 September 2025 at 17:00
    case = make_case("flight.cancellation", received_at=beijing(2025, 9, 26, 17))

    # when its clocks start
    start_clocks([case])

    # then 5 x 9 h count Fri 1 h, Sun 28 Sep, 29-30 Sep, 9 Oct and 8 h on 10 Oct
    assert clocks_of(case)[ClockKind.RESOLUTION].due_at == beijing(2025, 10, 10, 17)


@pytest.mark.django_db
def test_clocks_start_at_the_given_moment_rather_than_at_receipt():
    case = make_case("baggage.lost", received_at=beijing(2015, 2, 17, 8))

    start_clocks([case], at=beijing(2025, 3, 3, 12))

    clocks = clocks_of(case)
    assert clocks[ClockKind.FIRST_RESPONSE].started_at == beijing(2025, 3, 3, 12)
    # the baggage policy: 21 days around the clock
    assert clocks[ClockKind.RESOLUTION].due_at == beijing(2025, 3, 24, 12)


@pytest.mark.django_db
def test_the_most_specific_policy_wins_then_the_lower_rank():
    # given a policy for urgent flight cases beside the default ones
    SlaPolicy.objects.create(
        name="Urgent flight",
        category="flight.",
        priority="urgent",
        first_response_minutes=30,
        resolution_minutes=540,
        rank=90,
    )
    policies = list(SlaPolicy.objects.filter(is_active=True))

    def policy_for(category: str, **fields) -> str:
        case = make_case(category, **fields)
        return match_policy(policies, case, category).name

    # then two matchers beat one, an exact code and a prefix count alike,
    # and among one-matcher policies the lower rank wins
    assert policy_for("flight.delay", priority="urgent") == "Urgent flight"
    assert policy_for("baggage.lost", priority="urgent").startswith("Urgent:")
    assert policy_for("ticketing.refund").startswith("Refunds")
    assert policy_for("flight.delay", kind="inquiry").startswith("Flight disruption")
    assert policy_for("ticketing.fees", kind="inquiry").startswith("Inquiries")
    assert policy_for("airport.security").startswith("Standard")


@pytest.mark.django_db
def test_a_department_calendar_is_used_and_cn_office_is_the_fallback():
    # given a department that works New York hours
    new_york = BusinessCalendar.objects.create(
        code="us-office",
        name="New York office",
        time_zone="America/New_York",
        working_hours={str(day): [["09:00", "17:00"]] for day in range(1, 6)},
    )
    Department.objects.filter(code="ticketing").update(calendar=new_york)
    refund = make_case("ticketing.refund", department="ticketing")
    unrouted = make_case("ticketing.refund", department=None)

    # when the clocks start on Monday 3 March 2025 at 09:00 Beijing (Sun 20:00 EST)
    start_clocks([refund, unrouted])

    # then 7 working days of 9 h (3780 min) count in New York's 8-hour days from
    # Monday: 7 days and 7 h, so Wednesday 12 March at 16:00 EDT (20:00 UTC)
    assert clocks_of(refund)[ClockKind.RESOLUTION].due_at == datetime(
        2025, 3, 12, 20, tzinfo=UTC
    )
    # and the unrouted case counts in Beijing: Tuesday 11 March at 18:00
    unrouted_clock = clocks_of(unrouted)[ClockKind.RESOLUTION]
    assert unrouted_clock.calendar.code == "cn-office"
    assert unrouted_clock.due_at == beijing(2025, 3, 11, 18)


@pytest.mark.django_db
def test_an_answered_case_gets_no_first_response_clock_and_restarts_add_nothing():
    case = make_case(first_response_at=beijing(2025, 3, 3, 9, 30))

    start_clocks([case])
    start_clocks([case])

    assert set(clocks_of(case)) == {ClockKind.RESOLUTION}
    assert event_types(case) == [EventType.SLA_STARTED]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 20])
def test_starting_clocks_costs_the_same_nine_queries_for_any_batch(
    count, django_assert_num_queries
):
    # given cases fetched without their categories
    made = [make_case("baggage.delayed", department="baggage") for _ in range(count)]
    cases = list(Case.objects.filter(pk__in=[c.pk for c in made]))

    # when their clocks start: a savepoint, policies, calendars, departments,
    # categories, existing clocks, one insert each of clocks and events, release
    with django_assert_num_queries(9):
        clocks = start_clocks(cases)

    # then every case has both clocks and one event
    assert len(clocks) == 2 * count
    assert Event.objects.filter(type=EventType.SLA_STARTED).count() == count


# --- First response -------------------------------------------------------------


@pytest.mark.django_db
def test_a_first_response_in_time_meets_the_clock():
    case = make_case()
    start_clocks([case])

    record_first_response(case, beijing(2025, 3, 3, 15))

    first = clocks_of(case)[ClockKind.FIRST_RESPONSE]
    assert (first.state, first.stopped_at) == (ClockState.MET, beijing(2025, 3, 3, 15))
    assert event_types(case) == [EventType.SLA_STARTED, EventType.SLA_MET]


@pytest.mark.django_db
def test_a_late_first_response_before_the_sweep_records_the_breach_at_due_time():
    case = make_case()
    start_clocks([case])

    record_first_response(case, beijing(2025, 3, 4, 10))

    first = clocks_of(case)[ClockKind.FIRST_RESPONSE]
    assert first.state == ClockState.BREACHED
    assert first.breached_at == beijing(2025, 3, 4, 9)
    assert first.stopped_at == beijing(2025, 3, 4, 10)
    assert event_types(case) == [EventType.SLA_STARTED, EventType.SLA_BREACHED]


# --- Pause and resume -----------------------------------------------------------


@pytest.mark.django_db
def test_pending_on_the_passenger_pauses_the_resolution_clock_and_resuming_extends_it():
    # given a flight case received Monday 3 March 2025 09:00, clocks running
    case = make_case()
    start_clocks([case])
    set_status(case, Status.OPEN, beijing(2025, 3, 3, 9, 5))

    # when it waits on the passenger from Monday 12:00 to Wednesday 12:00
    set_status(case, Status.PENDING, beijing(2025, 3, 3, 12))
    paused = clocks_of(case)
    set_status(case, Status.OPEN, beijing(2025, 3, 5, 12))
    resumed = clocks_of(case)

    # then the resolution clock kept what remained: 2520 working minutes
    assert paused[ClockKind.RESOLUTION].state == ClockState.PAUSED
    assert paused[ClockKind.RESOLUTION].remaining_time == timedelta(minutes=2520)
    # and runs again from Wednesday noon
    resolution = resumed[ClockKind.RESOLUTION]
    assert (resolution.state, resolution.due_at) == (
        ClockState.RUNNING,
        beijing(2025, 3, 11, 18),
    )
    assert resolution.warn_at == beijing(2025, 3, 11, 16)
    assert resolution.paused_time == timedelta(days=2)
    assert resolution.paused_minutes == 2880
    assert resolution.remaining_time is None
    # while the first response, never given, ran on: due Tuesday 09:00 as before
    first = resumed[ClockKind.FIRST_RESPONSE]
    assert (first.state, first.due_at) == (ClockState.RUNNING, beijing(2025, 3, 4, 9))
    assert first.paused_time == timedelta()
    assert event_types(case) == [
        EventType.SLA_STARTED,
        EventType.SLA_PAUSED,
        EventType.SLA_RESUMED,
    ]


@pytest.mark.django_db
def test_pending_before_any_reply_leaves_the_first_response_clock_running():
    # given a case received Monday 3 March 2025 09:00 and never answered
    case = make_case()
    start_clocks([case])

    # when it is set pending on the passenger at 10:00 with no message sent
    set_status(case, Status.PENDING, beijing(2025, 3, 3, 10))

    # then the 24 hours go on: the passenger has had no answer to wait on
    first = clocks_of(case)[ClockKind.FIRST_RESPONSE]
    assert (first.state, first.paused_at, first.due_at) == (
        ClockState.RUNNING,
        None,
        beijing(2025, 3, 4, 9),
    )
    # and the sweep breaches it on time, pending or not
    assert sweep(beijing(2025, 3, 4, 9, 1)) == SweepResult(
        warned=0, breached=1, escalated=1
    )
    assert clocks_of(case)[ClockKind.FIRST_RESPONSE].state == ClockState.BREACHED


@pytest.mark.django_db
def test_a_resolution_clock_already_past_due_is_not_paused():
    # given a flight case whose resolution was due Friday 7 March 18:00
    case = make_case()
    start_clocks([case])

    # when it is set pending on Monday 10 March
    set_status(case, Status.PENDING, beijing(2025, 3, 10, 10))

    # then the late clock runs on to its breach
    resolution = clocks_of(case)[ClockKind.RESOLUTION]
    assert (resolution.state, resolution.paused_at) == (ClockState.RUNNING, None)


@pytest.mark.django_db
def test_resolving_while_pending_meets_the_resolution_and_counts_the_pause():
    case = make_case()
    start_clocks([case])
    set_status(case, Status.PENDING, beijing(2025, 3, 3, 10))

    set_status(case, Status.RESOLVED, beijing(2025, 3, 3, 12))

    resolution = clocks_of(case)[ClockKind.RESOLUTION]
    assert (resolution.state, resolution.paused_time) == (
        ClockState.MET,
        timedelta(hours=2),
    )
    assert resolution.stopped_at == beijing(2025, 3, 3, 12)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo("Europe/London"))


@pytest.mark.django_db
def test_a_pause_of_97_seconds_moves_the_due_time_by_97_seconds():
    # given a flight case received Monday 3 March 2025 11:00, resolution due
    # Monday 10 March 11:00 (45 working hours)
    case = make_case(received_at=beijing(2025, 3, 3, 11))
    start_clocks([case])

    # when it waits on the passenger from 12:00:01 to 12:01:38, 97 seconds
    set_status(case, Status.PENDING, beijing(2025, 3, 3, 12, 0, 1))
    set_status(case, Status.OPEN, beijing(2025, 3, 3, 12, 1, 38))

    # then the due and warning times move by exactly 97 seconds
    resolution = clocks_of(case)[ClockKind.RESOLUTION]
    assert resolution.due_at == beijing(2025, 3, 10, 11, 1, 37)
    assert resolution.warn_at == beijing(2025, 3, 10, 9, 1, 37)
    assert (resolution.paused_time, resolution.paused_minutes) == (
        timedelta(seconds=97),
        1,
    )
    paused, resumed = Event.objects.filter(
        case=case, type__in=[EventType.SLA_PAUSED, EventType.SLA_RESUMED]
    ).order_by("pk")
    assert paused.data == {
        "kind": "resolution",
        "remaining_minutes": 2639,
        "remaining_seconds": 158_399,
    }
    assert resumed.data["paused_seconds"] == 97


@pytest.mark.django_db
def test_a_pause_over_closing_time_moves_the_due_time_by_the_working_seconds_lost():
    # given the same case, resolution due Monday 10 March 11:00
    case = make_case(received_at=beijing(2025, 3, 3, 11))
    start_clocks([case])

    # when it waits from Monday 17:59:30 to Tuesday 09:00:20: 50 working seconds
    set_status(case, Status.PENDING, beijing(2025, 3, 3, 17, 59, 30))
    set_status(case, Status.OPEN, beijing(2025, 3, 4, 9, 0, 20))

    # then the due time moves by those 50 seconds, the pause counts 15 h 50 s
    resolution = clocks_of(case)[ClockKind.RESOLUTION]
    assert resolution.due_at == beijing(2025, 3, 10, 11, 0, 50)
    assert resolution.paused_time == timedelta(hours=15, seconds=50)


@pytest.mark.django_db
def test_a_pause_over_the_clock_change_is_exact_in_a_london_office():
    # given a department working 09:00-17:00 London time, and a flight case received
    # there on Monday 24 March 2025 09:00 GMT: 45 working hours end on Monday
    # 31 March at 14:00 BST, after the clocks went forward on Sunday 30 March
    uk = BusinessCalendar.objects.create(
        code="uk-office",
        name="London office",
        time_zone="Europe/London",
        working_hours={str(day): [["09:00", "17:00"]] for day in range(1, 6)},
    )
    Department.objects.filter(code="disruption-care").update(calendar=uk)
    case = make_case(received_at=london(2025, 3, 24, 9))
    start_clocks([case])
    assert clocks_of(case)[ClockKind.RESOLUTION].due_at == london(2025, 3, 31, 14)

    # when it waits from Friday 16:59:30 GMT to Monday 09:00:45 BST
    set_status(case, Status.PENDING, london(2025, 3, 28, 16, 59, 30))
    set_status(case, Status.OPEN, london(2025, 3, 31, 9, 0, 45))

    # then 75 working seconds were lost, and the pause lasted 2 days 15 h 1 min 15 s
    # of real time (the night of the change had 23 hours)
    resolution = clocks_of(case)[ClockKind.RESOLUTION]
    assert resolution.due_at == datetime(2025, 3, 31, 13, 1, 15, tzinfo=UTC)
    assert resolution.warn_at == london(2025, 3, 31, 12, 1, 15)
    assert resolution.paused_time == timedelta(days=2, hours=15, minutes=1, seconds=15)


# --- Resolution without a reply ---------------------------------------------------


@pytest.mark.django_db
def test_a_case_resolved_without_any_reply_cancels_its_first_response_clock():
    # given a case received Monday 3 March 2025 09:00 that goes new, pending, open,
    # pending and resolved, and no message is ever sent to the passenger
    case = make_case()
    start_clocks([case])
    set_status(case, Status.PENDING, beijing(2025, 3, 3, 10))
    set_status(case, Status.OPEN, beijing(2025, 3, 3, 11))
    set_status(case, Status.PENDING, beijing(2025, 3, 3, 12))

    # when it is resolved at 15:00, within the 24 hours
    set_status(case, Status.RESOLVED, beijing(2025, 3, 3, 15))

    # then the first-response clock is cancelled: neither met nor breached
    clocks = clocks_of(case)
    first = clocks[ClockKind.FIRST_RESPONSE]
    assert (first.state, first.stopped_at, first.breached_at) == (
        ClockState.CANCELLED,
        beijing(2025, 3, 3, 15),
        None,
    )
    # and the resolution clock, paused twice for an hour and three hours, is met
    resolution = clocks[ClockKind.RESOLUTION]
    assert (resolution.state, resolution.paused_time) == (
        ClockState.MET,
        timedelta(hours=4),
    )
    sla_events = Event.objects.filter(case=case, type__startswith="sla.")
    assert [(e.type, e.data.get("kind")) for e in sla_events.order_by("pk")] == [
        (EventType.SLA_STARTED, None),
        (EventType.SLA_PAUSED, "resolution"),
        (EventType.SLA_RESUMED, "resolution"),
        (EventType.SLA_PAUSED, "resolution"),
        (SlaEvent.CANCELLED, "first_response"),
        (EventType.SLA_MET, "resolution"),
    ]
    # and a cancelled clock is at no risk and never swept
    assert sweep(beijing(2025, 3, 20, 9)) == SweepResult(
        warned=0, breached=0, escalated=0
    )
    assert clock_summary(case, now=beijing(2025, 3, 20, 9))[0] == {
        "kind": "first_response",
        "state": "cancelled",
        "business_hours": False,
        "target_minutes": 1440,
        "started_at": beijing(2025, 3, 3, 9),
        "due_at": beijing(2025, 3, 4, 9),
        "warn_at": beijing(2025, 3, 4, 7),
        "stopped_at": beijing(2025, 3, 3, 15),
        "breached_at": None,
        "remaining": None,
        "paused_minutes": 0,
        "risk": "ok",
    }


@pytest.mark.django_db
def test_a_reply_meets_the_first_response_clock_even_while_pending():
    # given an unanswered case set pending on Monday at 10:00
    case = make_case()
    start_clocks([case])
    set_status(case, Status.PENDING, beijing(2025, 3, 3, 10))

    # when the agent replies at 11:00 and resolves at 12:00
    record_first_response(case, beijing(2025, 3, 3, 11))
    set_status(case, Status.RESOLVED, beijing(2025, 3, 3, 12))

    # then the reply met the first response
    first = clocks_of(case)[ClockKind.FIRST_RESPONSE]
    assert (first.state, first.stopped_at) == (ClockState.MET, beijing(2025, 3, 3, 11))


@pytest.mark.django_db
def test_a_case_resolved_without_a_reply_after_the_24_hours_is_breached():
    # given an unanswered case due an answer by Tuesday 4 March 09:00
    case = make_case()
    start_clocks([case])

    # when it is resolved on Tuesday at 10:00, before any sweep
    set_status(case, Status.RESOLVED, beijing(2025, 3, 4, 10))

    # then the breach stands, at the due time
    first = clocks_of(case)[ClockKind.FIRST_RESPONSE]
    assert (first.state, first.breached_at, first.stopped_at) == (
        ClockState.BREACHED,
        beijing(2025, 3, 4, 9),
        beijing(2025, 3, 4, 10),
    )
    assert SlaEvent.CANCELLED not in event_types(case)


@pytest.mark.django_db
def test_a_swept_breach_of_the_first_response_stays_when_resolved_without_reply():
    case = make_case()
    start_clocks([case])
    sweep(beijing(2025, 3, 4, 9, 30))

    set_status(case, Status.RESOLVED, beijing(2025, 3, 4, 10))

    first = clocks_of(case)[ClockKind.FIRST_RESPONSE]
    assert (first.state, first.breached_at, first.stopped_at) == (
        ClockState.BREACHED,
        beijing(2025, 3, 4, 9),
        beijing(2025, 3, 4, 10),
    )
    assert event_types(case).count(EventType.SLA_BREACHED) == 1


@pytest.mark.django_db
def test_a_first_response_clock_paused_by_an_earlier_release_is_cancelled_too():
    # given a first-response clock left paused since Monday 10:00 (the earlier rule)
    case = make_case()
    start_clocks([case])
    Clock.objects.filter(case=case, kind=ClockKind.FIRST_RESPONSE).update(
        state=ClockState.PAUSED,
        paused_at=beijing(2025, 3, 3, 10),
        remaining_time=timedelta(hours=23),
    )
    case.status = Status.PENDING

    # when the case is resolved on Monday at 10:30 without a reply
    set_status(case, Status.RESOLVED, beijing(2025, 3, 3, 10, 30))

    # then it is cancelled, its pause counted
    first = clocks_of(case)[ClockKind.FIRST_RESPONSE]
    assert (first.state, first.paused_at, first.paused_time) == (
        ClockState.CANCELLED,
        None,
        timedelta(minutes=30),
    )


@pytest.mark.django_db
def test_closing_a_history_that_skipped_resolved_cancels_the_first_response():
    # given an unanswered case (an imported history may go from open to closed)
    case = make_case(status=Status.OPEN)
    start_clocks([case])

    # when it is closed on Monday at 16:00
    on_status_change(case, Status.OPEN, Status.CLOSED, beijing(2025, 3, 3, 16))

    # then both clocks stop: the first response cancelled, the resolution met
    clocks = clocks_of(case)
    assert clocks[ClockKind.FIRST_RESPONSE].state == ClockState.CANCELLED
    assert clocks[ClockKind.RESOLUTION].state == ClockState.MET


# --- Resolution and reopen ------------------------------------------------------


@pytest.mark.django_db
def test_a_reopened_case_resumes_its_resolution_clock_with_what_remained():
    # given a case resolved on Wednesday 5 March at 18:00 with 2 of 5 days left
    case = make_case()
    start_clocks([case])
    set_status(case, Status.RESOLVED, beijing(2025, 3, 5, 18))
    resolved = clocks_of(case)

    # when the passenger reopens it on Monday 10 March at 09:00
    set_status(case, Status.CLOSED, beijing(2025, 3, 6, 9))
    set_status(case, Status.OPEN, beijing(2025, 3, 10, 9))
    reopened = clocks_of(case)

    # then resolving met the resolution clock and stopped the late first response
    assert resolved[ClockKind.RESOLUTION].state == ClockState.MET
    assert resolved[ClockKind.RESOLUTION].remaining_time == timedelta(minutes=1080)
    assert resolved[ClockKind.FIRST_RESPONSE].state == ClockState.BREACHED
    # and the resolution clock runs again for the 1080 minutes it had left
    resolution = reopened[ClockKind.RESOLUTION]
    assert (resolution.state, resolution.stopped_at) == (ClockState.RUNNING, None)
    assert resolution.due_at == beijing(2025, 3, 11, 18)
    # while the first-response clock stays stopped
    first = reopened[ClockKind.FIRST_RESPONSE]
    assert (first.state, first.stopped_at) == (
        ClockState.BREACHED,
        beijing(2025, 3, 5, 18),
    )
    assert event_types(case)[-1] == EventType.SLA_RESUMED


@pytest.mark.django_db
def test_a_case_resolved_late_stays_breached_when_reopened():
    case = make_case()
    start_clocks([case])
    sweep(beijing(2025, 3, 7, 18))
    set_status(case, Status.RESOLVED, beijing(2025, 3, 10, 10))

    set_status(case, Status.OPEN, beijing(2025, 3, 11, 10))

    resolution = clocks_of(case)[ClockKind.RESOLUTION]
    assert (resolution.state, resolution.stopped_at) == (ClockState.BREACHED, None)
    assert resolution.breached_at == beijing(2025, 3, 7, 18)
    breached = Case.objects.filter(
        sla_risk_filter("breached", beijing(2025, 3, 11, 11))
    )
    assert list(breached) == [case]


# --- Sweep and escalation -------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_warns_then_breaches_and_escalates_to_the_supervisor_once():
    # given a flight case with a supervisor in its department
    supervisor = get_user_model().objects.create_user("zhang", password="x-pass-123")
    Department.objects.filter(code="disruption-care").update(supervisor=supervisor)
    case = make_case()
    start_clocks([case])

    # when the sweep runs at the warning, twice, then at the due time, twice
    at_warning = sweep(beijing(2025, 3, 4, 7))
    again = sweep(beijing(2025, 3, 4, 7, 30))
    at_due = sweep(beijing(2025, 3, 4, 9))
    after = sweep(beijing(2025, 3, 4, 9, 1))

    # then one warning, one breach, one escalation, nothing more
    assert at_warning == SweepResult(warned=1, breached=0, escalated=0)
    assert again == SweepResult(warned=0, breached=0, escalated=0)
    assert at_due == SweepResult(warned=0, breached=1, escalated=1)
    assert after == SweepResult(warned=0, breached=0, escalated=0)
    first = clocks_of(case)[ClockKind.FIRST_RESPONSE]
    assert (first.state, first.breached_at) == (
        ClockState.BREACHED,
        beijing(2025, 3, 4, 9),
    )
    assert first.warned_at == beijing(2025, 3, 4, 7)
    case.refresh_from_db()
    assert case.escalated_at == beijing(2025, 3, 4, 9)
    escalation = Event.objects.get(case=case, type=EventType.ESCALATED)
    assert escalation.data == {
        "to": supervisor.pk,
        "department": "disruption-care",
        "kind": "first_response",
    }
    assert event_types(case) == [
        EventType.SLA_STARTED,
        EventType.SLA_WARNING,
        EventType.SLA_BREACHED,
        EventType.ESCALATED,
    ]


@pytest.mark.django_db
def test_a_second_breach_escalates_again_but_keeps_the_first_escalation_time():
    case = make_case()
    start_clocks([case])
    sweep(beijing(2025, 3, 4, 9))

    result = sweep(beijing(2025, 3, 7, 18))

    assert result == SweepResult(warned=0, breached=1, escalated=1)
    case.refresh_from_db()
    assert case.escalated_at == beijing(2025, 3, 4, 9)
    escalations = Event.objects.filter(case=case, type=EventType.ESCALATED)
    assert [e.data["kind"] for e in escalations] == ["first_response", "resolution"]
    assert escalations[0].data["to"] is None


@pytest.mark.django_db
def test_paused_clocks_are_neither_warned_nor_breached():
    case = make_case()
    start_clocks([case])
    record_first_response(case, beijing(2025, 3, 3, 9, 30))
    set_status(case, Status.PENDING, beijing(2025, 3, 3, 10))

    result = sweep(beijing(2025, 3, 20, 9))

    assert result == SweepResult(warned=0, breached=0, escalated=0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sweepers_running_at_once_breach_each_clock_exactly_once():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent sweeps are proven on PostgreSQL (skip-locked rows)")
    # given 600 cases whose 1200 clocks are all past due: more than two batches
    passenger = Passenger.objects.create(full_name="Li Wei")
    category = Category.objects.get(code="flight.delay")
    cases = Case.objects.bulk_create(
        Case(
            number=f"RACE{i:05d}",
            subject="Delayed",
            description="Delayed.",
            channel="web",
            kind="complaint",
            category=category,
            passenger=passenger,
            received_at=beijing(2025, 3, 3, 9),
        )
        for i in range(600)
    )
    start_clocks(cases)
    barrier = threading.Barrier(4)
    results: list[SweepResult] = []
    errors: list[Exception] = []

    def sweeper() -> None:
        try:
            barrier.wait()
            results.append(sweep(beijing(2025, 3, 20, 9)))
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    # when four sweepers run at the same moment
    threads = [threading.Thread(target=sweeper) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then together they breached and escalated each clock once
    assert errors == []
    assert sum(r.breached for r in results) == 1200
    assert sum(r.escalated for r in results) == 1200
    assert Event.objects.filter(type=EventType.SLA_BREACHED).count() == 1200
    assert Clock.objects.filter(state=ClockState.BREACHED).count() == 1200


# --- Reading --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_clock_summary_shows_remaining_minutes_and_risk():
    case = make_case()
    start_clocks([case])
    now = beijing(2025, 3, 4, 8)

    summary = clock_summary(case, now=now)

    assert [(s["kind"], s["state"], s["remaining"], s["risk"]) for s in summary] == [
        ("first_response", "running", 60, "warning"),
        ("resolution", "running", 2160, "ok"),
    ]
    assert summary[0]["due_at"] == beijing(2025, 3, 4, 9)
    assert summary[0]["paused_minutes"] == 0


@pytest.mark.django_db
def test_the_risk_filter_sorts_cases_into_ok_warning_and_breached():
    # given, at Tuesday 4 March 08:00, three cases
    now = beijing(2025, 3, 4, 8)
    late = make_case(received_at=beijing(2025, 3, 3, 7))  # first response due 07:00
    close = make_case(received_at=beijing(2025, 3, 3, 9))  # due 09:00, warned at 07:00
    fine = make_case(received_at=beijing(2025, 3, 3, 12))  # due 12:00
    start_clocks([late, close, fine])
    sweep(beijing(2025, 3, 4, 7, 30))

    def numbers(risk: str) -> list[str]:
        cases = Case.objects.filter(sla_risk_filter(risk, now)).order_by("number")
        return list(cases.values_list("number", flat=True))

    # then each case is in exactly one risk
    assert numbers("breached") == [late.number]
    assert numbers("warning") == [close.number]
    assert numbers("ok") == [fine.number]


def test_an_unknown_risk_is_refused():
    with pytest.raises(ValueError, match="Unknown SLA risk 'red'"):
        sla_risk_filter("red")


# --- Administration -------------------------------------------------------------


@pytest.mark.django_db
def test_the_calendar_form_names_each_bad_field():
    form = BusinessCalendarForm(
        data={
            "code": "mars",
            "name": "Mars office",
            "time_zone": "Mars/Base",
            "working_hours": '{"9": [["09:00", "18:00"]]}',
            "holiday_country": "zz",
            "extra_holidays": '["2025-13-01"]',
            "extra_workdays": "[]",
        }
    )

    assert form.is_valid() is False
    assert form.errors == {
        "time_zone": ["Unknown time zone."],
        "working_hours": ["Unknown weekday '9': use 1 (Monday) to 7 (Sunday)."],
        "holiday_country": ["Unknown holiday country: 'ZZ'."],
        "extra_holidays": ["Dates must look like 2025-10-01."],
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("category", "error"),
    [
        ("flight.", None),
        ("ticketing.refund", None),
        ("cargo.", "No category code starts with this."),
        ("flight.late", "Unknown category code."),
    ],
)
def test_the_policy_form_accepts_codes_and_prefixes_of_the_taxonomy(category, error):
    form = SlaPolicyForm(
        data={
            "name": "Test",
            "category": category,
            "first_response_minutes": 60,
            "resolution_minutes": 600,
            "warn_before_minutes": 30,
            "rank": 5,
            "is_active": True,
        }
    )

    assert form.errors.get("category") == ([error] if error else None)


@pytest.mark.django_db
def test_the_migration_cancels_first_responses_met_by_a_resolution_without_reply():
    # given two resolved cases, stored as the earlier rule left them: the first
    # response of one was "met" by resolving it unanswered, the other was answered
    from django.apps import apps

    migration = importlib.import_module(
        "paxcare.sla.migrations.0008_cancel_first_responses_met_without_reply"
    )
    unanswered, answered = make_case(), make_case()
    start_clocks([unanswered, answered])
    answered_at = beijing(2025, 3, 3, 10)
    Case.objects.filter(pk=answered.pk).update(first_response_at=answered_at)
    Clock.objects.filter(case__in=[unanswered, answered]).update(
        state=ClockState.MET, stopped_at=beijing(2025, 3, 3, 12)
    )

    # when the data migration runs
    migration.cancel(apps, None)

    # then only the unanswered case's first response is cancelled
    states = Clock.objects.order_by("case_id", "kind").values_list(
        "case_id", "kind", "state"
    )
    assert list(states) == [
        (unanswered.pk, "first_response", "cancelled"),
        (unanswered.pk, "resolution", "met"),
        (answered.pk, "first_response", "met"),
        (answered.pk, "resolution", "met"),
    ]
