"""Rules found missing or wrong in review, each at its boundary."""

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

JFK_LHR = ("JFK", "LHR", "2026-05-04T18:00:00-04:00", "2026-05-05T06:00:00+01:00")
JFK_CDG = ("JFK", "CDG", "2026-05-04T18:00:00-04:00", "2026-05-05T07:30:00+02:00")


def _late_by_4_hours(carrier, origin, destination, departure, arrival):
    segment = flight(carrier, origin, destination, departure, arrival)
    late = {
        "JFK_LHR": "2026-05-05T10:10:00+01:00",
        "JFK_CDG": "2026-05-05T11:40:00+02:00",
        "CDG_LHR": "2026-05-04T15:20:00+01:00",
    }[f"{origin}_{destination}"]
    return answer(request(segment, {"type": "delay", "actual_arrival": late}))


# --- UK261 scope: Art. 3(1)(b) as amended ------------------------------------------


def test_uk261_covers_an_eu_carrier_arriving_in_the_uk():
    result = _late_by_4_hours("LH", *JFK_LHR)

    assert money(result, "uk261") == [("520.00", "GBP")]
    assert refused(result, "eu261") == {None: "out_of_scope"}


def test_uk261_covers_a_uk_carrier_arriving_in_the_eu():
    result = _late_by_4_hours("BA", *JFK_CDG)

    assert money(result, "uk261") == [("520.00", "GBP")]
    assert refused(result, "eu261") == {None: "out_of_scope"}


def test_neither_covers_a_us_carrier_arriving_in_london():
    result = _late_by_4_hours("AA", *JFK_LHR)

    assert money(result, "uk261") == []
    assert refused(result, "uk261") == {None: "out_of_scope"}


def test_a_uk_carrier_from_paris_to_london_falls_under_both_once():
    result = _late_by_4_hours(
        "BA", "CDG", "LHR", "2026-05-04T10:00:00+02:00", "2026-05-04T10:20:00+01:00"
    )

    pays = [
        (e["regime"], e["amount"], e["cumulative"])
        for e in result["entitlements"]
        if e["kind"] == "compensation"
    ]
    assert pays == [("eu261", "250.00", False), ("uk261", "220.00", False)]


def test_out_of_scope_reason_says_what_uk261_covers():
    result = _late_by_4_hours("AA", *JFK_LHR)

    [reason] = [n for n in result["not_applicable"] if n["regime"] == "uk261"]
    assert "on a flight operated by a UK or EU carrier" in reason["reason"]["en"]
    assert "由英国或欧盟承运人执飞抵达英国" in reason["reason"]["zh"]


# --- EU261 notice windows: the day each window starts -------------------------------


def _cancelled(notified_at, rerouting):
    segment = flight(
        "AF", "CDG", "BCN", "2026-05-20T10:00:00+02:00", "2026-05-20T11:40:00+02:00"
    )
    event = {"type": "cancellation", "notified_at": notified_at, "rerouting": rerouting}
    return answer(request(segment, event))


# Leaves 1 h 30 min early and arrives 3 h late: inside the 7-14 day limits (2 h/4 h),
# outside the under-7-day limits (1 h/2 h).
REROUTED = {
    "departure": "2026-05-20T08:30:00+02:00",
    "arrival": "2026-05-20T14:40:00+02:00",
}


def test_seven_days_notice_to_the_minute_uses_the_wider_rerouting_limits():
    result = _cancelled("2026-05-13T10:00:00+02:00", REROUTED)

    assert refused(result, "eu261") == {"compensation": "rerouting_within_limits"}


def test_a_minute_under_seven_days_the_narrower_limits_apply():
    result = _cancelled("2026-05-13T10:01:00+02:00", REROUTED)

    assert money(result, "eu261") == [("250.00", "EUR")]


def test_downgrade_between_two_overseas_departments_is_not_paid_at_75_percent():
    ptp_cay = flight(
        "TX", "PTP", "CAY", "2026-05-04T10:00:00-04:00", "2026-05-04T12:30:00-03:00"
    )
    event = {
        "type": "downgrade",
        "from_cabin": "business",
        "to_cabin": "economy",
        "segment_fare": {"amount": "400", "currency": "EUR"},
    }

    result = answer(request(ptp_cay, event, carriers={"TX": {"country": "FR"}}))

    assert money(result, "eu261", "refund") == [("200.00", "EUR")]


# --- APPR: the three cause classes for denied boarding ----------------------------


def _appr_denied(cause, day="2026-05-04"):
    segment = dict(
        YYZ_YVR,
        scheduled_departure=f"{day}T08:00:00-04:00",
        scheduled_arrival=f"{day}T10:05:00-07:00",
    )
    event = {
        "type": "denied_boarding",
        "cause": cause,
        "rerouting": {
            "departure": f"{day}T12:00:00-04:00",
            "arrival": f"{day}T14:05:00-07:00",
        },
    }
    return answer(request(segment, event))


@pytest.mark.parametrize(
    ("cause", "paid", "cared_for"),
    [
        ("other_controllable", [("900.00", "CAD")], True),
        ("safety_required_controllable", [], True),
        ("weather", [], False),
    ],
)
def test_appr_denied_boarding_pays_only_within_control_and_not_for_safety(
    cause, paid, cared_for
):
    result = _appr_denied(cause)

    assert money(result, "appr") == paid
    assert bool(owed(result, "appr", "care")) is cared_for
    assert [e["code"] for e in owed(result, "appr", "rerouting")] == ["appr.rerouting"]


