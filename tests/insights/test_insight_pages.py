"""The insight pages: charts with tables and CSV, breakdowns, alerts, reports."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from paxcare.cases.services import change_status, reply_to_passenger
from paxcare.insights import views
from paxcare.insights.models import Alert, AlertKind
from paxcare.routing.models import Department, Role
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def week_of_cases():
    """Three baggage cases (two at PEK) and one refund, all within the last days."""
    agent = make_agent("bag.sup", role=Role.SUPERVISOR, departments=("baggage",))
    now = timezone.now()
    bag = "baggage.pilferage"
    cases = [
        make_case(received_at=now - timedelta(days=3), airport="PEK", category=bag),
        make_case(received_at=now - timedelta(days=2), airport="PEK", category=bag),
        make_case(received_at=now - timedelta(days=1), airport="SHA", category=bag),
        make_case(
            received_at=now - timedelta(days=1),
            category="ticketing.refund",
            description="Refund please.",
        ),
    ]
    reply_to_passenger(cases[0], "Found.", actor=agent, at=now - timedelta(days=2))
    change_status(cases[0], "resolved", actor=agent, at=now - timedelta(days=2))
    return agent, cases


def test_the_overview_shows_each_chart_with_its_numbers(client, week_of_cases):
    agent, _cases = week_of_cases
    client.force_login(agent)

    response = client.get("/console/insights/")

    assert response.status_code == 200
    names = [chart.name for chart in response.context["charts"]]
    assert names == ["trend", "pareto", "sla", "satisfaction", "airports"]
    pareto = next(c for c in response.context["charts"] if c.name == "pareto")
    # The agent sees the baggage department only: three cases of one category.
    assert pareto.csv_rows == [["baggage.pilferage", 3, 1.0]]
    airports = next(c for c in response.context["charts"] if c.name == "airports")
    assert [row[0] for row in airports.csv_rows] == ["PEK", "SHA"]
    assert "Download the numbers (CSV)" in response.text


def test_without_the_chart_library_the_page_is_tables_only(
    client, week_of_cases, monkeypatch
):
    monkeypatch.setattr(views, "chart_library_available", lambda: False)
    client.force_login(week_of_cases[0])

    response = client.get("/console/insights/")

    assert response.status_code == 200
    assert "<canvas" not in response.text
    assert "chart.umd.min.js" not in response.text
    assert "<table>" in response.text


def test_with_the_chart_library_the_page_loads_it(client, week_of_cases, monkeypatch):
    monkeypatch.setattr(views, "chart_library_available", lambda: True)
    client.force_login(week_of_cases[0])

    response = client.get("/console/insights/")

    assert 'data-chart="chart-data-trend"' in response.text
    assert 'id="chart-data-trend"' in response.text
    assert "vendor/chart.umd.min.js" in response.text


def test_every_chart_downloads_as_csv(client, week_of_cases):
    client.force_login(week_of_cases[0])

    response = client.get("/console/insights/csv/trend/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["period", "received", "resolved"]
    assert sum(int(row[1]) for row in rows[1:]) == 3
    assert sum(int(row[2]) for row in rows[1:]) == 1
    assert client.get("/console/insights/csv/nothing/").status_code == 404


def test_a_breakdown_by_airport_with_csv(client, week_of_cases):
    client.force_login(week_of_cases[0])

    page = client.get("/console/insights/breakdown/", {"by": "airport"})
    download = client.get(
        "/console/insights/breakdown/", {"by": "airport", "format": "csv"}
    )

    assert page.status_code == 200
    assert page.context["table"].rows[0][:2] == ["PEK", "2"]
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert [(r["value"], r["received"], r["resolved"]) for r in rows] == [
        ("PEK", "2", "1"),
        ("SHA", "1", "0"),
    ]


def test_alerts_are_shown_to_their_department_and_can_be_marked_seen(
    client, week_of_cases
):
    agent, _cases = week_of_cases
    now = timezone.now()
    baggage = Department.objects.get(code="baggage")
    alert = Alert.objects.create(
        key="spike:test",
        kind=AlertKind.SPIKE,
        department=baggage,
        dimension="airport",
        value="PEK",
        category_code="baggage.delayed",
        window_start=now - timedelta(days=7),
        window_end=now,
        observed=9,
        baseline=1,
        cases=9,
        detected_at=now,
    )
    other = make_agent("ticket.agent", departments=("ticketing",))
    client.force_login(agent)

    dashboard = client.get("/console/dashboard/")
    seen = client.post(f"/console/insights/alerts/{alert.pk}/seen/")
    client.force_login(other)
    hidden = client.post(f"/console/insights/alerts/{alert.pk}/seen/")

    assert "delayed baggage at airport PEK: 9 cases in the last 7 days" in (
        dashboard.text
    )
    assert seen.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == agent
    assert hidden.status_code == 404


def test_a_monthly_report_as_page_and_pdf(client, week_of_cases):
    client.force_login(week_of_cases[0])
    month = timezone.localdate().strftime("%Y-%m")
    query = {"kind": "month", "period": month, "language": "zh-hans"}

    page = client.get("/console/insights/reports/", {**query, "output": "html"})
    pdf = client.get("/console/insights/reports/", {**query, "output": "pdf"})
    bad = client.get("/console/insights/reports/", {**query, "period": "November"})

    assert page.status_code == 200
    assert f"客服月报 {month}" in page.content.decode()
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert bad.status_code == 200
    assert "period" in bad.context["form"].errors
