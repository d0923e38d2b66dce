"""The expected answers of the remedies specification, one test each, exact amounts."""

from tests.remedies.builders import (
    CDG_BCN,
    CDG_JFK,
    FRA_JFK,
    JFK_LAX,
    LHR_JFK,
    MAD_CDG,
    YYZ_YVR,
    answer,
    money,
    owed,
    refused,
    request,
)


def test_fra_jfk_lufthansa_4h10_late_for_a_technical_fault_owes_eur_600():
    # given
    data = request(
        FRA_JFK,
        {
            "type": "delay",
            "segment_index": 0,
            "cause": "technical",
            "actual_arrival": "2026-05-04T16:55:00-04:00",
        },
        carriers={"LH": {"country": "DE"}},
    )
    # when
    result = answer(data)
    # then
    assert money(result, "eu261") == [("600.00", "EUR")]


def test_cdg_bcn_air_france_3h05_late_owes_eur_250():
    data = request(
        CDG_BCN, {"type": "delay", "actual_arrival": "2026-05-04T14:45:00+02:00"}
    )

    result = answer(data)

    assert money(result, "eu261") == [("250.00", "EUR")]


def test_cdg_bcn_cancelled_20_days_ahead_owes_refund_or_rerouting_and_care_only():
    data = request(
        CDG_BCN,
        {
            "type": "cancellation",
            "notified_at": "2026-04-14T10:00:00+02:00",
            "rerouting": None,
        },
    )

    result = answer(data)

    assert owed(result, "eu261") == []
    assert refused(result, "eu261") == {"compensation": "notice_given"}
    assert [e["code"] for e in owed(result, "eu261", "refund")] == ["eu261.refund"]
    assert [e["code"] for e in owed(result, "eu261", "rerouting")] == [
        "eu261.rerouting"
    ]
    assert [e["code"] for e in owed(result, "eu261", "care")] == [
        "eu261.care.meals",
        "eu261.care.calls",
    ]


def test_cdg_jfk_cancelled_3_days_ahead_without_rerouting_owes_eur_600():
    data = request(
        CDG_JFK,
        {
            "type": "cancellation",
            "notified_at": "2026-05-01T10:30:00+02:00",
            "rerouting": None,
        },
    )

    result = answer(data)

    assert money(result, "eu261") == [("600.00", "EUR")]


def test_mad_cdg_involuntary_denied_boarding_not_rerouted_owes_eur_250():
    data = request(MAD_CDG, {"type": "denied_boarding", "voluntary": False})

    result = answer(data)

    assert money(result, "eu261") == [("250.00", "EUR")]


def test_lhr_jfk_british_airways_4h10_late_owes_gbp_520_and_not_eu261():
    data = request(
        LHR_JFK, {"type": "delay", "actual_arrival": "2026-05-04T18:05:00-04:00"}
    )

    result = answer(data)

    assert money(result, "uk261") == [("520.00", "GBP")]
    assert money(result, "eu261") == []
    assert refused(result, "eu261") == {None: "out_of_scope"}


def test_yyz_yvr_air_canada_7h_late_within_its_control_owes_cad_700():
    data = request(
        YYZ_YVR,
        {
            "type": "delay",
            "cause": "technical",
            "actual_arrival": "2026-05-04T17:05:00-07:00",
        },
        carriers={"AC": {"country": "CA", "appr_size": "large"}},
    )

    result = answer(data)

    assert money(result, "appr") == [("700.00", "CAD")]


def test_jfk_lax_involuntary_denied_boarding_1h30_late_on_usd_300_owes_usd_600():
    data = request(
        JFK_LAX,
        {
            "type": "denied_boarding",
            "voluntary": False,
            "rerouting": {
                "departure": "2026-05-04T09:30:00-04:00",
                "arrival": "2026-05-04T13:00:00-07:00",
            },
        },
        passenger={"one_way_fare": {"amount": "300", "currency": "USD"}},
    )

    result = answer(data)

    assert money(result, "us_dot") == [("600.00", "USD")]


def test_cdg_jfk_lost_bag_is_limited_to_1519_sdr():
    data = request(CDG_JFK, {"type": "baggage_loss"})

    result = answer(data)

    assert money(result, "montreal", "liability_limit") == [("1519.00", "XDR")]


def test_cdg_jfk_damaged_bag_complained_on_14_may_missed_the_13_may_deadline():
    data = request(
        CDG_JFK,
        {
            "type": "baggage_damage",
            "delivered_at": "2026-05-06T15:00:00-04:00",
            "complained_at": "2026-05-14T09:00:00-04:00",
        },
    )

    result = answer(data)

    [complaint] = [
        e
        for e in owed(result, "montreal", "claim_deadline")
        if e["code"] == "montreal.complaint_damage"
    ]
    assert complaint["deadline"]["due_on"] == "2026-05-13"
    assert complaint["deadline"]["status"] == "missed"
