"""Proactive care: a case per passenger, exact entitlements, corrections, no repeats."""

from datetime import date

import pytest

from paxcare.cases.models import Case
from paxcare.comms.models import Notification
from paxcare.disruptions.ingest import record_flight_event
from paxcare.disruptions.manifests import load_manifest
from paxcare.disruptions.models import AffectedPassenger
from paxcare.disruptions.proactive import care_for_disruption, refresh_passengers
from tests.disruptions.conftest import (
    AF_JFK_CDG,
    UA_EWR_IAH_2013,
    disrupt,
    event,
    passenger,
)
from tests.factories import make_case

pytestmark = pytest.mark.django_db

LATE_3H30 = {"type": "delay", "estimated_arrival": "2026-01-06T11:00:00+01:00"}
CANCELLED_EU261 = [
    ("eu261", "care", "eu261.care.calls", None, None),
    ("eu261", "care", "eu261.care.meals", None, None),
    ("eu261", "compensation", "eu261.compensation", "600.00", "EUR"),
    ("eu261", "refund", "eu261.refund", "500.00", "USD"),
    ("eu261", "rerouting", "eu261.rerouting", None, None),
    ("us_dot", "refund", "us_dot.refund", "500.00", "USD"),
]


def owed(row: AffectedPassenger) -> list[tuple]:
    """Return the passenger's entitlements, in the order of their codes."""
    return sorted(
        (
            (e["regime"], e["kind"], e["code"], e["amount"], e["currency"])
            for e in row.entitlements
        ),
        key=lambda item: item[2],
    )


def notifications(case: Case) -> list[str]:
    return list(
        Notification.objects.filter(case=case, purpose="disruption")
        .order_by("pk")
        .values_list("recipient", flat=True)
    )


def test_a_cancellation_opens_one_case_per_passenger_with_what_they_are_owed():
    disruption = disrupt(
        AF_JFK_CDG, [passenger(1), passenger(2)], type="cancellation", delay_code="41"
    )

    rows = list(AffectedPassenger.objects.order_by("entry__passenger_name"))
    assert len(rows) == 2
    assert [owed(row) for row in rows] == [CANCELLED_EU261, CANCELLED_EU261]
    assert [item["type"] for item in rows[0].care] == [
        "meal",
        "calls",
        "rebooking",
        "refund",
    ]
    assert rows[0].care[3] == {
        "type": "refund",
        "basis": ["eu261.refund"],
        "amount": "500.00",
        "currency": "USD",
    }
    case = rows[0].case
    assert (case.channel, case.kind, case.priority) == ("system", "claim", "high")
    assert case.category.code == "flight.cancellation"
    assert case.department.code == "disruption-care"
    assert (case.flight_number, case.flight_date) == ("AF23", date(2026, 1, 5))
    assert (case.booking_reference, case.passenger.email) == (
        "K7M3P1",
        "ann1@example.com",
    )
    assert "Ann" not in case.description
    # one timeline event: the creation, with what the disruption opened it for
    opened = case.events.get()
    assert opened.type == "case.created"
    assert opened.data["routed"] == {"old": None, "new": "disruption-care"}
    assert opened.data["disruption"]["kind"] == "cancellation"
    assert opened.data["disruption"]["flight"] == "AF23 2026-01-05"
    assert sorted(opened.data["disruption"]["owed"]) == [
        ["eu261.compensation", "600.00", "EUR"],
        ["eu261.refund", "500.00", "USD"],
        ["us_dot.refund", "500.00", "USD"],
    ]
    assert notifications(case) == ["ann1@example.com"]
    assert disruption.version == 1


def test_a_us_domestic_flight_of_2013_owes_nothing_the_engine_knows():
    disrupt(UA_EWR_IAH_2013, [passenger(1)], type="cancellation")

    row = AffectedPassenger.objects.get()
    assert owed(row) == []
    assert [item["type"] for item in row.care] == ["rebooking"]
    regimes = {n["regime"]: n["code"] for n in row.assessment.result["not_applicable"]}
    assert regimes["us_dot"] == "not_in_force"
    assert regimes["eu261"] == "out_of_scope"


