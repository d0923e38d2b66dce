"""Recording flight events: idempotent, corrections raise the version, stale ignored."""

import pytest

from paxcare.disruptions.ingest import record_flight_event, record_flight_events
from paxcare.disruptions.models import Disruption, DisruptionRevision, Flight
from tests.disruptions.conftest import AF_JFK_CDG, event

pytestmark = pytest.mark.django_db

LATE = {"type": "delay", "estimated_arrival": "2026-01-06T11:00:00+01:00"}
LATER = {"type": "delay", "estimated_arrival": "2026-01-06T13:00:00+01:00"}


def test_a_small_delay_is_recorded_without_a_disruption():
    result = record_flight_event(
        event(AF_JFK_CDG, type="delay", estimated_arrival="2026-01-06T08:30:00+01:00")
    )

    assert result.outcome == "recorded"
    assert result.disruption is None
    assert Flight.objects.get().status == "delayed"
    assert Disruption.objects.count() == 0


def test_the_same_event_twice_changes_nothing():
    first = record_flight_event(event(AF_JFK_CDG, **LATE))

    again = record_flight_event(event(AF_JFK_CDG, **LATE))

    assert (first.outcome, again.outcome) == ("created", "unchanged")
    disruption = Disruption.objects.get()
    assert disruption.version == 1
    assert DisruptionRevision.objects.count() == 1
    assert Flight.objects.count() == 1


def test_a_growing_delay_is_a_new_version_of_the_same_disruption():
    record_flight_event(event(AF_JFK_CDG, **LATE))

    result = record_flight_event(event(AF_JFK_CDG, **LATER))

    assert result.outcome == "updated"
    disruption = Disruption.objects.get()
    assert (disruption.kind, disruption.version) == ("delay", 2)
    assert disruption.arrival_delay_minutes == 330
    assert list(disruption.revisions.values_list("version", "kind")) == [
        (1, "delay"),
        (2, "delay"),
    ]


def test_a_delay_that_becomes_a_cancellation_keeps_one_disruption():
    record_flight_event(event(AF_JFK_CDG, **LATE))

    result = record_flight_event(event(AF_JFK_CDG, type="cancellation"))

    assert result.outcome == "updated"
    disruption = Disruption.objects.get()
    assert (disruption.kind, disruption.version) == ("cancellation", 2)
    assert Flight.objects.get().status == "cancelled"


def test_an_event_issued_before_the_applied_one_is_stale():
    record_flight_event(event(AF_JFK_CDG, **LATER, issued_at="2026-01-05T20:00Z"))

    result = record_flight_event(
        event(AF_JFK_CDG, **LATE, issued_at="2026-01-05T19:00Z")
    )

    assert result.outcome == "stale"
    disruption = Disruption.objects.get()
    assert (disruption.version, disruption.arrival_delay_minutes) == (1, 330)
    assert Flight.objects.get().estimated_arrival.isoformat() == (
        "2026-01-06T12:00:00+00:00"
    )


def test_a_delay_that_shrinks_stays_recorded_but_no_longer_calls_for_care():
    record_flight_event(event(AF_JFK_CDG, **LATE))

    result = record_flight_event(event(AF_JFK_CDG, type="on_time"))

    disruption = Disruption.objects.get()
    assert result.outcome == "updated"
    assert (disruption.kind, disruption.version) == ("delay", 2)
    assert disruption.qualifies is False


def test_one_batch_may_hold_a_new_flight_and_its_correction():
    results = record_flight_events(
        [event(AF_JFK_CDG, **LATE), event(AF_JFK_CDG, type="cancellation")]
    )

    assert [r.outcome for r in results] == ["created", "updated"]
    disruption = Disruption.objects.get()
    assert (disruption.kind, disruption.version) == ("cancellation", 2)
    assert disruption.revisions.count() == 2


def test_the_public_entitlements_are_those_of_a_passenger_in_general():
    result = record_flight_event(event(AF_JFK_CDG, type="cancellation"))

    codes = [
        (e["code"], e["amount"], e["currency"])
        for e in result.disruption.public_entitlements["entitlements"]
    ]
    assert codes == [
        ("eu261.refund", None, None),
        ("eu261.rerouting", None, None),
        ("eu261.care.meals", None, None),
        ("eu261.care.calls", None, None),
        ("eu261.compensation", "600.00", "EUR"),
        ("us_dot.refund", None, None),
    ]
