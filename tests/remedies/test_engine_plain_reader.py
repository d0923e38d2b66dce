"""The one-pass reader of plain requests and the engine's text caches change no value.

A request that ``plain.plain_assessment`` reads must give what the field-by-field
reader gives; a mapping that is not a ``dict`` always takes the field-by-field path,
so reading the same data through ``MappingProxyType`` shows what it makes of it.
"""

import json
import lzma
from decimal import Decimal
from types import MappingProxyType

import pytest

from paxcare.remedies.engine.parse import _event, _passenger, _Reader, _segments
from paxcare.remedies.engine.plain import aware_moment, plain_assessment
from paxcare.remedies.engine.serialize import deadline_to_dict
from paxcare.remedies.engine.text import kilometres, render
from paxcare.remedies.engine.types import Assessment, Deadline, Text
from tests.remedies.engine_corpus import CORPUS


@pytest.fixture(scope="module")
def requests() -> list[dict]:
    with lzma.open(CORPUS, "rt", encoding="utf-8") as handle:
        return [json.loads(line)["request"] for line in handle]


def _careful(data: dict) -> tuple[Assessment, list]:
    """Read ``data`` field by field: every part wrapped in a mapping proxy."""
    reader = _Reader()
    segments = _segments(reader, [MappingProxyType(s) for s in data["segments"]])
    event = _event(reader, MappingProxyType(data["event"]), segments)
    passenger = data.get("passenger")
    passenger = _passenger(
        reader, None if passenger is None else MappingProxyType(passenger)
    )
    plain = plain_assessment(data, None)
    assessment = Assessment(
        data.get("id"), tuple(segments), plain.carriers, event, passenger
    )
    return assessment, reader.errors


def test_every_plain_request_of_the_corpus_reads_as_field_by_field(requests):
    # given the corpus's requests that the one-pass reader accepts
    plain = [data for data in requests if plain_assessment(data, None) is not None]
    # when each is also read field by field
    differing = [
        data.get("id")
        for data in plain
        if _careful(data) != (plain_assessment(data, None), [])
    ]
    # then both readings agree (requests with their own carriers are not plain)
    assert len(plain) > 2000
    assert differing == []


@pytest.mark.parametrize(
    "change",
    [
        {"segment_index": True},
        {"voluntary": None},
        {"voluntary": "yes"},
        {"to_cabin": "steerage"},
        {"actual_arrival": "2026-05-04T16:55:00"},
        {"actual_arrival": "2026-05-04T03:00:00-04:00"},
        {"rerouting": {"departure": "2026-05-04T12:00:00+02:00"}},
        {"bag_weight_kg": 0},
        {"bag_weight_kg": 12.5},
        {"segment_fare": {"amount": 400, "currency": "EUR"}},
    ],
)
def test_anything_less_than_plain_is_left_to_the_careful_reader(change):
    # given a plain delay with one field made faulty or unusual
    data = {
        "id": "P1",
        "segments": [
            {
                "marketing_carrier": "LH",
                "origin": "FRA",
                "destination": "JFK",
                "scheduled_departure": "2026-05-04T10:00:00+02:00",
                "scheduled_arrival": "2026-05-04T12:45:00-04:00",
            }
        ],
        "event": {"type": "delay", "actual_arrival": "2026-05-04T16:55:00-04:00"},
    }
    data["event"].update(change)
    # when the one-pass reader reads it
    found = plain_assessment(data, None)
    # then it gives up
    assert found is None


def test_times_with_one_offset_share_one_timezone_and_keep_their_text():
    # given two times written with the same offset
    first = aware_moment("2026-05-04T10:00:00+02:00")
    second = aware_moment("2026-05-05T08:30:00+02:00")
    # when their zones and texts are read back
    same_zone = first.tzinfo is second.tzinfo
    # then they share one zone object and print as written
    assert same_zone is True
    assert (first.isoformat(), second.isoformat()) == (
        "2026-05-04T10:00:00+02:00",
        "2026-05-05T08:30:00+02:00",
    )
    assert aware_moment("2026-05-04T10:00:00") is None
    assert aware_moment("4 May") is None


def test_a_template_prints_each_value_as_given_whatever_was_rendered_before():
    # given one template filled with values that are equal but print differently
    template = ("{days} days, {amount}", "{days}天，{amount}")
    values = [
        {"days": 1, "amount": Decimal("600")},
        {"days": True, "amount": Decimal("6E+2")},
        {"days": 1, "amount": 0.0},
        {"days": 1, "amount": -0.0},
        {"days": 1, "amount": Text("EUR 600", "600欧元")},
        {"days": 1, "amount": "EUR 600"},
    ]
    # when each is rendered twice
    rendered = [render(template, v).en for v in values for _ in range(2)]
    # then each prints its own value
    assert rendered == [
        "1 days, 600",
        "1 days, 600",
        "True days, 6E+2",
        "True days, 6E+2",
        "1 days, 0.0",
        "1 days, 0.0",
        "1 days, -0.0",
        "1 days, -0.0",
        "1 days, EUR 600",
        "1 days, EUR 600",
        "1 days, EUR 600",
        "1 days, EUR 600",
    ]
    assert render(template, values[4]).zh == "1天，600欧元"


def test_distances_and_days_print_the_same_from_the_cache():
    # given distances and deadline days printed once already
    first = [kilometres(km) for km in (0.0, -0.0, 6203.6, float("nan"))]
    deadline = Deadline(
        "passenger", "claim", 1, "years", "flight_date", None, None, None
    )
    deadline.starts_on, deadline.due_on = (
        aware_moment("2026-05-04T10:00:00+02:00").date(),
        aware_moment("2027-05-04T10:00:00+02:00").date(),
    )
    deadline_to_dict(deadline)
    # when they are printed again
    again = [kilometres(km) for km in (0.0, -0.0, 6203.6, float("nan"))]
    shown = deadline_to_dict(deadline)
    # then they print alike, -0 and NaN included
    assert first == again == ["0", "-0", "6,204", "nan"]
    assert (shown["starts_on"], shown["due_on"]) == ("2026-05-04", "2027-05-04")
