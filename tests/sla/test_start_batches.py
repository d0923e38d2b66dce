"""Clocks started for a whole batch at once: each case still gets its own targets.

``start_clocks`` works out a policy per kind of case and a due time per policy,
calendar and start instant once per batch; these tests mix those in one batch.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from paxcare.cases.models import Case
from paxcare.sla.models import Clock, ClockKind
from paxcare.sla.services import plan_clocks, start_clocks
from tests.sla.test_clocks import make_case

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")


def due(case: Case, kind: str) -> datetime:
    return Clock.objects.get(case=case, kind=kind).due_at


def test_one_batch_gives_each_case_the_targets_of_its_own_policy_and_start():
    # given, in one batch, two flight delays received at different times and a
    # lost bag received with the first
    monday = make_case(
        "flight.delay", received_at=datetime(2025, 3, 3, 9, tzinfo=BEIJING)
    )
    friday = make_case(
        "flight.delay", received_at=datetime(2025, 3, 7, 17, tzinfo=BEIJING)
    )
    bag = make_case(
        "baggage.lost",
        department="baggage",
        received_at=datetime(2025, 3, 3, 9, tzinfo=BEIJING),
    )

    # when their clocks start at receipt
    start_clocks([monday, friday, bag])

    # then each counts from its own receipt in its own policy
    assert due(monday, ClockKind.FIRST_RESPONSE) == datetime(2025, 3, 4, 1, tzinfo=UTC)
    assert due(friday, ClockKind.FIRST_RESPONSE) == datetime(2025, 3, 8, 9, tzinfo=UTC)
    assert due(monday, ClockKind.RESOLUTION) == datetime(2025, 3, 7, 18, tzinfo=BEIJING)
    # Friday 17:00: 1 h on Friday, then 4 x 9 h and 8 h on the next Friday
    assert due(friday, ClockKind.RESOLUTION) == datetime(
        2025, 3, 14, 17, tzinfo=BEIJING
    )
    # the baggage policy: 21 days around the clock
    assert due(bag, ClockKind.RESOLUTION) == datetime(2025, 3, 24, 9, tzinfo=BEIJING)


def test_planned_clocks_are_what_start_clocks_writes_for_new_cases():
    case = make_case("flight.delay")

    clocks, events = plan_clocks([case], new_cases=True)

    assert [clock.kind for clock in clocks] == [
        ClockKind.FIRST_RESPONSE,
        ClockKind.RESOLUTION,
    ]
    assert all(clock.pk is None and clock.case is case for clock in clocks)
    assert [event.type for event in events] == ["sla.started"]
    assert events[0].data["due"] == {
        "first_response": "2025-03-04T01:00:00+00:00",
        "resolution": "2025-03-07T10:00:00+00:00",
    }
    assert Clock.objects.count() == 0


def test_cases_started_alike_get_the_same_started_data_and_others_their_own():
    # given two flight delays received together and a lost bag received with them
    at = datetime(2025, 3, 3, 9, tzinfo=BEIJING)
    first = make_case("flight.delay", received_at=at)
    second = make_case("flight.delay", received_at=at)
    bag = make_case("baggage.lost", department="baggage", received_at=at)

    # when their clocks are planned in one batch
    _clocks, events = plan_clocks([first, second, bag], new_cases=True)

    # then each event names its own case, the delays share their data and the
    # lost bag keeps its own policy's
    assert [event.case for event in events] == [first, second, bag]
    assert [event.actor_label for event in events] == ["PaxCare"] * 3
    assert events[0].data == events[1].data
    assert events[0].data["due"] == {
        "first_response": "2025-03-04T01:00:00+00:00",
        "resolution": "2025-03-07T10:00:00+00:00",
    }
    assert events[2].data["due"] == {
        "first_response": "2025-03-04T01:00:00+00:00",
        "resolution": "2025-03-24T01:00:00+00:00",
    }
    assert events[2].data["policy"] != events[0].data["policy"]
