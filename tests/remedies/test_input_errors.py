"""Bad input gets a field-level error line, never an exception."""

import pytest

from tests.remedies.builders import CDG_BCN, answer, request


def _fields(result):
    return [(f["field"], f["code"]) for f in result["error"]["fields"]]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["segments"][0].update(origin="XQZ"),
            [("segments[0].origin", "unknown_airport")],
        ),
        (
            lambda d: d["segments"][0].update(
                scheduled_arrival="2026-05-04T09:00:00+02:00"
            ),
            [("segments[0].scheduled_arrival", "arrival_before_departure")],
        ),
        (
            lambda d: d["event"].update(type="volcano"),
            [("event.type", "unknown_event_type")],
        ),
        (
            lambda d: d["event"].pop("actual_arrival"),
            [("event.actual_arrival", "required")],
        ),
        (
            lambda d: d["event"].update(actual_arrival="2026-05-04T09:00:00+02:00"),
            [("event.actual_arrival", "arrival_before_departure")],
        ),
        (
            lambda d: d["event"].update(cause="gremlins"),
            [("event.cause", "unknown_cause")],
        ),
        (
            lambda d: d["segments"][0].update(
                scheduled_departure="2026-05-04T10:00:00"
            ),
            [("segments[0].scheduled_departure", "naive_datetime")],
        ),
        (lambda d: d.pop("segments"), [("segments", "required")]),
        (
            lambda d: d["segments"][0].update(
                marketing_carrier="ZZ", operating_carrier="ZZ"
            ),
            [("carriers.ZZ", "unknown_carrier")],
        ),
        (
            lambda d: d.update(
                passenger={"one_way_fare": {"amount": "1e999999", "currency": "USD"}}
            ),
            [("passenger.one_way_fare.amount", "amount_too_large")],
        ),
        (
            lambda d: d.update(
                passenger={"one_way_fare": {"amount": "NaN", "currency": "USD"}}
            ),
            [("passenger.one_way_fare.amount", "invalid_amount")],
        ),
    ],
)
def test_each_bad_field_is_named_with_its_code(change, expected):
    data = request(
        dict(CDG_BCN),
        {"type": "delay", "actual_arrival": "2026-05-04T14:45:00+02:00"},
        id="B1",
    )
    change(data)

    result = answer(data)

    assert result["id"] == "B1"
    assert result["error"]["code"] == "invalid_input"
    assert _fields(result) == expected


def test_a_request_that_is_not_an_object_is_an_error():
    assert _fields(answer(["not", "an", "object"])) == [("$", "invalid_type")]
