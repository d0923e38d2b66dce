"""``/api/v1/insights/...`` and ``/api/v1/kpis``: one set of figures, scoped."""

from datetime import UTC, datetime

import pytest

from paxcare.cases.models import Case
from paxcare.cases.services import change_status, reply_to_passenger
from paxcare.insights.models import CaseTiming
from paxcare.insights.timing import backfill
from paxcare.routing.models import Role
from tests.api.conftest import ApiClient
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2025-03-01T00:00:00Z", "end": "2025-04-01T00:00:00Z"}


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def march():
    agent = make_agent("sup", role=Role.SUPERVISOR, departments=("baggage",))
    bag = make_case(received_at=at(3), airport="PEK", category="baggage.pilferage")
    make_case(received_at=at(4), airport="PEK", category="baggage.pilferage")
    make_case(
        received_at=at(5),
        airport="SHA",
        category="ticketing.change",
        description="Change my flight.",
    )
    reply_to_passenger(bag, "Sorry.", actor=agent, new_status="resolved", at=at(3, 4))
    return agent


def test_a_breakdown_counts_only_what_the_caller_sees(march):
    agent = ApiClient(march)
    auditor = ApiClient(make_agent("qa", role=Role.AUDITOR, departments=()))

    mine = agent.get("/insights/breakdown", by="airport", **PERIOD)
    everything = auditor.get("/insights/breakdown", by="airport", **PERIOD)

    assert mine.status_code == 200
    assert [(r["value"], r["received"], r["resolved"]) for r in mine.json()] == [
        ("PEK", 2, 1)
    ]
    assert [(r["value"], r["received"]) for r in everything.json()] == [
        ("PEK", 2),
        ("SHA", 1),
    ]


def test_a_breakdown_refuses_an_unknown_dimension(march):
    response = ApiClient(march).get("/insights/breakdown", by="gate")

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "by"


def test_trends_per_week(march):
    response = ApiClient(march).get("/insights/trends", interval="week", **PERIOD)

    rows = response.json()
    assert response.status_code == 200
    assert [(r["bucket"], r["received"], r["resolved"]) for r in rows] == [
        ("2025-03-03", 2, 1)
    ]


def test_the_kpi_api_carries_the_new_figures(march):
    kpis = ApiClient(march).get("/kpis", **PERIOD).json()

    assert kpis["resolution_time"] == {"measured": 1, "median_minutes": 240.0}
    assert kpis["first_contact_resolution"]["rate"] == 1.0
    assert kpis["satisfaction"]["responses"] == 0
    assert set(kpis["sla_compliance"]) >= {"first_response", "resolution", "total"}
    assert kpis["compensation"]["paid"] == {}


def test_alerts_and_drivers_start_empty(march):
    client = ApiClient(march)

    assert client.get("/insights/alerts").json() == []
    assert client.get("/insights/drivers").json() == {"analysis": None}


def test_the_backfill_rebuilds_timing_from_the_timeline(march):
    case = Case.objects.get(received_at=at(3))
    change_status(case, "open", actor=march, at=at(6))
    change_status(case, "resolved", actor=march, at=at(6, 2))
    expected = CaseTiming.objects.get(case=case)
    CaseTiming.objects.all().delete()

    done = backfill()

    rebuilt = CaseTiming.objects.get(case=case)
    assert done == 1
    assert (rebuilt.resolution_seconds, rebuilt.waiting_seconds) == (
        expected.resolution_seconds,
        expected.waiting_seconds,
    )
    assert rebuilt.first_response_business_minutes == (
        expected.first_response_business_minutes
    )
    assert rebuilt.resolution_seconds == (4 + 2) * 3600
