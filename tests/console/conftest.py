"""Personas of the console and a baggage case that agent A works."""

import pytest
from django.contrib.auth import get_user_model

from paxcare.routing.models import Role
from paxcare.routing.services import reassign_case
from tests.factories import make_agent, make_case, make_user


@pytest.fixture
def people(db) -> dict:
    """One user per console role; the baggage department is A's, ticketing is B's."""
    return {
        "agent_a": make_agent("agent.a", first_name="Anna", departments=("baggage",)),
        "agent_a2": make_agent("agent.a2", first_name="Wang", departments=("baggage",)),
        "agent_b": make_agent("agent.b", departments=("ticketing",)),
        "supervisor": make_agent(
            "super.visor", role=Role.SUPERVISOR, departments=("baggage",)
        ),
        "auditor": make_agent("audit.or", role=Role.AUDITOR, departments=()),
        "admin": make_agent("admin.role", role=Role.ADMIN, departments=()),
        "superuser": get_user_model().objects.create_superuser(
            "root", "root@example.com", "pass-word-123"
        ),
        "no_profile": make_user("plain.user"),
    }


@pytest.fixture
def case(people):
    """A baggage case assigned to agent A."""
    case = make_case(subject="Suitcase missing at PEK", email="li.wei@example.com")
    return reassign_case(case, people["agent_a"], actor=None)


@pytest.fixture
def client_as(client, people):
    """Return a test client signed in as the named persona (None: anonymous)."""

    def sign_in(persona: str | None):
        if persona is not None:
            client.force_login(people[persona])
        return client

    return sign_in
