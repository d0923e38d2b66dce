"""Bad input answers one JSON shape with field-level details, a 4xx, never a 500."""

import json

import pytest
from django.test import Client

from paxcare.cases.models import Case

pytestmark = pytest.mark.django_db


def fields_of(response) -> list[tuple[str, str]]:
    return [(f["field"], f["code"]) for f in response.json()["error"]["fields"]]


def test_no_token_is_401_in_the_error_shape():
    response = Client().get("/api/v1/cases")

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "unauthorized",
            "message": "A valid API token is required.",
            "fields": [],
        }
    }


def test_a_revoked_token_is_401(baggage_agent):
    baggage_agent.user.api_tokens.update(revoked_at="2025-01-01T00:00:00Z")

    assert baggage_agent.get("/cases").status_code == 401


def test_malformed_json_is_400(baggage_agent):
    response = baggage_agent.post("/cases", '{"description": "half', raw=True)

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "malformed_json",
        "message": (
            "The request body is not valid JSON: Unterminated string starting at "
            "line 1, column 17."
        ),
        "fields": [],
    }


def test_a_json_array_instead_of_an_object_is_422(baggage_agent):
    response = baggage_agent.post("/cases", ["not", "an", "object"])

    assert response.status_code == 422


def test_an_unknown_field_is_named(baggage_agent):
    response = baggage_agent.post("/cases", {"description": "Bag.", "colour": "red"})

    assert response.status_code == 422
    assert fields_of(response) == [("colour", "extra_forbidden")]


def test_a_missing_field_is_named(baggage_agent):
    response = baggage_agent.post("/cases", {"subject": "Bag"})

    assert response.status_code == 422
    assert fields_of(response) == [("description", "missing")]


def test_a_10_mb_description_is_refused_by_field(baggage_agent):
    response = baggage_agent.post("/cases", {"description": "x" * (10 * 1024 * 1024)})

    assert response.status_code == 422
    assert fields_of(response) == [("description", "string_too_long")]
    assert Case.objects.count() == 0


def test_a_body_over_the_upload_limit_is_a_json_413(baggage_agent, settings):
    body = json.dumps({"description": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})

    response = baggage_agent.post("/cases", body, raw=True)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_invalid_email_and_phone_are_both_reported(baggage_agent):
    response = baggage_agent.post(
        "/cases", {"description": "Bag.", "email": "li.wei@", "phone": "12345"}
    )

    assert response.status_code == 422
    assert fields_of(response) == [("email", "invalid"), ("phone", "invalid")]
    assert Case.objects.count() == 0


def test_an_unknown_category_is_a_field_error(baggage_agent):
    response = baggage_agent.post(
        "/cases", {"description": "Bag.", "category": "baggage.vanished"}
    )

    assert response.status_code == 422
    assert fields_of(response) == [("category", "invalid_choice")]


def test_an_unknown_kind_is_a_field_error(baggage_agent):
    response = baggage_agent.post("/cases", {"description": "Bag.", "kind": "rant"})

    assert response.status_code == 422
    assert fields_of(response) == [("kind", "literal_error")]


def test_html_in_text_is_kept_as_text(baggage_agent):
    script = "<script>alert('x')</script> my bag"

    response = baggage_agent.post(
        "/cases", {"description": script, "category": "baggage.delayed"}
    )

    assert response.status_code == 201
    number = response.json()["number"]
    assert baggage_agent.get(f"/cases/{number}").json()["description"] == script


def test_a_wrong_type_in_the_query_is_a_field_error(baggage_agent):
    response = baggage_agent.get("/cases", limit="many")

    assert response.status_code == 422
    assert fields_of(response) == [("limit", "int_parsing")]
