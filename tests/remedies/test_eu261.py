"""EU261 rule by rule, at its boundaries."""

import pytest

from paxcare.remedies.engine.rules import version_on
from paxcare.remedies.regimes.eu261 import EuStyleRegime
from tests.remedies.builders import (
    CDG_BCN,
    CDG_JFK,
    FRA_JFK,
    LHR_JFK,
    answer,
    flight,
    money,
    owed,
    refused,
    request,
)


def _delay(segment, arrival, **event):
    return answer(
        request(segment, {"type": "delay", "actual_arrival": arrival, **event})
    )


def test_exactly_3_hours_late_earns_compensation():
    result = _delay(CDG_BCN, "2026-05-04T14:40:00+02:00")

    assert money(result, "eu261") == [("250.00", "EUR")]


def test_2h59_late_earns_no_compensation():
    result = _delay(CDG_BCN, "2026-05-04T14:39:00+02:00")

    assert money(result, "eu261") == []
    assert refused(result, "eu261") == {"compensation": "below_threshold"}


@pytest.mark.parametrize(
    ("km", "domestic", "band"),
    [
        (1500.0, False, "a"),
        (1500.01, False, "b"),
        (3500.0, False, "b"),
        (3500.01, False, "c"),
        (1500.0, True, "a"),
        (1500.01, True, "b"),
        (9000.0, True, "b"),
    ],
)
def test_distance_bands_at_their_edges(km, domestic, band):
    regime = EuStyleRegime("eu261")
    rules = version_on("eu261", __import__("datetime").date(2026, 5, 4))

    chosen = regime._band(None, rules, km, domestic)

    assert chosen["id"] == band


def test_intra_eu_flight_to_reunion_stays_in_the_middle_band():
    cdg_run = flight(
        "AF", "CDG", "RUN", "2026-05-04T16:00:00+02:00", "2026-05-05T05:30:00+04:00"
    )

    result = _delay(cdg_run, "2026-05-05T10:30:00+04:00")

    assert money(result, "eu261") == [("400.00", "EUR")]


def test_long_haul_delay_between_3_and_4_hours_is_halved():
    result = _delay(FRA_JFK, "2026-05-04T16:45:00-04:00")

    [compensation] = owed(result, "eu261")
    assert (compensation["amount"], compensation["currency"]) == ("300.00", "EUR")
    assert "Reduced by 50%" in compensation["explanation"]["en"]


def test_long_haul_delay_of_4h01_is_paid_in_full():
    result = _delay(FRA_JFK, "2026-05-04T16:46:00-04:00")

    assert money(result, "eu261") == [("600.00", "EUR")]


def test_weather_removes_compensation_but_not_care():
    result = _delay(FRA_JFK, "2026-05-04T18:45:00-04:00", cause="weather")

    assert money(result, "eu261") == []
    assert refused(result, "eu261") == {"compensation": "extraordinary_circumstances"}
    assert [e["code"] for e in owed(result, "eu261", "care")] == [
        "eu261.care.meals",
        "eu261.care.calls",
    ]


def test_strike_of_own_staff_is_not_extraordinary():
    result = _delay(FRA_JFK, "2026-05-04T18:45:00-04:00", cause="own_staff_strike")

    assert money(result, "eu261") == [("600.00", "EUR")]


def test_five_hour_delay_adds_the_refund():
    result = _delay(FRA_JFK, "2026-05-04T17:45:00-04:00")

    assert [e["code"] for e in owed(result, "eu261", "refund")] == ["eu261.refund"]


def _cancel(notified_at, rerouting=None, segment=CDG_BCN):
    return answer(
        request(
            segment,
            {
                "type": "cancellation",
                "notified_at": notified_at,
                "rerouting": rerouting,
            },
        )
    )


def test_cancellation_announced_exactly_14_days_ahead_owes_no_compensation():
    result = _cancel("2026-04-20T10:00:00+02:00")

    assert refused(result, "eu261") == {"compensation": "notice_given"}


def test_cancellation_announced_a_minute_under_14_days_without_rerouting_owes_250():
    result = _cancel("2026-04-20T10:01:00+02:00")

    assert money(result, "eu261") == [("250.00", "EUR")]


def test_seven_days_notice_with_rerouting_inside_the_wider_window_is_exempt():
    rerouting = {
        "departure": "2026-05-04T08:00:00+02:00",
        "arrival": "2026-05-04T15:39:00+02:00",
    }

    result = _cancel("2026-04-27T10:00:00+02:00", rerouting)

    assert refused(result, "eu261") == {"compensation": "rerouting_within_limits"}


