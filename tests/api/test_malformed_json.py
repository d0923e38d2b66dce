"""A body the API cannot read says what is wrong with it, in the one error shape."""

import pytest

from paxcare.cases.models import Case
from paxcare.errors import MAX_JSON_DEPTH

pytestmark = pytest.mark.django_db


def post_raw(api_client, body: bytes):
    return api_client.client.post(
        "/api/v1/cases", body, content_type="application/json"
    )


def test_a_truncated_body_names_the_line_and_column(baggage_agent):
    # given a body cut off inside a string on its second line
    body = b'{\n  "description": "My bag'

    # when it is posted
    response = post_raw(baggage_agent, body)

    # then the answer names the fault and where it is
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "malformed_json",
            "message": (
                "The request body is not valid JSON: Unterminated string starting "
                "at line 2, column 18."
            ),
            "fields": [],
        }
    }
    assert Case.objects.count() == 0


def test_a_missing_comma_names_its_place(baggage_agent):
    response = post_raw(baggage_agent, b'{"description": "Bag." "kind": "claim"}')

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "malformed_json",
        "message": (
            "The request body is not valid JSON: Expecting ',' delimiter at line 1, "
            "column 24."
        ),
        "fields": [],
    }


def test_bytes_that_are_not_utf8_are_named_with_their_offset(baggage_agent):
    body = '{"description": "café"}'.encode("latin-1")

    response = post_raw(baggage_agent, body)

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_encoding",
        "message": (
            "The request body is not valid UTF-8: the byte at offset 20 cannot be read."
        ),
        "fields": [],
    }


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
def test_arrays_nested_too_deep_are_refused_as_such(baggage_agent, depth):
    body = b"[" * depth + b"]" * depth

    response = post_raw(baggage_agent, body)

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "too_deep",
        "message": "The request body nests arrays and objects deeper than 32 levels.",
        "fields": [],
    }


def test_nesting_up_to_the_limit_is_read_and_judged_by_the_schema(baggage_agent):
    # given a body exactly as deep as the limit: readable, but not a case
    body = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH

    response = post_raw(baggage_agent, body)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"


def test_a_good_body_with_many_objects_is_still_read(baggage_agent):
    # given a body with more brackets than the limit, none of them deep
    notes = [{"n": n} for n in range(MAX_JSON_DEPTH + 5)]
    body = {"description": "My bag is late.", "subject": "Bag"} | {"_": notes}

    response = baggage_agent.post("/cases", body)

    # then it is read, and the schema names the unknown field
    assert response.status_code == 422
    assert [f["field"] for f in response.json()["error"]["fields"]] == ["_"]
