"""Flight events: delay codes, local times, field errors, what calls for care."""

from datetime import UTC, datetime

import pytest

from paxcare.disruptions.delay_codes import cause_for_code, is_delay_code
from paxcare.errors import InvalidInput
from tests.disruptions.conftest import AF_JFK_CDG, event


@pytest.mark.parametrize(
    ("code", "cause"),
    [
        ("11", "other_controllable"),
        ("41", "technical"),
        ("51", "bird_strike"),
        ("64", "crew_shortage"),
        ("67", "crew_shortage"),
        ("71", "weather"),
        ("75", "weather"),
        ("81", "air_traffic_control"),
        ("84", "weather"),
        ("85", "security"),
        ("88", "airport_closure"),
        ("93", "other_controllable"),
        ("97", "own_staff_strike"),
        ("98", "third_party_strike"),
    ],
)
def test_delay_codes_map_to_the_engines_cause_classes(code, cause):
    assert cause_for_code(code).value == cause


@pytest.mark.parametrize("code", ["", "5", "123", "ab", "99", "03"])
def test_codes_that_say_nothing_usable_have_no_class(code):
    assert cause_for_code(code) is None


@pytest.mark.parametrize("code", ["10", "20", "49", "79", "90"])
def test_unassigned_codes_are_not_delay_codes(code):
    assert not is_delay_code(code)


def test_times_without_an_offset_are_local_at_their_airport():
    given = {
        **AF_JFK_CDG,
        "scheduled_departure": "2026-01-05T18:00",
        "scheduled_arrival": "2026-01-06T07:30",
    }

    checked = event(given, type="delay", estimated_arrival="2026-01-06T11:00")

    assert checked.scheduled_departure.astimezone(UTC) == datetime(
        2026, 1, 5, 23, 0, tzinfo=UTC
    )
    assert checked.scheduled_arrival.astimezone(UTC) == datetime(
        2026, 1, 6, 6, 30, tzinfo=UTC
    )
    assert checked.arrival_delay_minutes == 210
    assert checked.flight_date.isoformat() == "2026-01-05"


def test_a_bad_event_names_every_faulty_field():
    given = {
        "carrier": "AF",
        "flight_number": "23X23",
        "origin": "XXX",
        "destination": "CDG",
        "scheduled_departure": "tomorrow",
        "scheduled_arrival": "2026-01-06T07:30:00+01:00",
        "type": "late",
        "delay_code": "7",
        "cause": "aliens",
    }

    with pytest.raises(InvalidInput) as raised:
        event(given)

    fields = sorted(error.field for error in raised.value.fields)
    assert fields == [
        "cause",
        "delay_code",
        "flight_number",
        "origin",
        "scheduled_departure",
        "type",
    ]


def test_a_delay_needs_a_time_and_arrival_after_departure():
    with pytest.raises(InvalidInput) as raised:
        event(AF_JFK_CDG, type="delay")

    assert [e.field for e in raised.value.fields] == ["estimated_arrival"]


@pytest.mark.parametrize(
    ("changes", "qualifies"),
    [
        ({"type": "delay", "estimated_arrival": "2026-01-06T10:29:00+01:00"}, False),
        ({"type": "delay", "estimated_arrival": "2026-01-06T10:30:00+01:00"}, True),
        ({"type": "delay", "actual_departure": "2026-01-05T21:00:00-05:00"}, True),
        ({"type": "cancellation"}, True),
        ({"type": "diversion", "diverted_to": "BRU"}, True),
        ({"type": "on_time"}, False),
        (
            {
                "type": "schedule_change",
                "new_departure": "2026-01-05T17:00:00-05:00",
                "new_arrival": "2026-01-06T06:30:00+01:00",
            },
            True,
        ),
        (
            {
                "type": "schedule_change",
                "new_departure": "2026-01-05T17:30:00-05:00",
                "new_arrival": "2026-01-06T07:00:00+01:00",
            },
            False,
        ),
    ],
)
def test_what_calls_for_care(changes, qualifies):
    assert event(AF_JFK_CDG, **changes).qualifies() is qualifies


def test_the_fingerprint_ignores_when_the_event_was_issued():
    first = event(AF_JFK_CDG, type="cancellation", issued_at="2026-01-05T10:00Z")
    again = event(AF_JFK_CDG, type="cancellation", issued_at="2026-01-05T11:00Z")
    other = event(AF_JFK_CDG, type="cancellation", delay_code="71")

    assert first.fingerprint() == again.fingerprint()
    assert first.fingerprint() != other.fingerprint()


def test_a_given_cause_wins_over_the_delay_codes():
    checked = event(AF_JFK_CDG, type="cancellation", delay_code="41", cause="weather")

    assert checked.cause_class == "weather"
