"""The command and the API give the figures of ``compute_kpis``, scoped right."""

import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from paxcare.routing.models import Role
from tests.api.conftest import ApiClient
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db


def day(month: int, day: int) -> datetime:
    return datetime(2025, month, day, 10, 0, tzinfo=UTC)


@pytest.fixture
def two_departments():
    make_case(received_at=day(3, 2), airline="CA")
    make_case(received_at=day(3, 3), airline="CA", category="baggage.lost")
    make_case(
        received_at=day(3, 4),
        category="ticketing.refund",
        description="Refund my ticket.",
        airline="MU",
    )
    make_case(received_at=day(4, 4), description="April.")


def test_the_command_prints_json_for_a_period(two_departments):
    out = StringIO()

    call_command(
        "kpis", "--json", "--start", "2025-03-01", "--end", "2025-04-01", stdout=out
    )

    kpis = json.loads(out.getvalue())
    assert kpis["received"] == 3
    assert kpis["by_category"] == {
        "baggage.delayed": 1,
        "baggage.lost": 1,
        "ticketing.refund": 1,
    }
    assert [row["value"] for row in kpis["top_problems"]["airline"]] == ["CA", "MU"]
    assert kpis["period"]["start"] == "2025-03-01T00:00:00+08:00"


def test_the_command_refuses_a_reversed_period():
    with pytest.raises(CommandError, match="--end must come after --start"):
        call_command("kpis", "--start", "2025-03-02", "--end", "2025-03-01")


def test_the_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="--start: not a date"):
        call_command("kpis", "--start", "yesterday")


def test_the_api_counts_only_the_cases_the_caller_sees(two_departments):
    agent = ApiClient(make_agent("bag", departments=("baggage",)))
    auditor = ApiClient(make_agent("qa", role=Role.AUDITOR, departments=()))
    period = {"start": "2025-03-01T00:00:00Z", "end": "2025-04-01T00:00:00Z"}

    mine = agent.get("/kpis", **period)
    everything = auditor.get("/kpis", **period)

    assert mine.status_code == everything.status_code == 200
    assert mine.json()["by_category"] == {"baggage.delayed": 1, "baggage.lost": 1}
    assert everything.json()["received"] == 3


def test_the_api_refuses_a_reversed_period():
    agent = ApiClient(make_agent("bag", departments=("baggage",)))

    response = agent.get("/kpis", start="2025-03-02", end="2025-03-01")

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "end"