def test_a_long_haul_delay_of_three_and_a_half_hours_gets_half_compensation():
    disrupt(AF_JFK_CDG, [passenger(1)], **LATE_3H30)

    assert owed(AffectedPassenger.objects.get()) == [
        ("eu261", "compensation", "eu261.compensation", "300.00", "EUR"),
        ("montreal", "claim_deadline", "montreal.action", None, None),
        ("montreal", "liability_limit", "montreal.delay_limit", "6303.00", "XDR"),
    ]


def test_a_connection_is_judged_at_the_final_destination():
    kept = {
        "carrier": "AF",
        "flight_number": "AF7700",
        "origin": "CDG",
        "destination": "NCE",
        "scheduled_departure": "2026-01-06T13:30:00+01:00",
        "scheduled_arrival": "2026-01-06T15:00:00+01:00",
    }
    missed = {
        **kept,
        "scheduled_departure": "2026-01-06T09:00:00+01:00",
        "scheduled_arrival": "2026-01-06T10:30:00+01:00",
    }

    disrupt(
        AF_JFK_CDG,
        [passenger(1, onward=[kept]), passenger(2, onward=[missed])],
        type="delay",
        estimated_arrival="2026-01-06T12:00:00+01:00",
    )

    rows = AffectedPassenger.objects.order_by("entry__passenger_name")
    assert [[e for e in owed(row) if e[0] == "eu261"] for row in rows] == [
        [
            ("eu261", "care", "eu261.care.calls", None, None),
            ("eu261", "care", "eu261.care.meals", None, None),
        ],
        [
            ("eu261", "care", "eu261.care.calls", None, None),
            ("eu261", "care", "eu261.care.meals", None, None),
            ("eu261", "compensation", "eu261.compensation", "600.00", "EUR"),
        ],
    ]


def test_running_the_care_again_opens_and_notifies_nothing_twice():
    disruption = disrupt(AF_JFK_CDG, [passenger(1)], type="cancellation")

    again = care_for_disruption(disruption.pk)

    assert (again.opened, again.linked, again.updated, again.notified) == (0, 0, 0, 0)
    assert Case.objects.count() == 1
    assert AffectedPassenger.objects.count() == 1
    assert notifications(Case.objects.get()) == ["ann1@example.com"]


def test_a_delay_that_becomes_a_cancellation_updates_the_cases_it_opened():
    disruption = disrupt(AF_JFK_CDG, [passenger(1)], **LATE_3H30)

    record_flight_event(event(AF_JFK_CDG, type="cancellation"))
    report = care_for_disruption(disruption.pk)

    row = AffectedPassenger.objects.get()
    assert (report.opened, report.updated, report.notified) == (0, 1, 1)
    assert row.version == 2
    assert owed(row) == CANCELLED_EU261
    update = row.case.events.get(type="disruption.updated")
    assert (update.data["old_kind"], update.data["kind"]) == ("delay", "cancellation")
    assert update.data["entitlements_changed"] is True
    assert Case.objects.count() == 1
    assert notifications(row.case) == ["ann1@example.com", "ann1@example.com"]


def test_the_passengers_own_case_about_the_flight_is_joined_not_duplicated():
    own = make_case(
        description="Is AF23 tomorrow going to leave on time?",
        category="flight.delay",
        kind="inquiry",
        email="ann1@example.com",
        flight_number="AF23",
        flight_date=date(2026, 1, 5),
    )

    disrupt(AF_JFK_CDG, [passenger(1), passenger(2)], type="cancellation")

    joined, opened = AffectedPassenger.objects.order_by("entry__passenger_name")
    assert (joined.case, joined.opened_case) == (own, False)
    assert opened.opened_case is True
    assert Case.objects.count() == 2
    assert own.events.filter(type="disruption.linked").count() == 1