def test_appr_denied_boarding_care_is_owed_from_the_first_phase():
    result = _appr_denied("other_controllable", day="2019-08-01")

    assert [e["code"] for e in owed(result, "appr", "care")] == ["appr.care.food"]
    assert money(result, "appr") == [("900.00", "CAD")]


def test_appr_refunded_ticket_compensation_cites_section_19_2():
    event = {"type": "cancellation", "cause": "technical"}

    [paid] = owed(answer(request(YYZ_YVR, event)), "appr")

    assert (paid["amount"], paid["legal_basis"].endswith("s. 17(2), s. 19(2)")) == (
        "400.00",
        True,
    )


# --- US DOT -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "limit"), [("2025-01-21", "3800.00"), ("2025-01-22", "4700.00")]
)
def test_part_254_domestic_baggage_limit_rises_on_22_january_2025(day, limit):
    segment = dict(
        JFK_LAX,
        scheduled_departure=f"{day}T08:00:00-05:00",
        scheduled_arrival=f"{day}T11:30:00-08:00",
    )

    result = answer(request(segment, {"type": "baggage_loss"}))

    assert money(result, "us_dot", "liability_limit") == [(limit, "USD")]


@pytest.mark.parametrize(
    ("delivered", "refunded"),
    [("2026-05-05T03:45:00+02:00", False), ("2026-05-05T03:46:00+02:00", True)],
)
def test_dot_bag_fee_threshold_is_15_hours_after_a_short_international_flight(
    delivered, refunded
):
    event = {
        "type": "baggage_delay",
        "delivered_at": delivered,
        "bag_fee": {"amount": "75", "currency": "USD"},
    }
    jfk_cdg = flight(
        "AF", *JFK_CDG[:2], "2026-05-04T06:30:00-04:00", "2026-05-04T12:45:00+02:00"
    )

    result = answer(request(jfk_cdg, event))

    assert money(result, "us_dot", "refund") == ([("75.00", "USD")] if refunded else [])


def test_dot_leaves_international_baggage_limits_to_montreal():
    result = answer(request(CDG_JFK, {"type": "baggage_loss"}))

    assert refused(result, "us_dot") == {"liability_limit": "not_covered"}
    assert money(result, "montreal", "liability_limit") == [("1519.00", "XDR")]


# --- CAAC -------------------------------------------------------------------------


def test_caac_answers_complaints_about_international_bags_too():
    pek_fra = flight(
        "CA", "PEK", "FRA", "2026-05-04T01:00:00+08:00", "2026-05-04T06:00:00+02:00"
    )

    result = answer(request(pek_fra, {"type": "baggage_loss"}))

    assert [e["code"] for e in owed(result, "caac", "claim_deadline")] == [
        "caac.complaint_answer"
    ]
    assert refused(result, "caac") == {"liability_limit": "not_covered"}


def test_caac_domestic_bag_limit_is_100_yuan_a_kilo():
    event = {"type": "baggage_loss", "bag_weight_kg": 23}

    result = answer(request(PEK_PVG, event))

    assert money(result, "caac", "liability_limit") == [("2300.00", "CNY")]


# --- Montreal: the damage deadline's last day, the two years ---------------------


@pytest.mark.parametrize(
    ("complained", "status"), [("2026-05-13", "met"), ("2026-05-14", "missed")]
)
def test_montreal_damage_complaint_is_in_time_up_to_the_seventh_day(complained, status):
    event = {
        "type": "baggage_damage",
        "delivered_at": "2026-05-06T15:00:00-04:00",
        "complained_at": f"{complained}T09:00:00-04:00",
    }

    result = answer(request(CDG_JFK, event))

    [complaint] = [
        e
        for e in owed(result, "montreal", "claim_deadline")
        if e["code"] == "montreal.complaint_damage"
    ]
    assert (complaint["deadline"]["due_on"], complaint["deadline"]["status"]) == (
        "2026-05-13",
        status,
    )


def test_montreal_action_must_be_brought_within_two_years_of_arrival():
    result = answer(request(CDG_JFK, {"type": "baggage_loss"}))

    [action] = [
        e
        for e in owed(result, "montreal", "claim_deadline")
        if e["code"] == "montreal.action"
    ]
    assert (action["deadline"]["period"], action["deadline"]["due_on"]) == (
        2,
        "2028-05-04",
    )


@pytest.mark.parametrize(
    ("segment", "late_arrival", "refunded"),
    [
        (JFK_LAX, "2026-05-04T14:29:00-07:00", False),
        (JFK_LAX, "2026-05-04T14:30:00-07:00", True),
        (CDG_JFK, "2026-05-04T18:44:00-04:00", False),
        (CDG_JFK, "2026-05-04T18:45:00-04:00", True),
    ],
)
def test_part_260_refund_from_3_hours_domestic_and_6_international(
    segment, late_arrival, refunded
):
    event = {"type": "delay", "actual_arrival": late_arrival}
    passenger = {"one_way_fare": {"amount": "300", "currency": "USD"}}

    result = answer(request(segment, event, passenger=passenger))

    assert money(result, "us_dot", "refund") == (
        [("300.00", "USD")] if refunded else []
    )


@pytest.mark.parametrize(
    ("day", "limit"), [("2024-12-27", "5346.00"), ("2024-12-28", "6303.00")]
)
def test_montreal_delay_limit_rises_on_28_december_2024(day, limit):
    segment = dict(
        CDG_JFK,
        scheduled_departure=f"{day}T10:30:00+01:00",
        scheduled_arrival=f"{day}T12:45:00-05:00",
    )
    event = {"type": "delay", "actual_arrival": f"{day}T16:45:00-05:00"}

    result = answer(request(segment, event))

    assert money(result, "montreal", "liability_limit") == [(limit, "XDR")]
