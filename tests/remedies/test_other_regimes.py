"""APPR, US DOT, CAAC and the Montreal Convention, rule by rule."""

import pytest

from tests.remedies.builders import (
    CDG_JFK,
    JFK_LAX,
    PEK_PVG,
    YYZ_YVR,
    answer,
    flight,
    money,
    owed,
    refused,
    request,
)

SMALL = {"AC": {"country": "CA", "appr_size": "small"}}


@pytest.mark.parametrize(
    ("arrival", "amount"),
    [
        ("2026-05-04T13:04:00-07:00", None),
        ("2026-05-04T13:05:00-07:00", "125.00"),
        ("2026-05-04T16:05:00-07:00", "250.00"),
        ("2026-05-04T19:05:00-07:00", "500.00"),
    ],
)
def test_appr_small_carrier_bands_start_at_3_6_and_9_hours(arrival, amount):
    result = answer(
        request(YYZ_YVR, {"type": "delay", "actual_arrival": arrival}, carriers=SMALL)
    )

    assert money(result, "appr") == ([(amount, "CAD")] if amount else [])


@pytest.mark.parametrize(
    ("cause", "code"),
    [
        ("weather", "outside_control"),
        ("own_staff_strike", "outside_control"),
        ("safety_required_controllable", "safety_required"),
    ],
)
def test_appr_pays_nothing_outside_control_or_for_safety(cause, code):
    event = {
        "type": "delay",
        "cause": cause,
        "actual_arrival": "2026-05-04T17:05:00-07:00",
    }

    result = answer(request(YYZ_YVR, event))

    assert refused(result, "appr") == {"compensation": code}


def test_appr_compensation_comes_with_the_one_year_claim_window_and_30_day_answer():
    event = {"type": "delay", "actual_arrival": "2026-05-04T17:05:00-07:00"}

    deadlines = owed(answer(request(YYZ_YVR, event)), "appr", "claim_deadline")

    assert [
        (
            d["deadline"]["party"],
            d["deadline"]["period"],
            d["deadline"]["unit"],
            d["deadline"]["due_on"],
        )
        for d in deadlines
    ] == [
        ("passenger", 1, "years", "2027-05-04"),
        ("carrier", 30, "days", None),
    ]


@pytest.mark.parametrize(
    ("arrival", "amount"),
    [
        ("2026-05-04T15:59:00-07:00", "900.00"),
        ("2026-05-04T16:05:00-07:00", "1800.00"),
        ("2026-05-04T19:05:00-07:00", "2400.00"),
    ],
)
def test_appr_denied_boarding_pays_900_1800_2400(arrival, amount):
    event = {
        "type": "denied_boarding",
        "rerouting": {"departure": "2026-05-04T12:00:00-04:00", "arrival": arrival},
    }

    assert money(answer(request(YYZ_YVR, event)), "appr") == [(amount, "CAD")]


def _dbc(late_arrival, fare="300", segment=JFK_LAX, day="2026-05-04"):
    segment = dict(
        segment,
        scheduled_departure=segment["scheduled_departure"].replace("2026-05-04", day),
        scheduled_arrival=segment["scheduled_arrival"].replace("2026-05-04", day),
    )
    event = {
        "type": "denied_boarding",
        "rerouting": {
            "departure": f"{day}T10:00:00-04:00",
            "arrival": f"{day}T{late_arrival}",
        },
    }
    passenger = {"one_way_fare": {"amount": fare, "currency": "USD"}}
    return answer(request(segment, event, passenger=passenger))


def test_dot_denied_boarding_within_an_hour_pays_nothing():
    assert refused(_dbc("12:30:00-07:00"), "us_dot") == {
        "compensation": "below_threshold"
    }


@pytest.mark.parametrize(
    ("arrival", "amount"),
    [
        # "1 to 2 hours": exactly two hours is still 200 % (14 CFR 250.5: 400 %
        # only when not "within two hours"); a minute more is 400 %.
        ("13:30:00-07:00", "600.00"),
        ("13:31:00-07:00", "1200.00"),
    ],
)
def test_dot_denied_boarding_domestic_pays_200_percent_up_to_two_hours(arrival, amount):
    assert money(_dbc(arrival), "us_dot") == [(amount, "USD")]


def test_dot_caps_follow_the_rule_in_force_on_the_flight_date():
    assert money(_dbc("12:45:00-07:00", fare="1000"), "us_dot") == [("1075.00", "USD")]
    assert money(_dbc("12:45:00-07:00", fare="1000", day="2025-01-21"), "us_dot") == [
        ("775.00", "USD")
    ]


def test_dot_refunds_a_cancelled_flight_automatically():
    event = {"type": "cancellation", "notified_at": "2026-05-03T08:00:00-04:00"}
    passenger = {"one_way_fare": {"amount": "300", "currency": "USD"}}

    result = answer(request(JFK_LAX, event, passenger=passenger))

    assert money(result, "us_dot", "refund") == [("300.00", "USD")]


@pytest.mark.parametrize(
    ("delivered", "refunded"),
    [("2026-05-04T23:30:00-07:00", False), ("2026-05-04T23:31:00-07:00", True)],
)
def test_dot_refunds_the_bag_fee_after_12_hours_domestic(delivered, refunded):
    event = {
        "type": "baggage_delay",
        "delivered_at": delivered,
        "bag_fee": {"amount": "40", "currency": "USD"},
    }

    result = answer(request(JFK_LAX, event))

    assert money(result, "us_dot", "refund") == ([("40.00", "USD")] if refunded else [])
    assert money(result, "us_dot", "liability_limit") == [("4700.00", "USD")]


