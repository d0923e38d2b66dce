"""A case's trip facts: saved through the engine's checks, assessed, and clocked."""

from datetime import UTC, date, datetime

import pytest

from paxcare.cases.events import EventType
from paxcare.cases.lifecycle import Status
from paxcare.cases.models import Event
from paxcare.errors import InvalidInput, PermissionDenied
from paxcare.remedies.models import Carrier, CaseFacts
from paxcare.remedies.services import (
    case_assessment,
    case_flight,
    goodwill_for_case,
    save_case_facts,
)
from paxcare.routing.services import reassign_case
from paxcare.sla.models import Clock, ClockKind, ClockState
from paxcare.sla.services import on_status_change
from tests.factories import make_case
from tests.remedies.conftest import FRA_JFK_SEGMENT, aware, delay_facts


def _compensation(answer):
    return [
        (e["regime"], e["amount"], e["currency"])
        for e in answer["entitlements"]
        if e["kind"] == "compensation"
    ]


def test_saved_facts_are_assessed_under_every_regime(assessed_case):
    answer = case_assessment(assessed_case)

    assert _compensation(answer) == [("eu261", "600.00", "EUR")]
    assert answer["id"] == assessed_case.number


def test_saving_facts_writes_one_timeline_event(assessed_case, people):
    [event] = Event.objects.filter(case=assessed_case, type="remedy.facts_saved")

    assert (event.actor, event.data) == (
        people["agent"],
        {"event_type": "delay", "cause": "technical", "flights": ["LH400 FRA-JFK"]},
    )


def test_saving_again_replaces_the_facts(assessed_case, people):
    later = delay_facts(actual_arrival=aware("2026-05-04T16:40:00-04:00"))

    save_case_facts(assessed_case, later, [FRA_JFK_SEGMENT], actor=people["agent"])

    assert CaseFacts.objects.filter(case=assessed_case).count() == 1
    assert _compensation(case_assessment(assessed_case)) == [("eu261", "300.00", "EUR")]


def test_times_reach_the_engine_in_the_airports_own_time(assessed_case):
    assert case_flight(assessed_case) == ("LH400", date(2026, 5, 4))


def test_an_arrival_before_the_departure_is_refused_on_its_field(delay_case, people):
    facts = delay_facts(actual_arrival=aware("2026-05-04T09:00:00+02:00"))

    with pytest.raises(InvalidInput) as refused:
        save_case_facts(delay_case, facts, [FRA_JFK_SEGMENT], actor=people["agent"])

    assert [(f.field, f.code) for f in refused.value.fields] == [
        ("actual_arrival", "arrival_before_departure")
    ]
    assert not CaseFacts.objects.filter(case=delay_case).exists()


def test_an_unknown_carrier_points_at_the_flight_that_names_it(delay_case, people):
    segment = dict(FRA_JFK_SEGMENT, marketing_carrier="ZZ")

    with pytest.raises(InvalidInput) as refused:
        save_case_facts(delay_case, delay_facts(), [segment], actor=people["agent"])

    assert [(f.field, f.code) for f in refused.value.fields] == [
        ("segments.0.marketing_carrier", "unknown_carrier")
    ]


def test_a_carrier_the_administrators_added_is_known(delay_case, people):
    Carrier.objects.create(code="ZZ", name="Zed Air", country="DE")
    segment = dict(FRA_JFK_SEGMENT, marketing_carrier="ZZ")

    save_case_facts(delay_case, delay_facts(), [segment], actor=people["agent"])

    assert _compensation(case_assessment(delay_case)) == [("eu261", "600.00", "EUR")]


def test_the_administrators_registry_overrides_the_shipped_one(delay_case, people):
    Carrier.objects.create(code="LH", name="Lufthansa", country="US")
    jfk_fra = dict(
        FRA_JFK_SEGMENT,
        origin="JFK",
        destination="FRA",
        scheduled_departure=aware("2026-05-04T18:00:00-04:00"),
        scheduled_arrival=aware("2026-05-05T08:00:00+02:00"),
    )
    facts = delay_facts(actual_arrival=aware("2026-05-05T12:10:00+02:00"))

    save_case_facts(delay_case, facts, [jfk_fra], actor=people["agent"])

    assert _compensation(case_assessment(delay_case)) == []


