"""The engine's shortcuts give what the careful path gives, field for field.

Segments and amounts in their plain form are read in one pass; anything else is
read field by field. A mapping that is not a ``dict`` always takes the careful
path, so reading the same data through ``MappingProxyType`` shows what the
careful path makes of it.
"""

import json
import lzma
from datetime import date
from types import MappingProxyType

import pytest

from paxcare.remedies.engine.parse import _Reader, _segment
from paxcare.remedies.engine.reference import territories
from paxcare.remedies.engine.service import assess_request
from tests.remedies.engine_corpus import CORPUS

FRA_JFK = {
    "marketing_carrier": "LH",
    "origin": "FRA",
    "destination": "JFK",
    "scheduled_departure": "2026-05-04T10:00:00+02:00",
    "scheduled_arrival": "2026-05-04T12:45:00-04:00",
}
SEGMENT_VARIANTS = [
    FRA_JFK,
    {**FRA_JFK, "origin": " fra ", "marketing_carrier": "lh "},
    {**FRA_JFK, "operating_carrier": "ua", "flight_number": " lh400 "},
    {**FRA_JFK, "operating_carrier": ""},
    {**FRA_JFK, "operating_carrier": "  "},
    {**FRA_JFK, "operating_carrier": 7},
    {**FRA_JFK, "flight_number": ""},
    {**FRA_JFK, "flight_number": 400},
    {**FRA_JFK, "marketing_carrier": " "},
    {**FRA_JFK, "destination": "XXX"},
    {**FRA_JFK, "destination": ""},
    {**FRA_JFK, "scheduled_arrival": "2026-05-04T12:45:00"},
    {**FRA_JFK, "scheduled_arrival": "4 May"},
    {**FRA_JFK, "scheduled_arrival": "2026-05-04T03:00:00-04:00"},
    {**FRA_JFK, "scheduled_arrival": "2026-05-04T04:00:00-04:00"},
    {**FRA_JFK, "cabin": "business"},
    {k: v for k, v in FRA_JFK.items() if k != "origin"},
]
MONEY_VARIANTS = [
    {"amount": "300", "currency": "USD"},
    {"amount": " 300.50 ", "currency": "usd"},
    {"amount": "-0", "currency": "EUR"},
    {"amount": "-1", "currency": "EUR"},
    {"amount": "NaN", "currency": "EUR"},
    {"amount": "Infinity", "currency": "EUR"},
    {"amount": "lots", "currency": "EUR"},
    {"amount": 300, "currency": "EUR"},
    {"amount": True, "currency": "EUR"},
    {"amount": "300", "currency": "EURO"},
    {"amount": "300", "currency": "E1R"},
    {"amount": "300"},
    {"currency": "EUR"},
]


def _corpus_segments() -> list[dict]:
    with lzma.open(CORPUS, "rt", encoding="utf-8") as handle:
        requests = [json.loads(line)["request"] for line in handle]
    return [
        segment
        for request in requests
        if isinstance(request.get("segments"), list)
        for segment in request["segments"]
        if isinstance(segment, dict)
    ]


def _read_segment(raw):
    reader = _Reader()
    return _segment(reader, raw, "segments[0]."), reader.errors


def test_every_segment_of_the_corpus_reads_as_field_by_field():
    # given every segment of the corpus and some awkward ones
    segments = _corpus_segments() + SEGMENT_VARIANTS
    # when each is read in one pass and field by field
    differing = [
        raw
        for raw in segments
        if _read_segment(raw) != _read_segment(MappingProxyType(raw))
    ]
    # then both readings agree on the value and on every error
    assert len(segments) > 5000
    assert differing == []


@pytest.mark.parametrize("raw", SEGMENT_VARIANTS[:3])
def test_plain_segments_are_read_with_codes_trimmed_and_in_capitals(raw):
    segment, errors = _read_segment(raw)

    assert errors == []
    assert (segment.origin.code, segment.destination.code) == ("FRA", "JFK")
    assert segment.marketing_carrier == "LH"


@pytest.mark.parametrize("value", MONEY_VARIANTS)
def test_money_reads_as_field_by_field(value):
    # given an amount as a plain dict and as another mapping
    plain, careful = _Reader(), _Reader()
    # when both are read
    read = plain.money({"fare": value}, "fare", "passenger.")
    expected = careful.money({"fare": MappingProxyType(value)}, "fare", "passenger.")
    # then they agree, errors included
    assert (read, plain.errors) == (expected, careful.errors)


def test_a_plain_amount_keeps_its_digits_and_a_capital_code():
    read = _Reader().money({"fare": MONEY_VARIANTS[1]}, "fare", "passenger.")

    assert (str(read.amount), read.currency) == ("300.50", "USD")


@pytest.mark.parametrize(
    "on", [date(2003, 6, 1), date(2013, 7, 1), date(2020, 12, 31), date(2026, 5, 4)]
)
def test_territories_of_an_itinerary_are_those_of_each_country(on):
    table = territories()
    countries = ("GB", "HR", "FR", "RE", "CH", "US", "CN", "ZZ")

    found = table.zones_of_each(countries, on)

    assert found == tuple(table.zones(country, on) for country in countries)


def test_territories_follow_the_uk_out_of_the_eu():
    table = territories()

    before, after = (
        table.zones_of_each(("GB", "HR"), date(2020, 12, 31)),
        table.zones_of_each(("GB", "HR"), date(2021, 1, 1)),
    )

    assert ("EU" in before[0], "EU" in after[0]) == (True, False)
    assert ("EU" in before[1], "EU" in after[1]) == (True, True)


def _request(**event) -> dict:
    return {
        "id": "R1",
        "segments": [FRA_JFK],
        "event": {
            "type": "delay",
            "actual_arrival": "2026-05-04T16:55:00-04:00",
            **event,
        },
    }


def test_a_flag_for_an_index_is_not_answered_from_the_cache_of_the_index():
    # given a request answered and kept in the answer cache
    first = assess_request(_request(segment_index=0))
    # when the same request comes with false instead of 0
    second = assess_request(_request(segment_index=False))
    # then it is refused as it would be without the cache
    assert "entitlements" in first
    assert second["error"]["fields"] == [
        {
            "field": "event.segment_index",
            "code": "invalid_type",
            "message": "must be an integer",
        }
    ]


def test_shared_answers_keep_their_own_ids_and_amounts():
    # given two passengers of one flight six hours late, the second with a fare
    late = "2026-05-04T18:55:00-04:00"
    first = assess_request(_request(actual_arrival=late))
    fare = {"one_way_fare": {"amount": "812.40", "currency": "EUR"}}
    second = assess_request(
        {**_request(actual_arrival=late), "id": "R2", "passenger": fare}
    )
    # when their refunds are read
    refunds = [
        [
            (e["code"], e["amount"])
            for e in answer["entitlements"]
            if e["kind"] == "refund"
        ]
        for answer in (first, second)
    ]
    # then each answer has its own id and its own refunds
    assert (first["id"], second["id"]) == ("R1", "R2")
    assert refunds == [
        [("eu261.refund", None), ("us_dot.refund", None)],
        [("eu261.refund", "812.40"), ("us_dot.refund", "812.40")],
    ]