def test_dot_bag_fee_threshold_is_30_hours_after_a_flight_over_12_hours():
    jfk_hkg = flight(
        "CX", "JFK", "HKG", "2026-05-04T01:00:00-04:00", "2026-05-05T05:00:00+08:00"
    )
    event = {
        "type": "baggage_delay",
        "delivered_at": "2026-05-06T10:00:00+08:00",
        "bag_fee": {"amount": "100", "currency": "USD"},
    }

    assert money(answer(request(jfk_hkg, event)), "us_dot", "refund") == []


@pytest.mark.parametrize(
    ("cause", "payer"), [("technical", "carrier"), ("weather", "passenger")]
)
def test_caac_care_is_paid_by_the_carrier_only_when_it_caused_the_delay(cause, payer):
    event = {
        "type": "delay",
        "cause": cause,
        "actual_arrival": "2026-05-04T14:15:00+08:00",
    }

    meals = [
        e
        for e in owed(answer(request(PEK_PVG, event)), "caac", "care")
        if e["code"] == "caac.care.meals"
    ]

    assert [m["paid_by"] for m in meals] == [payer]


def test_caac_complaint_answer_is_10_chinese_working_days():
    event = {"type": "delay", "actual_arrival": "2026-05-04T14:15:00+08:00"}

    [answer_clock] = owed(answer(request(PEK_PVG, event)), "caac", "claim_deadline")

    assert answer_clock["deadline"] == {
        "party": "carrier",
        "action": "answer_complaint",
        "period": 10,
        "unit": "working_days",
        "calendar": "CN",
        "starts": "complaint_received",
        "starts_on": None,
        "due_on": None,
        "status": None,
    }


def test_montreal_limits_follow_the_revision_in_force():
    def lost(day):
        segment = dict(
            CDG_JFK,
            scheduled_departure=f"{day}T10:30:00+01:00",
            scheduled_arrival=f"{day}T12:45:00-05:00",
        )
        return answer(request(segment, {"type": "baggage_loss"}))

    assert money(lost("2024-12-27"), "montreal", "liability_limit") == [
        ("1288.00", "XDR")
    ]
    assert money(lost("2024-12-28"), "montreal", "liability_limit") == [
        ("1519.00", "XDR")
    ]


def test_montreal_delayed_bag_complaint_within_21_days_is_met():
    event = {
        "type": "baggage_delay",
        "delivered_at": "2026-05-06T10:00:00-04:00",
        "complained_at": "2026-05-27T10:00:00-04:00",
    }

    result = answer(request(CDG_JFK, event))

    [complaint] = [
        e
        for e in owed(result, "montreal", "claim_deadline")
        if e["code"] == "montreal.complaint_delay"
    ]
    assert (complaint["deadline"]["due_on"], complaint["deadline"]["status"]) == (
        "2026-05-27",
        "met",
    )


def test_montreal_undelivered_bag_counts_as_lost_after_21_days():
    result = answer(request(CDG_JFK, {"type": "baggage_delay"}))

    [lost] = [
        e
        for e in owed(result, "montreal", "claim_deadline")
        if e["code"] == "montreal.lost_after"
    ]
    assert lost["deadline"]["due_on"] == "2026-05-25"


def test_montreal_does_not_govern_a_us_domestic_journey():
    assert refused(answer(request(JFK_LAX, {"type": "baggage_loss"})), "montreal") == {
        None: "out_of_scope"
    }


def test_canadian_domestic_bag_gets_montreal_limits_through_the_appr():
    result = answer(request(YYZ_YVR, {"type": "baggage_loss"}))

    [limit] = owed(result, "montreal", "liability_limit")
    assert (limit["amount"], limit["legal_basis"].endswith("s. 23")) == (
        "1519.00",
        True,
    )


def test_two_regimes_paying_for_one_event_are_marked_not_cumulative():
    fra_yyz = flight(
        "AC", "FRA", "YYZ", "2026-05-04T10:00:00+02:00", "2026-05-04T12:30:00-04:00"
    )
    event = {"type": "delay", "actual_arrival": "2026-05-04T19:30:00-04:00"}

    result = answer(request(fra_yyz, event))

    pays = [
        (e["regime"], e["amount"], e["cumulative"])
        for e in result["entitlements"]
        if e["kind"] == "compensation"
    ]
    assert pays == [("eu261", "600.00", False), ("appr", "700.00", False)]


def _in_2002(segment: dict) -> dict:
    def moved(text: str) -> str:
        return "2002" + text[4:]

    return dict(
        segment,
        scheduled_departure=moved(segment["scheduled_departure"]),
        scheduled_arrival=moved(segment["scheduled_arrival"]),
    )


@pytest.mark.parametrize(
    ("segment", "code"),
    [
        # international carriage the Convention covers from its first day
        (CDG_JFK, "not_in_force"),
        # a domestic flight it never covers: out of scope, not merely early
        (JFK_LAX, "out_of_scope"),
    ],
)
def test_montreal_before_it_was_in_force_says_scope_first(segment, code):
    result = answer(request(_in_2002(segment), {"type": "baggage_loss"}))

    assert refused(result, "montreal") == {None: code}
