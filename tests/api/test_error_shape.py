"""Every API answer that is an error has the one JSON shape, even those Django makes."""

import pytest
from django.core.cache import cache

from paxcare.cases.api import LOOKUP_THROTTLE
from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_lookups_counted():
    cache.clear()


def test_an_unknown_path_is_a_json_404(baggage_agent):
    response = baggage_agent.get("/nonexistent")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "fields": []}
    }


def test_an_unknown_path_without_a_token_is_a_json_404(client):
    response = client.get("/api/v1/nonexistent/deeper")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("method", ["put", "delete"])
def test_a_method_a_path_does_not_take_is_a_json_405(baggage_agent, method):
    response = getattr(baggage_agent.client, method)("/api/v1/cases/PX-2222-2222")

    assert response.status_code == 405
    assert response.json() == {
        "error": {
            "code": "method_not_allowed",
            "message": (f"This path does not take the {method.upper()} method."),
            "fields": [],
        }
    }
    assert set(response["Allow"].split(", ")) == {"GET", "PATCH"}


def test_too_many_lookups_are_a_429_with_retry_after(baggage_agent, monkeypatch):
    throttle = LOOKUP_THROTTLE[0]
    monkeypatch.setattr(throttle, "limit", 2)
    number = make_case().number

    codes = [baggage_agent.get(f"/cases/{number}").status_code for _ in range(3)]
    refused = baggage_agent.get(f"/cases/{number}")

    assert codes == [200, 200, 429]
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert refused.json()["error"]["message"].startswith(
        "Too many requests: try again in "
    )
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_the_lookup_limit_is_per_account(baggage_agent, api_as, monkeypatch):
    monkeypatch.setattr(LOOKUP_THROTTLE[0], "limit", 1)
    other = api_as("other.agent")
    baggage_agent.get("/cases/PX-2222-2222")

    assert baggage_agent.get("/cases/PX-2222-2222").status_code == 429
    assert other.get("/cases/PX-2222-2222").status_code == 404
