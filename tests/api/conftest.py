import json

import pytest
from django.test import Client

from paxcare.accounts.models import ApiToken
from paxcare.routing.models import Role
from tests.factories import make_agent


class ApiClient:
    """A test client that speaks JSON with a bearer token."""

    def __init__(self, user):
        _token, secret = ApiToken.issue(user, name="tests")
        self.user = user
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path: str, body, raw: bool = False):
        data = body if raw else _json(body)
        return self.client.post(f"/api/v1{path}", data, content_type="application/json")

    def patch(self, path: str, body):
        return self.client.patch(
            f"/api/v1{path}", _json(body), content_type="application/json"
        )


def _json(body) -> str:
    return json.dumps(body)


@pytest.fixture
def api_as(db):
    """Return a factory: an API client for a new user of the given role."""

    def build(username: str, role: str = Role.AGENT, departments=("baggage",)):
        return ApiClient(make_agent(username, role=role, departments=departments))

    return build


@pytest.fixture
def baggage_agent(api_as):
    return api_as("bag.agent", departments=("baggage",))
