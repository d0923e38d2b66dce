"""Spikes count what passengers bring; a department gets one mail per detection run.

NOW = 2026-01-08 12:00 UTC: the window is 2026-01-01 12:00 to NOW, the baseline the
28 days before. Air France AF23 JFK-CDG of 2026-01-05 is cancelled and proactive
care opens a case for each of its 8 passengers two days before NOW, on that flight
and at JFK, in flight.cancellation.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from paxcare.cases.models import Case, Channel
from paxcare.disruptions.flight_events import read_flight_event
from paxcare.disruptions.ingest import record_flight_event
from paxcare.disruptions.manifests import load_manifest
from paxcare.disruptions.proactive import care_for_disruption
from paxcare.insights.alerts import detect, run_detection
from paxcare.insights.models import Alert, AlertKind
from paxcare.routing.models import Department, Role
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 8, 12, tzinfo=UTC)
AF23 = {
    "carrier": "AF",
    "flight_number": "AF23",
    "origin": "JFK",
    "destination": "CDG",
    "scheduled_departure": "2026-01-05T18:00:00-05:00",
    "scheduled_arrival": "2026-01-06T07:30:00+01:00",
    "type": "cancellation",
}


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def cancel_af23_with_proactive_care(passengers: int = 8) -> None:
    result = record_flight_event(read_flight_event(AF23))
    rows = [
        {
            "passenger_name": f"Ann Smith{n}",
            "booking_reference": f"K7M3P{n}",
            "email": f"ann{n}@example.com",
            "language": "en",
            "fare_amount": "500.00",
            "fare_currency": "USD",
            "cabin": "economy",
        }
        for n in range(passengers)
    ]
    load_manifest(result.flight, rows)
    care_for_disruption(result.disruption.pk, at=ago(2))


def complaints(n: int, **fields) -> list[Case]:
    # Distinct passengers and texts: none is a duplicate of another.
    return [
        make_case(
            received_at=ago(1 + i / 4),
            description=f"Complaint {i}: nobody told me what to do.",
            **fields,
        )
        for i in range(n)
    ]


def spikes_at(now: datetime) -> list[tuple[str, str, str, int]]:
    return [
        (f.dimension, f.value, f.category_code, f.cases)
        for f in detect(now)
        if f.kind == AlertKind.SPIKE
    ]


def test_cases_proactive_care_opened_for_a_known_disruption_are_no_spike():
    # Given: 8 cases PaxCare opened itself for the cancelled flight.
    cancel_af23_with_proactive_care()
    assert (
        Case.objects.filter(channel=Channel.SYSTEM, flight_number="AF23").count() == 8
    )

    # When
    found = spikes_at(NOW)

    # Then
    assert found == []


def test_passengers_complaining_about_the_same_flight_still_make_a_spike():
    # Given: the 8 proactive cases, and 6 passengers' own complaints on AF23.
    cancel_af23_with_proactive_care()
    complaints(6, flight_number="AF23", category="flight.cancellation")

    # When
    found = spikes_at(NOW)

    # Then: the 6 complaints count, the 8 cases PaxCare opened do not.
    assert found == [("flight_number", "AF23", "flight.cancellation", 6)]


def test_four_complaints_beside_proactive_cases_are_not_a_spike():
    # Given: 4 complaints, under SPIKE_MIN_CASES once the 8 proactive cases are out.
    cancel_af23_with_proactive_care()
    complaints(4, flight_number="AF23", category="flight.cancellation")

    # When / then
    assert spikes_at(NOW) == []


@pytest.fixture
def baggage_supervisor():
    supervisor = make_agent("bag.sup", role=Role.SUPERVISOR, departments=("baggage",))
    supervisor.email = "supervisor@example.com"
    supervisor.save()
    Department.objects.filter(code="baggage").update(supervisor=supervisor)
    return supervisor


def test_three_new_alerts_of_a_department_make_one_mail(
    baggage_supervisor, django_capture_on_commit_callbacks
):
    # Given: three spikes in baggage: lost bags at PEK and at CAN, damaged on MU5101.
    complaints(6, airport="PEK", category="baggage.lost")
    complaints(6, airport="CAN", category="baggage.lost")
    complaints(6, flight_number="MU5101", category="baggage.damaged")

    # When
    with django_capture_on_commit_callbacks(execute=True):
        created = run_detection(NOW)

    # Then
    assert len(created) == 3
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["supervisor@example.com"]
    assert message.subject == "PaxCare: 3 new alerts for Baggage services"
    assert message.body == (
        "- category spike: lost baggage at airport CAN: 6 cases in the last 7 days,"
        " against 0.5 a week before.\n"
        "- category spike: lost baggage at airport PEK: 6 cases in the last 7 days,"
        " against 0.5 a week before.\n"
        "- category spike: damaged baggage on flight MU5101: 6 cases in the last 7"
        " days, against 0.5 a week before.\n"
        "\n"
        "See the insights page of the console."
    )
    assert Alert.objects.filter(notified_at__isnull=True).count() == 0


def test_a_second_run_mails_only_what_is_new(
    baggage_supervisor, django_capture_on_commit_callbacks
):
    # Given: one run has mailed the PEK spike.
    complaints(6, airport="PEK", category="baggage.lost")
    with django_capture_on_commit_callbacks(execute=True):
        run_detection(NOW)

    # When: an hour later CAN spikes too.
    complaints(6, airport="CAN", category="baggage.lost")
    with django_capture_on_commit_callbacks(execute=True):
        again = run_detection(NOW + timedelta(hours=1))

    # Then: the second mail lists CAN alone.
    assert [alert.value for alert in again] == ["CAN"]
    assert [m.subject for m in mail.outbox] == [
        "PaxCare: 1 new alert for Baggage services",
        "PaxCare: 1 new alert for Baggage services",
    ]
    assert "airport CAN" in mail.outbox[1].body
    assert "airport PEK" not in mail.outbox[1].body


def test_the_digest_is_in_the_supervisors_language(
    baggage_supervisor, django_capture_on_commit_callbacks
):
    # Given: a supervisor whose first working language is Chinese.
    baggage_supervisor.agent.languages = ["zh-hans", "en"]
    baggage_supervisor.agent.save()
    complaints(6, airport="PEK", category="baggage.lost")
    complaints(6, airport="CAN", category="baggage.lost")

    # When
    with django_capture_on_commit_callbacks(execute=True):
        run_detection(NOW)

    # Then
    [message] = mail.outbox
    assert message.subject == "PaxCare：行李服务部有 2 条新预警"
