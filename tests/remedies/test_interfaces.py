"""The command line and the API answer the engine's questions."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from paxcare.accounts.models import ApiToken
from tests.factories import make_agent
from tests.remedies.builders import (
    CDG_BCN,
    FRA_JFK,
    JFK_LAX,
    post_assessments,
    request,
)

GOOD = request(
    FRA_JFK, {"type": "delay", "actual_arrival": "2026-05-04T16:55:00-04:00"}, id="E01"
)
BAD_AIRPORT = request(
    dict(CDG_BCN, origin="XQZ"),
    {"type": "delay", "actual_arrival": "2026-05-04T14:45:00+02:00"},
    id="E02",
)


def _run_command(text: str, tmp_path) -> list[dict]:
    path = tmp_path / "input.jsonl"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("assess_entitlements", str(path), stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.django_db
def test_command_answers_every_line_and_flags_the_bad_ones(tmp_path):
    text = "\n".join([json.dumps(GOOD), "{not json", json.dumps(BAD_AIRPORT), ""])

    lines = _run_command(text, tmp_path)

    assert [line["id"] for line in lines] == ["E01", None, "E02"]
    assert [
        (e["amount"], e["currency"])
        for e in lines[0]["entitlements"]
        if e["kind"] == "compensation"
    ] == [("600.00", "EUR")]
    assert lines[1]["error"]["code"] == "invalid_json"
    assert lines[2]["error"]["fields"][0]["code"] == "unknown_airport"


@pytest.mark.django_db
def test_command_reads_standard_input_without_a_file():
    out = io.StringIO()

    call_command("assess_entitlements", stdin=io.StringIO(json.dumps(GOOD)), stdout=out)

    assert json.loads(out.getvalue())["id"] == "E01"


@pytest.fixture
def client(db):
    _token, secret = ApiToken.issue(make_agent("entitlements.agent"), name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.mark.django_db
def test_api_assesses_a_batch(client):
    response = post_assessments(client, {"items": [GOOD]})

    assert response.status_code == 200
    [result] = response.json()["results"]
    assert [
        (e["amount"], e["currency"])
        for e in result["entitlements"]
        if e["kind"] == "compensation"
    ] == [("600.00", "EUR")]


@pytest.mark.django_db
def test_api_answers_422_naming_the_bad_field(client):
    response = post_assessments(client, {"items": [GOOD, BAD_AIRPORT]})

    assert response.status_code == 422
    assert [(f["field"], f["code"]) for f in response.json()["error"]["fields"]] == [
        ("items.1.segments.0.origin", "unknown_airport")
    ]


@pytest.mark.django_db
def test_api_rejects_a_malformed_body_with_422(client):
    response = post_assessments(
        client, {"items": [{"segments": [], "event": {"type": "delay"}}]}
    )

    assert response.status_code == 422


def _with_fare(amount: str, currency: str = "USD", id: str = "F1") -> dict:
    return {
        **GOOD,
        "id": id,
        "passenger": {"one_way_fare": {"amount": amount, "currency": currency}},
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "currency", "code"),
    [
        ("1e999999", "USD", "less_than_equal"),
        ("NaN", "USD", "finite_number"),
        ("300", "ZZZ", "unknown_currency"),
    ],
)
def test_api_refuses_a_fare_no_rule_can_use(client, amount, currency, code):
    response = post_assessments(client, {"items": [_with_fare(amount, currency)]})

    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert [f["code"] for f in fields] == [code]
    assert fields[0]["field"].startswith("items.0.passenger.one_way_fare.")


@pytest.mark.django_db
def test_command_answers_the_lines_after_a_number_out_of_range(tmp_path):
    bumped = request(
        JFK_LAX,
        {
            "type": "denied_boarding",
            "rerouting": {
                "departure": "2026-05-04T10:00:00-04:00",
                "arrival": "2026-05-04T14:30:00-07:00",
            },
        },
        id="HUGE",
        passenger={"one_way_fare": {"amount": "1e999999", "currency": "USD"}},
    )
    text = "\n".join([json.dumps(bumped), json.dumps(GOOD), ""])

    lines = _run_command(text, tmp_path)

    assert [line["id"] for line in lines] == ["HUGE", "E01"]
    assert "error" in lines[0]
    assert lines[1]["entitlements"]
