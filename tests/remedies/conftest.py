"""Personas and cases for the remedies app's database tests."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from paxcare.remedies.services import save_case_facts
from paxcare.routing.models import Role
from paxcare.routing.services import reassign_case
from tests.factories import make_agent, make_case, make_user

UTC_NOW = datetime(2026, 5, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def people(db) -> dict:
    """One user per role; disruption care is A's department, baggage is B's."""
    flights = ("disruption-care",)
    return {
        "agent": make_agent(
            "care.agent",
            departments=flights,
            approval_limit=Decimal("1000"),
            approval_currency="CNY",
        ),
        "agent2": make_agent("care.agent2", departments=flights),
        "supervisor": make_agent(
            "care.supervisor",
            role=Role.SUPERVISOR,
            departments=flights,
            approval_limit=Decimal("5000"),
        ),
        "supervisor2": make_agent(
            "care.supervisor2", role=Role.SUPERVISOR, departments=flights
        ),
        "auditor": make_agent("care.auditor", role=Role.AUDITOR, departments=()),
        "admin": make_agent("care.admin", role=Role.ADMIN, departments=()),
        "other": make_agent("bag.agent", departments=("baggage",)),
        "superuser": get_user_model().objects.create_superuser(
            "root", "root@example.com", "pass-word-123"
        ),
        "no_profile": make_user("plain.user"),
    }


@pytest.fixture
def delay_case(people):
    """A flight-delay complaint that the agent works, on a Frankfurt-New York flight."""
    case = make_case(
        subject="Four hours late into New York",
        description="LH400 arrived four hours late.",
        category="flight.delay",
        email="anna.schmidt@example.com",
        passenger_name="Anna Schmidt",
        flight_number="LH400",
    )
    return reassign_case(case, people["agent"], actor=None)


def aware(text: str) -> datetime:
    return datetime.fromisoformat(text)


FRA_JFK_SEGMENT = {
    "marketing_carrier": "LH",
    "operating_carrier": "",
    "flight_number": "LH400",
    "origin": "FRA",
    "destination": "JFK",
    "scheduled_departure": aware("2026-05-04T10:00:00+02:00"),
    "scheduled_arrival": aware("2026-05-04T12:45:00-04:00"),
}


def delay_facts(**changes) -> dict:
    facts = {
        "event_type": "delay",
        "cause": "technical",
        "actual_arrival": aware("2026-05-04T16:55:00-04:00"),
        "cabin": "economy",
    }
    facts.update(changes)
    return facts


@pytest.fixture
def assessed_case(delay_case, people):
    """The delay case with its trip facts saved: EU261 owes EUR 600."""
    save_case_facts(delay_case, delay_facts(), [FRA_JFK_SEGMENT], actor=people["agent"])
    return delay_case