@pytest.mark.parametrize("persona", ["auditor", "other", "no_profile"])
def test_only_people_who_work_the_case_save_its_facts(delay_case, people, persona):
    with pytest.raises(PermissionDenied):
        save_case_facts(
            delay_case, delay_facts(), [FRA_JFK_SEGMENT], actor=people[persona]
        )


def test_goodwill_matches_the_event_the_delay_band_and_the_cabin(assessed_case):
    [rule] = goodwill_for_case(assessed_case)

    assert (rule.kind, str(rule.amount), rule.currency, rule.cabin) == (
        "voucher",
        "400.00",
        "CNY",
        "economy",
    )


def test_business_class_gets_the_business_band_of_the_same_delay(delay_case, people):
    save_case_facts(
        delay_case,
        delay_facts(cabin="business"),
        [FRA_JFK_SEGMENT],
        actor=people["agent"],
    )

    [rule] = goodwill_for_case(delay_case)

    assert (rule.kind, rule.miles) == ("miles", 8000)


# --- The CAAC complaint clock -------------------------------------------------------

PEK_PVG_2025 = {
    "marketing_carrier": "CA",
    "operating_carrier": "",
    "flight_number": "CA1501",
    "origin": "PEK",
    "destination": "PVG",
    "scheduled_departure": aware("2025-09-25T09:00:00+08:00"),
    "scheduled_arrival": aware("2025-09-25T11:15:00+08:00"),
}


def _china_case(people, kind="complaint"):
    case = make_case(
        category="flight.delay",
        kind=kind,
        description="CA1501 was three hours late.",
        received_at=aware("2025-09-26T10:00:00+08:00"),
    )
    case = reassign_case(case, people["agent"], actor=None)
    facts = delay_facts(
        cause="weather", actual_arrival=aware("2025-09-25T14:15:00+08:00")
    )
    save_case_facts(case, facts, [PEK_PVG_2025], actor=people["agent"])
    return case


def test_a_caac_complaint_gets_a_clock_of_10_chinese_working_days(people):
    case = _china_case(people)

    clock = Clock.objects.get(case=case, kind=ClockKind.REGULATORY)

    # Received Friday 26 September 2025: Sunday 28 September and Saturday 11 October
    # are working days, 1-8 October are holidays; the 10th working day after the
    # day of receipt is Thursday 16 October, closing at 18:00 in Beijing.
    assert (clock.started_at, clock.due_at, clock.state) == (
        datetime(2025, 9, 26, 2, 0, tzinfo=UTC),
        datetime(2025, 10, 16, 10, 0, tzinfo=UTC),
        ClockState.RUNNING,
    )
    started = Event.objects.get(
        case=case, type=EventType.SLA_STARTED, data__basis="caac.complaint_answer"
    )
    assert started.data["due"] == {"regulatory": "2025-10-16T10:00:00+00:00"}


def test_a_claim_gets_no_complaint_clock(people):
    case = _china_case(people, kind="claim")

    assert not Clock.objects.filter(case=case, kind=ClockKind.REGULATORY).exists()


def test_a_complaint_outside_caac_gets_no_clock(assessed_case):
    assert not Clock.objects.filter(
        case=assessed_case, kind=ClockKind.REGULATORY
    ).exists()


def test_the_legal_period_runs_on_while_the_case_waits_for_the_passenger(people):
    case = _china_case(people)
    waiting = datetime(2025, 9, 29, 3, 0, tzinfo=UTC)

    on_status_change(case, Status.NEW, Status.PENDING, waiting)

    regulatory = Clock.objects.get(case=case, kind=ClockKind.REGULATORY)
    resolution = Clock.objects.get(case=case, kind=ClockKind.RESOLUTION)
    assert (regulatory.state, resolution.state) == (
        ClockState.RUNNING,
        ClockState.PAUSED,
    )


def test_saving_the_facts_again_keeps_the_one_clock(people):
    case = _china_case(people)
    facts = delay_facts(
        cause="technical", actual_arrival=aware("2025-09-25T15:15:00+08:00")
    )

    save_case_facts(case, facts, [PEK_PVG_2025], actor=people["agent"])

    assert Clock.objects.filter(case=case, kind=ClockKind.REGULATORY).count() == 1
