"""Token checks kept per process: no query in the common case, and every change to
the token, its user or their profile counts on the next request."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paxcare import rowcache
from paxcare.accounts.demo import mark_demo_account
from paxcare.accounts.models import ApiToken
from paxcare.accounts.services import authenticate_token, revoke_tokens
from paxcare.routing.models import Role
from tests.factories import make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return make_agent("bag.agent", departments=("baggage",))


def last_used(token: ApiToken):
    token.refresh_from_db(fields=["last_used_at"])
    return token.last_used_at


def test_a_known_token_is_checked_without_a_query(agent):
    # given a token used once
    _token, secret = ApiToken.issue(agent)
    first = authenticate_token(secret)

    # when it is used again
    with CaptureQueriesContext(connection) as queries:
        second = authenticate_token(secret)

    # then no query was made, and each request has its own copy of the user
    assert len(queries.captured_queries) == 0
    assert (first.pk, second.pk) == (agent.pk, agent.pk)
    assert first is not second
    first.seen_by_one_request = True
    assert not hasattr(second, "seen_by_one_request")
    assert second.agent.role == Role.AGENT


def test_last_used_at_is_written_at_most_once_a_minute(agent, monkeypatch):
    # given a token used for the first time
    token, secret = ApiToken.issue(agent)
    before = timezone.now()
    authenticate_token(secret)
    first = last_used(token)
    assert first >= before

    # when it is used again within the minute, then nothing is written
    with CaptureQueriesContext(connection) as queries:
        authenticate_token(secret)
    assert len(queries.captured_queries) == 0
    assert last_used(token) == first

    # and a process that has not seen the token yet finds this minute written
    rowcache.clear()
    half_minute = first + timedelta(seconds=30)
    monkeypatch.setattr(timezone, "now", lambda: half_minute)
    assert authenticate_token(secret).pk == agent.pk
    assert last_used(token) == first

    # when a minute has passed, the next use is written
    minute_later = first + timedelta(seconds=61)
    monkeypatch.setattr(timezone, "now", lambda: minute_later)
    authenticate_token(secret)
    assert last_used(token) == minute_later


def test_a_revoked_token_is_refused_on_the_next_request(agent):
    token, secret = ApiToken.issue(agent)
    assert authenticate_token(secret).pk == agent.pk

    revoke_tokens(ApiToken.objects.filter(pk=token.pk))

    assert authenticate_token(secret) is None


def test_a_deactivated_user_is_refused_on_the_next_request(agent):
    _token, secret = ApiToken.issue(agent)
    assert authenticate_token(secret).pk == agent.pk

    agent.is_active = False
    agent.save()

    assert authenticate_token(secret) is None


def test_a_demo_account_is_refused_once_marked(agent, settings):
    # given a working token outside demo mode
    settings.DEMO_MODE = False
    _token, secret = ApiToken.issue(agent)
    assert authenticate_token(secret).pk == agent.pk

    # when the account joins the demo group, then its token stops working
    mark_demo_account(agent)
    assert authenticate_token(secret) is None


def test_an_agent_made_auditor_may_not_open_cases_on_the_next_request(agent):
    # given an agent who opened a case through the API
    _token, secret = ApiToken.issue(agent)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    body = json.dumps({"description": "Lost bag.", "email": "li@example.com"})
    opened = api.post("/api/v1/cases", body, content_type="application/json")
    assert opened.status_code == 201

    # when a supervisor makes them an auditor
    profile = agent.agent
    profile.role = Role.AUDITOR
    profile.save()
    refused = api.post("/api/v1/cases", body, content_type="application/json")

    # then the next case is refused
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