def test_under_seven_days_notice_the_same_rerouting_owes_compensation():
    rerouting = {
        "departure": "2026-05-04T08:00:00+02:00",
        "arrival": "2026-05-04T15:39:00+02:00",
    }

    result = _cancel("2026-04-27T10:01:00+02:00", rerouting)

    assert money(result, "eu261") == [("250.00", "EUR")]


def test_rerouting_arriving_within_2_hours_halves_short_haul_compensation():
    rerouting = {
        "departure": "2026-05-04T08:30:00+02:00",
        "arrival": "2026-05-04T13:40:00+02:00",
    }

    result = _cancel("2026-05-03T10:00:00+02:00", rerouting)

    assert money(result, "eu261") == [("125.00", "EUR")]


def test_rerouting_departing_the_next_day_adds_a_hotel():
    rerouting = {
        "departure": "2026-05-05T07:00:00+02:00",
        "arrival": "2026-05-05T08:40:00+02:00",
    }

    result = _cancel("2026-05-04T06:00:00+02:00", rerouting)

    assert "eu261.care.hotel" in [e["code"] for e in owed(result, "eu261", "care")]


def test_voluntary_denied_boarding_earns_no_compensation():
    result = answer(request(CDG_BCN, {"type": "denied_boarding", "voluntary": True}))

    assert refused(result, "eu261") == {"compensation": "voluntary"}


@pytest.mark.parametrize(
    ("segment", "amount"),
    [
        (CDG_BCN, "300.00"),
        (CDG_JFK, "750.00"),
        (
            flight(
                "AF",
                "CDG",
                "LPA",
                "2026-05-04T10:00:00+02:00",
                "2026-05-04T12:15:00+01:00",
            ),
            "500.00",
        ),
        (
            flight(
                "AF",
                "CDG",
                "RUN",
                "2026-05-04T16:00:00+02:00",
                "2026-05-05T05:30:00+04:00",
            ),
            "750.00",
        ),
    ],
)
def test_downgrade_refunds_30_50_or_75_percent_of_the_flight_fare(segment, amount):
    event = {
        "type": "downgrade",
        "from_cabin": "business",
        "to_cabin": "economy",
        "segment_fare": {"amount": "1000", "currency": "EUR"},
    }

    result = answer(request(segment, event))

    assert money(result, "eu261", "refund") == [(amount, "EUR")]


def test_inbound_flight_on_an_eu_carrier_is_covered_and_on_another_is_not():
    inbound = {"type": "delay", "actual_arrival": "2026-05-05T13:00:00+02:00"}
    af = flight(
        "AF", "JFK", "CDG", "2026-05-04T18:00:00-04:00", "2026-05-05T08:00:00+02:00"
    )
    dl = dict(af, marketing_carrier="DL", operating_carrier="DL")

    assert money(answer(request(af, inbound)), "eu261") == [("600.00", "EUR")]
    assert refused(answer(request(dl, inbound)), "eu261") == {None: "out_of_scope"}


def test_departure_from_the_canary_islands_is_covered_on_any_carrier():
    lpa_jfk = flight(
        "DL", "LPA", "JFK", "2026-05-04T10:00:00+01:00", "2026-05-04T14:00:00-04:00"
    )

    result = _delay(lpa_jfk, "2026-05-04T19:00:00-04:00")

    assert money(result, "eu261") == [("600.00", "EUR")]


def test_connection_is_judged_at_the_final_destination():
    bcn_fra = flight(
        "LH", "BCN", "FRA", "2026-05-04T06:00:00+02:00", "2026-05-04T08:00:00+02:00"
    )
    late_first_leg_on_time_overall = {
        "type": "delay",
        "segment_index": 0,
        "actual_arrival": "2026-05-04T14:30:00-04:00",
    }
    missed_connection = dict(
        late_first_leg_on_time_overall, actual_arrival="2026-05-04T16:50:00-04:00"
    )

    assert (
        money(
            answer(request([bcn_fra, FRA_JFK], late_first_leg_on_time_overall)), "eu261"
        )
        == []
    )
    assert money(answer(request([bcn_fra, FRA_JFK], missed_connection)), "eu261") == [
        ("600.00", "EUR")
    ]


def test_before_brexit_a_london_departure_falls_under_eu261():
    old = dict(
        LHR_JFK,
        scheduled_departure="2019-05-04T11:00:00+01:00",
        scheduled_arrival="2019-05-04T13:55:00-04:00",
    )

    result = _delay(old, "2019-05-04T18:05:00-04:00")

    assert money(result, "eu261") == [("600.00", "EUR")]
    assert refused(result, "uk261") == {None: "not_in_force"}