def test_a_recorded_rebooking_is_reassessed_without_a_new_notification():
    disrupt(AF_JFK_CDG, [passenger(1)], type="cancellation")
    flight = AffectedPassenger.objects.get().entry.flight
    rebooked = passenger(
        1,
        rebooked_flight="AF11",
        rebooked_departure="2026-01-05T20:00:00-05:00",
        rebooked_arrival="2026-01-06T10:00:00+01:00",
        rebooking_accepted=True,
    )

    report = load_manifest(flight, [rebooked])
    refreshed = refresh_passengers(report.changed_entry_ids)

    row = AffectedPassenger.objects.get()
    assert (report.updated, refreshed) == (1, 1)
    assert ("eu261", "compensation", "eu261.compensation", "300.00", "EUR") in owed(row)
    assert notifications(row.case) == ["ann1@example.com"]


def test_passengers_added_to_the_manifest_later_get_their_case_too():
    disruption = disrupt(AF_JFK_CDG, [passenger(1)], type="cancellation")
    flight = AffectedPassenger.objects.get().entry.flight

    load_manifest(flight, [passenger(1), passenger(2)])
    report = care_for_disruption(disruption.pk)

    assert (report.opened, report.notified) == (1, 1)
    assert AffectedPassenger.objects.count() == 2


def test_a_delay_below_the_threshold_opens_no_cases():
    result = record_flight_event(
        event(AF_JFK_CDG, type="delay", estimated_arrival="2026-01-06T09:00:00+01:00")
    )
    load_manifest(result.flight, [passenger(1)])

    assert result.disruption is None
    assert Case.objects.count() == 0


def test_a_chinese_passenger_is_told_in_chinese(settings):
    settings.PUBLIC_URL = "https://care.example.com"
    disrupt(
        AF_JFK_CDG,
        [passenger(1, language="zh", passenger_name="王芳")],
        type="cancellation",
        delay_code="71",
    )

    case = AffectedPassenger.objects.get().case
    assert case.language == "zh-hans"
    assert case.subject == "AF23 JFK–CDG 航班（2026年1月5日）已取消：王芳"
    assert case.description.startswith(
        "AF23 JFK–CDG 航班（2026年1月5日）已取消。原因：恶劣天气。"
    )
    context = Notification.objects.get(case=case, purpose="disruption").context
    assert context["flight_number"] == "AF23"
    assert context["disruption_text"].splitlines()[:2] == [
        "AF23 JFK–CDG 航班（2026年1月5日）已取消。",
        "原因：恶劣天气。",
    ]
    assert "餐券可在航空公司柜台领取。" in context["care_text"]
    assert context["care_text"].endswith(
        "详情及索赔方式：https://care.example.com/disruptions/AF23-20260105-JFK/"
    )


def test_an_english_passenger_is_told_in_english():
    disrupt(AF_JFK_CDG, [passenger(1)], type="cancellation", delay_code="41")

    case = AffectedPassenger.objects.get().case
    context = Notification.objects.get(case=case, purpose="disruption").context
    assert context["disruption_text"].splitlines()[:2] == [
        "AF23 JFK–CDG on Jan. 5, 2026 is cancelled.",
        "Reason: a technical problem with the aircraft.",
    ]
    assert context["care_text"].splitlines()[0] == (
        "Meal vouchers are waiting for you at the airline's desk."
    )


def test_a_correction_says_it_replaces_the_first_message_and_what_is_no_longer_owed():
    disruption = disrupt(AF_JFK_CDG, [passenger(1)], **LATE_3H30)
    first = Notification.objects.get(purpose="disruption").context["disruption_text"]

    record_flight_event(
        event(AF_JFK_CDG, type="cancellation", delay_code="71", notified_at=None)
    )
    care_for_disruption(disruption.pk)

    later = (
        Notification.objects.filter(purpose="disruption")
        .order_by("-pk")
        .first()
        .context["disruption_text"]
    )
    assert "replaces our earlier one" not in first
    assert later.startswith(
        "This message replaces our earlier one about this flight: its situation has "
        "changed."
    )
    assert "No compensation: the cause (weather) is an extraordinary circumstance" in (
        later
    )
