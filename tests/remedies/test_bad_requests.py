"""Impossible and out-of-range requests are field errors, never crashes or payments."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from paxcare.accounts.models import ApiToken
from paxcare.remedies.management.commands import assess_entitlements
from paxcare.remedies.models import CaseFacts, ExchangeRate
from paxcare.remedies.services import assess
from tests.factories import make_agent
from tests.remedies.builders import (
    CDG_BCN,
    FRA_JFK,
    JFK_LAX,
    PEK_PVG,
    YYZ_YVR,
    answer,
    flight,
    money,
    post_assessments,
    refused,
    request,
)
from tests.remedies.test_console_panel import FACTS_POST

YEARS = "must be a date between the years 1900 and 2999"


def _fields(result):
    return [(f["field"], f["code"]) for f in result["error"]["fields"]]


def _far(day: str) -> dict:
    """A CDG-BCN flight on ``day``, 3 h 20 min late."""
    return request(
        flight("AF", "CDG", "BCN", f"{day}T10:00:00+02:00", f"{day}T11:40:00+02:00"),
        {"type": "delay", "actual_arrival": f"{day}T15:00:00+02:00"},
        id="FAR",
    )


BAG_LOST = {"type": "baggage_loss", "bag_weight_kg": 23}
ON_TIME_DELAY = {"type": "delay", "actual_arrival": "2026-05-04T14:45:00+02:00"}


# --- dates outside 1900-2999 -------------------------------------------------------


@pytest.mark.parametrize(
    "day", ["9998-12-20", "9999-12-31", "0001-01-01", "1899-12-31"]
)
def test_every_date_outside_the_years_is_a_field_error(day):
    # given a flight on a day outside the years PaxCare works with
    data = _far(day)
    # when it is assessed
    result = answer(data)
    # then each date is named, with the years' code
    assert result["id"] == "FAR"
    assert _fields(result) == [
        ("segments[0].scheduled_departure", "date_out_of_range"),
        ("segments[0].scheduled_arrival", "date_out_of_range"),
        ("event.actual_arrival", "date_out_of_range"),
    ]
    assert result["error"]["fields"][0]["message"] == YEARS


def test_far_event_and_rerouting_dates_are_named_too():
    # given a cancellation whose notice and new flight lie in year 9999
    data = request(
        CDG_BCN,
        {
            "type": "cancellation",
            "notified_at": "9999-01-01T10:00:00+02:00",
            "rerouting": {
                "departure": "9999-12-31T10:00:00+02:00",
                "arrival": "9999-12-31T12:00:00+02:00",
            },
        },
    )
    # when it is assessed
    result = answer(data)
    # then the three dates are refused
    assert _fields(result) == [
        ("event.notified_at", "date_out_of_range"),
        ("event.rerouting.departure", "date_out_of_range"),
        ("event.rerouting.arrival", "date_out_of_range"),
    ]


def test_the_first_and_last_years_are_still_assessed():
    for day in ("1900-06-01", "2999-12-20"):
        assert "entitlements" in answer(_far(day)), day


# --- numbers -----------------------------------------------------------------------


@pytest.mark.parametrize("weight", [1e308, 1e20, "501"])
def test_a_bag_heavier_than_any_bag_is_refused(weight):
    # given a lost bag on a domestic Chinese flight with an absurd weight
    data = request(PEK_PVG, {"type": "baggage_loss", "bag_weight_kg": weight})
    # when it is assessed
    result = answer(data)
    # then the weight is the fault
    assert _fields(result) == [("event.bag_weight_kg", "weight_too_large")]
    assert result["error"]["fields"][0]["message"] == "must be at most 500 kg"


def test_the_heaviest_bag_allowed_is_paid_by_the_kilogram():
    # given a 500 kg bag lost on a domestic Chinese flight
    data = request(PEK_PVG, {"type": "baggage_loss", "bag_weight_kg": 500})
    # when it is assessed
    result = answer(data)
    # then CAAC's CNY 100/kg limit applies to all of it
    assert money(result, "caac", "liability_limit") == [("50000.00", "CNY")]


def test_more_than_sixteen_flights_is_refused():
    legs = [
        flight(
            "AF",
            "CDG" if n % 2 == 0 else "BCN",
            "BCN" if n % 2 == 0 else "CDG",
            f"2026-05-{n + 1:02d}T10:00:00+02:00",
            f"2026-05-{n + 1:02d}T11:40:00+02:00",
        )
        for n in range(17)
    ]
    result = answer(request(legs, {"type": "baggage_loss"}))
    assert _fields(result) == [("segments", "too_many")]


# --- itineraries that cannot be flown ---------------------------------------------


def test_a_second_flight_before_the_first_and_elsewhere_is_refused():
    # given CDG-BCN on 4 May, then LIS-OPO on 3 May, a bag lost
    data = request(
        [
            CDG_BCN,
            flight(
                "TP",
                "LIS",
                "OPO",
                "2026-05-03T10:00:00+01:00",
                "2026-05-03T11:00:00+01:00",
            ),
        ],
        BAG_LOST,
    )
    # when it is assessed
    result = answer(data)
    # then the second flight's departure and origin are at fault
    assert _fields(result) == [
        ("segments[1].scheduled_departure", "departs_before_previous_arrival"),
        ("segments[1].origin", "not_connected"),
    ]


def test_overlapping_flights_are_refused():
    # given BCN-FRA leaving before CDG-BCN lands
    overlapping = flight(
        "LH", "BCN", "FRA", "2026-05-04T11:00:00+02:00", "2026-05-04T13:10:00+02:00"
    )
    result = answer(request([CDG_BCN, overlapping], BAG_LOST))
    assert _fields(result) == [
        ("segments[1].scheduled_departure", "departs_before_previous_arrival")
    ]


def test_a_flight_that_lands_where_it_left_is_refused():
    frankfurt = flight(
        "LH", "FRA", "FRA", "2026-05-04T10:00:00+02:00", "2026-05-04T11:40:00+02:00"
    )
    result = answer(request(frankfurt, BAG_LOST))
    assert _fields(result) == [("segments[0].destination", "same_airport")]


def test_a_change_of_airports_within_a_city_is_a_connection():
    # given LHR-CDG, then a bus to Orly and ORY-MAD on the same booking
    legs = [
        flight(
            "BA", "LHR", "CDG", "2026-05-04T08:00:00+01:00", "2026-05-04T10:15:00+02:00"
        ),
        flight(
            "IB", "ORY", "MAD", "2026-05-04T14:00:00+02:00", "2026-05-04T16:05:00+02:00"
        ),
    ]
    late = {"type": "delay", "actual_arrival": "2026-05-04T19:30:00+02:00"}
    # when it is assessed
    result = answer(request(legs, late))
    # then it is the journey London-Madrid, 3 h 25 min late
    assert money(result, "uk261") == [("220.00", "GBP")]


def test_a_missed_connection_with_a_new_flight_is_still_assessed():
    # given BCN-FRA late, the FRA-JFK connection missed, a new flight next day
    bcn_fra = flight(
        "LH", "BCN", "FRA", "2026-05-04T06:00:00+02:00", "2026-05-04T08:10:00+02:00"
    )
    cancelled = {
        "type": "cancellation",
        "segment_index": 1,
        "rerouting": {
            "departure": "2026-05-05T10:00:00+02:00",
            "arrival": "2026-05-05T12:45:00-04:00",
        },
    }
    # when it is assessed
    result = answer(request([bcn_fra, FRA_JFK], cancelled))
    # then EU261 pays the long-haul band
    assert money(result, "eu261") == [("600.00", "EUR")]


def test_a_notice_a_month_after_departure_is_refused():
    cancelled = {"type": "cancellation", "notified_at": "2026-06-04T10:00:00+02:00"}
    result = answer(request(CDG_BCN, cancelled))
    assert _fields(result) == [("event.notified_at", "notified_after_departure")]


def test_a_notice_hours_after_the_scheduled_departure_counts_as_no_notice():
    # given a flight delayed, then cancelled two hours after its scheduled time
    cancelled = {"type": "cancellation", "notified_at": "2026-05-04T12:00:00+02:00"}
    # when it is assessed
    result = answer(request(CDG_BCN, cancelled))
    # then it is answered as a cancellation without notice
    assert money(result, "eu261") == [("250.00", "EUR")]


def test_a_carrier_country_that_is_no_country_is_refused():
    data = request(
        FRA_JFK,
        {"type": "delay", "actual_arrival": "2026-05-04T16:55:00-04:00"},
        carriers={"LH": {"country": "ZZ"}},
    )
    result = answer(data)
    assert _fields(result) == [("carriers.LH.country", "unknown_country")]


def test_an_early_arrival_is_worded_as_early_without_a_delay():
    # given CDG-BCN arriving 50 minutes before its scheduled time
    early = {"type": "delay", "actual_arrival": "2026-05-04T10:50:00+02:00"}
    # when it is assessed
    result = answer(request(CDG_BCN, early))
    # then EU261 says it was early
    [reason] = [
        n["reason"]
        for n in result["not_applicable"]
        if n["regime"] == "eu261" and n["kind"] == "compensation"
    ]
    assert reason == {
        "en": "No compensation: the final destination was reached 50 min early, "
        "with no delay.",
        "zh": "不予赔偿：提前50分钟抵达最终目的地，没有延误。",
    }


def test_an_early_arrival_in_canada_is_worded_as_early():
    early = {"type": "delay", "actual_arrival": "2026-05-04T09:35:00-07:00"}
    result = answer(request(YYZ_YVR, early))
    [reason] = [
        n["reason"]["en"]
        for n in result["not_applicable"]
        if n["regime"] == "appr" and n["kind"] == "compensation"
    ]
    assert reason == "No compensation: the arrival was 30 min early, with no delay."


# --- US DOT caps in dollars --------------------------------------------------------

BUMPED = {"type": "denied_boarding"}


def _bumped(amount: str, currency: str) -> dict:
    return request(
        JFK_LAX,
        BUMPED,
        passenger={"one_way_fare": {"amount": amount, "currency": currency}},
    )


def test_a_fare_in_euros_without_a_rate_withholds_the_amount():
    # given a passenger bumped without an alternative, a EUR 1,000 fare, no rates
    # when it is assessed by the engine alone
    result = answer(_bumped("1000.00", "EUR"))
    # then no amount is given, and the reason says why
    assert money(result, "us_dot") == []
    assert refused(result, "us_dot") == {"compensation": "no_rate"}
    [reason] = [n["reason"]["en"] for n in result["not_applicable"] if n["kind"]]
    assert reason == (
        "Compensation of 400% of the one-way fare (EUR 1,000), capped at USD 2,150, "
        "is owed, but its amount is withheld: no exchange rate from the fare's "
        "currency to US dollars is known for 2026-05-04. Add the rate, then assess "
        "again."
    )


def test_a_fare_in_dollars_is_capped_as_before():
    assert money(answer(_bumped("1000.00", "USD")), "us_dot") == [("2150.00", "USD")]


@pytest.fixture
def euro_rates(db):
    ExchangeRate.objects.all().delete()
    ExchangeRate.objects.create(
        base="EUR", quote="CNY", rate=Decimal("7.80"), effective_from=date(2025, 1, 1)
    )
    ExchangeRate.objects.create(
        base="USD", quote="CNY", rate=Decimal("7.20"), effective_from=date(2025, 1, 1)
    )


def _run_command(text: str, tmp_path) -> list[dict]:
    path = tmp_path / "input.jsonl"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("assess_entitlements", str(path), stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_the_command_converts_a_euro_fare_and_caps_it_in_dollars(euro_rates, tmp_path):
    # given EUR 1,000 = USD 1,083.33 through the yuan rates, 400 % = USD 4,333
    lines = _run_command(json.dumps(_bumped("1000.00", "EUR")), tmp_path)
    # then the cap of USD 2,150 is paid, and the conversion is explained
    [line] = lines
    assert money(line, "us_dot") == [("2150.00", "USD")]
    [owed] = [e for e in line["entitlements"] if e["regime"] == "us_dot"]
    assert owed["explanation"]["en"].endswith(
        "The fare is USD 1,083.33 at the exchange rate in force on 2026-05-04."
    )


def test_the_command_pays_a_small_euro_fare_below_the_cap(euro_rates, tmp_path):
    # EUR 200 = USD 216.67; 400 % = USD 866.68
    [line] = _run_command(json.dumps(_bumped("200.00", "EUR")), tmp_path)
    assert money(line, "us_dot") == [("866.68", "USD")]


# --- scope before date; the carrier registry -------------------------------------


def test_a_canadian_domestic_flight_before_the_caps_is_out_of_us_scope():
    yyz_yvr_2020 = flight(
        "AC", "YYZ", "YVR", "2020-05-04T08:00:00-04:00", "2020-05-04T10:05:00-07:00"
    )
    result = answer(request(yyz_yvr_2020, BUMPED))
    assert refused(result, "us_dot") == {None: "out_of_scope"}
    assert refused(result, "uk261") == {None: "out_of_scope"}


def test_icelandair_is_an_eea_carrier():
    kef_jfk = flight(
        "FI", "KEF", "JFK", "2026-05-04T10:00:00+00:00", "2026-05-04T12:00:00-04:00"
    )
    late = {"type": "delay", "actual_arrival": "2026-05-04T17:00:00-04:00"}
    assert money(answer(request(kef_jfk, late)), "eu261") == [("600.00", "EUR")]


# --- the command line -------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_answers_the_line_after_a_far_date(tmp_path):
    good = request(CDG_BCN, ON_TIME_DELAY, id="GOOD")
    text = "\n".join([json.dumps(_far("9998-12-20")), json.dumps(good), ""])

    lines = _run_command(text, tmp_path)

    assert [line["id"] for line in lines] == ["FAR", "GOOD"]
    assert lines[0]["error"]["fields"][0]["code"] == "date_out_of_range"
    assert lines[1]["entitlements"]


@pytest.mark.django_db
def test_the_command_survives_any_failure_of_one_line(tmp_path, monkeypatch):
    # given an engine that fails on one request
    real = assess_entitlements.assess_request

    def failing(data, *args):
        if data.get("id") == "BOOM":
            raise RuntimeError("a bug")
        return real(data, *args)

    monkeypatch.setattr(assess_entitlements, "assess_request", failing)
    good = request(CDG_BCN, ON_TIME_DELAY, id="GOOD")
    text = "\n".join(
        [
            json.dumps(dict(good, id="BOOM")),
            "[" * 100000,
            json.dumps(good),
            "",
        ]
    )
    # when the file is assessed
    lines = _run_command(text, tmp_path)
    # then the failing line, the unreadable one and the good one all get a line
    assert [(line["id"], line.get("error", {}).get("code")) for line in lines] == [
        ("BOOM", "unassessable"),
        (None, "invalid_json"),
        ("GOOD", None),
    ]


# --- the API ----------------------------------------------------------------------


@pytest.fixture
def api(db):
    _token, secret = ApiToken.issue(make_agent("bad.requests.agent"), name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.mark.parametrize("day", ["9998-12-20", "9999-12-31", "0001-01-01"])
def test_the_api_refuses_far_dates_with_422_naming_the_field(api, day):
    response = post_assessments(
        api, {"items": [request(CDG_BCN, ON_TIME_DELAY), _far(day)]}
    )

    assert response.status_code == 422
    fields = [(f["field"], f["code"]) for f in response.json()["error"]["fields"]]
    assert fields == [
        ("items.1.segments.0.scheduled_departure", "date_out_of_range"),
        ("items.1.segments.0.scheduled_arrival", "date_out_of_range"),
        ("items.1.event.actual_arrival", "date_out_of_range"),
    ]


def test_the_api_refuses_an_absurd_bag_weight(api):
    data = request(PEK_PVG, {"type": "baggage_loss", "bag_weight_kg": 1e308})

    response = post_assessments(api, {"items": [data]})

    assert response.status_code == 422
    assert [(f["field"], f["code"]) for f in response.json()["error"]["fields"]] == [
        ("items.0.event.bag_weight_kg", "less_than_equal")
    ]


def test_the_api_names_impossible_itineraries(api):
    data = request(
        flight(
            "LH", "FRA", "FRA", "2026-05-04T10:00:00+02:00", "2026-05-04T11:40:00+02:00"
        ),
        BAG_LOST,
    )

    response = post_assessments(api, {"items": [data]})

    assert response.status_code == 422
    assert [(f["field"], f["code"]) for f in response.json()["error"]["fields"]] == [
        ("items.0.segments.0.destination", "same_airport")
    ]


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "items",
        {"items": None},
        {"items": [None]},
        {"items": [{"segments": [None], "event": {"type": "delay"}}]},
        {"items": [request(CDG_BCN, {"type": "delay", "actual_arrival": 1e308})]},
        {"items": [request(CDG_BCN, ON_TIME_DELAY, id={"nested": [1]})]},
        {"items": [request(dict(CDG_BCN, origin="ÅÅÅ"), ON_TIME_DELAY)]},
        {"items": [request(CDG_BCN, dict(ON_TIME_DELAY, segment_index=10**30))]},
        {
            "items": [
                request(CDG_BCN, ON_TIME_DELAY, carriers={"AF": {"country": "Z1"}})
            ]
        },
    ],
)
def test_the_api_never_answers_500(api, body):
    assert post_assessments(api, body).status_code == 422


# --- the console ------------------------------------------------------------------


def test_the_console_refuses_far_dates_beside_the_field(client, delay_case, people):
    # given an agent typing 9999-12-31 as the flight's dates
    client.force_login(people["agent"])
    post = dict(
        FACTS_POST,
        **{
            "segments-0-scheduled_departure": "9999-12-31T10:00",
            "segments-0-scheduled_arrival": "9999-12-31T12:45",
            "facts-actual_arrival": "9999-12-31T16:55",
        },
    )
    # when the facts are saved
    response = client.post(f"/console/cases/{delay_case.number}/remedies/facts/", post)
    # then the form comes back with the years' message and nothing is saved
    assert response.status_code == 400
    assert "Give a date between the years 1900 and 2999." in response.content.decode()
    assert not CaseFacts.objects.filter(case=delay_case).exists()


# --- the console's and disruptions' path converts as the API does -----------------


def test_the_service_converts_a_euro_fare_with_the_rate_table(euro_rates):
    # given the administrators' rates (EUR 1,000 = USD 1,083.33)
    # when a case's facts are assessed for the console
    result = assess(_bumped("1000.00", "EUR"))

    # then the cap in dollars is paid, as through the API
    assert money(result, "us_dot") == [("2150.00", "USD")]


def test_a_new_rate_changes_the_service_answer_at_once(db):
    # given an answer without a rate (withheld), then a rate added
    ExchangeRate.objects.all().delete()
    assert refused(assess(_bumped("200.00", "EUR")), "us_dot") == {
        "compensation": "no_rate"
    }
    ExchangeRate.objects.create(
        base="EUR", quote="USD", rate=Decimal("1.10"), effective_from=date(2025, 1, 1)
    )

    # then the same request is not answered from a cache: 400 % of USD 220
    assert money(assess(_bumped("200.00", "EUR")), "us_dot") == [("880.00", "USD")]
