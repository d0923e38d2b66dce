"""Breakdowns, trends and top-problem lists from the KPI facts equal those computed
from the cases: every dimension, interval and scope, several periods (an empty one
among them), on SQLite and PostgreSQL.

The history of ``conftest.py`` (report time NOW = 2025-03-10 12:00 UTC) with its
data fix: a reopen, a wait on the passenger, a merged twin, a case too young for
the first-response rate, a closed case, cases before March, top-problem fields,
survey answers, a clock marked breached and one running past due unmarked, and a
case of another department assigned to an agent of baggage.
"""

import csv
import io

import pytest

from paxcare.cases.models import Case
from paxcare.cases.services import cases_visible_to
from paxcare.insights import rollups
from paxcare.insights.breakdowns import (
    DIMENSIONS,
    breakdown_for,
    compute_breakdown,
    fact_breakdown,
)
from paxcare.insights.kpis import compute_kpis
from paxcare.insights.models import KpiRollupState
from paxcare.insights.scoped_kpis import compute_scoped_kpis, kpis_for, scope_of
from paxcare.insights.trends import compute_trends, fact_trends, trends_for
from tests.factories import make_case
from tests.insights.conftest import NOW, at, behind_the_services

pytestmark = pytest.mark.django_db

PERIODS = [
    (None, NOW),
    (None, at(3, 8)),
    (at(3, 1), NOW),
    (at(3, 4, 12), at(3, 9, 6)),
    (at(4, 1), at(4, 2)),
]


@pytest.fixture
def history(history, people):
    """The shared history, with the data fix of ``behind_the_services`` rebuilt."""
    behind_the_services(history, people["agent"])
    return history


@pytest.mark.parametrize("who", ["admin", "supervisor", "agent"])
def test_every_breakdown_from_the_facts_is_the_one_from_the_cases(people, history, who):
    user = people[who]
    cases = cases_visible_to(user)
    for by in DIMENSIONS:
        for start, end in PERIODS:
            from_facts = fact_breakdown(scope_of(user), by, start, end, NOW)

            from_cases = compute_breakdown(cases, by, start, end, NOW)

            assert from_facts == from_cases, (by, start, end)


def test_a_breakdown_from_the_facts_has_every_figure(people, history):
    rows = breakdown_for(people["admin"], "department", at(3, 1), NOW, NOW)

    baggage = next(row for row in rows if row["value"] == "baggage")
    assert baggage["received"] == 6
    # D, received in February, was resolved in March
    assert baggage["resolved"] == 4
    assert baggage["sla_met"] + baggage["sla_breached"] > 0
    assert baggage["reopen_rate"] == 0.25
    assert baggage["responses"] == 3
    assert baggage["nps"] == 0.0
    assert baggage["backlog"] == 3
    assert rows == compute_breakdown(
        Case.objects.all(), "department", at(3, 1), NOW, NOW
    )


def test_a_breakdown_of_some_parts_leaves_the_others_empty(people, history):
    user = people["supervisor"]

    rows = fact_breakdown(
        scope_of(user), "category", at(3, 1), NOW, NOW, parts=["satisfaction"]
    )

    assert [(row["value"], row["responses"], row["csat"]) for row in rows] == [
        ("baggage.damaged", 1, 0.0),
        ("baggage.pilferage", 2, 0.5),
    ]
    assert {row["received"] for row in rows} == {0}
    assert rows == compute_breakdown(
        cases_visible_to(user), "category", at(3, 1), NOW, NOW, parts=["satisfaction"]
    )


def test_a_breakdown_without_medians_has_every_other_figure(people, history):
    user = people["admin"]
    medians = (
        "first_response_median_minutes",
        "first_response_business_median_minutes",
        "resolution_time_median_minutes",
    )

    rows = fact_breakdown(scope_of(user), "airport", at(3, 1), NOW, NOW, medians=False)

    full = compute_breakdown(Case.objects.all(), "airport", at(3, 1), NOW, NOW)
    assert any(row["first_response_median_minutes"] for row in full)
    assert rows == [row | dict.fromkeys(medians) for row in full]


@pytest.mark.parametrize("who", ["admin", "supervisor", "agent"])
def test_every_trend_from_the_facts_is_the_one_from_the_cases(people, history, who):
    user = people[who]
    cases = cases_visible_to(user)
    for interval in ("day", "week", "month"):
        for start, end in PERIODS:
            from_facts = fact_trends(scope_of(user), start, end, NOW, interval)

            from_cases = compute_trends(cases, start, end, NOW, interval)

            assert from_facts == from_cases, (interval, start, end)


def test_the_trend_counts_marked_and_unmarked_breaches_on_their_days(people, history):
    rows = trends_for(people["admin"], at(3, 1), NOW, NOW, "day")

    breached = {row["bucket"].isoformat(): row["sla_breached"] for row in rows}
    assert breached["2025-03-07"] >= 1
    assert breached["2025-03-10"] >= 1
    assert sum(row["received"] for row in rows) == 7
    assert rows == compute_trends(Case.objects.all(), at(3, 1), NOW, NOW, "day")


def test_until_the_facts_are_built_breakdowns_and_trends_read_the_cases(
    people, history
):
    # Given facts that were never built, and a change made behind the services
    KpiRollupState.objects.all().delete()
    Case.objects.filter(airport="SHA").update(airport="CAN")
    admin = people["admin"]

    rows = breakdown_for(admin, "airport", None, NOW, NOW)
    trends = trends_for(admin, None, NOW, NOW, "month")

    assert "CAN" in [row["value"] for row in rows]
    assert "SHA" not in [row["value"] for row in rows]
    assert trends == compute_trends(Case.objects.all(), None, NOW, NOW, "month")


def test_an_unknown_dimension_or_interval_is_refused(people, history):
    with pytest.raises(ValueError):
        breakdown_for(people["admin"], "gate", None, NOW, NOW)
    with pytest.raises(ValueError):
        trends_for(people["admin"], None, NOW, NOW, "hour")


# --- Top problems ranked in SQL -----------------------------------------------


def _flights(*flights: tuple[str, int, int]) -> None:
    """Open cases: (flight, how many, day of March)."""
    for flight, n, day in flights:
        for _ in range(n):
            make_case(received_at=at(3, day), flight_number=flight)


def test_the_ten_flights_of_a_period_are_ranked_with_ties_by_flight(people):
    # Given, from 2 March, CA900 with three cases, MU100 with two and eleven
    # flights with one each; and on 1 March ZZ1 with five
    ones = [(f"MU{200 + n}", 1, 2) for n in range(11)]
    _flights(("CA900", 3, 2), ("MU100", 2, 3), ("ZZ1", 5, 1), *ones)
    rollups.rebuild()
    admin = people["admin"]

    kpis = kpis_for(admin, at(3, 2), NOW, now=NOW)

    top = kpis["top_problems"]["flight_number"]
    assert [(row["value"], row["cases"]) for row in top] == [
        ("CA900", 3),
        ("MU100", 2),
        *[(f"MU{200 + n}", 1) for n in range(8)],
    ]
    assert kpis == compute_kpis(Case.objects.all(), at(3, 2), NOW, now=NOW)


def test_all_time_to_an_end_takes_away_what_came_later_before_ranking(people):
    # Given eleven flights with one case each on 2 March and ZZ1 with five cases on
    # 9 March: all time up to 5 March, ZZ1 is gone and the eleventh flight of the
    # all-time counts (MU209) is among the ten
    _flights(*[(f"MU{200 + n}", 1, 2) for n in range(11)], ("ZZ1", 5, 9))
    rollups.rebuild()
    admin = people["admin"]

    kpis = kpis_for(admin, None, at(3, 5), now=NOW)

    top = kpis["top_problems"]["flight_number"]
    assert [row["value"] for row in top] == [f"MU{200 + n}" for n in range(10)]
    assert kpis == compute_kpis(Case.objects.all(), None, at(3, 5), now=NOW)


def test_an_agents_own_case_elsewhere_counts_in_their_top_problems(people):
    # Given a baggage case on CA1 and, in another department, a case on CA2 and one
    # on CA3 of which only CA2 is assigned to the baggage agent
    agent = people["agent"]
    make_case(received_at=at(3, 2), flight_number="CA1")
    elsewhere = [
        make_case(received_at=at(3, 2), flight_number=f, category="flight.delay")
        for f in ("CA2", "CA2", "CA3")
    ]
    Case.objects.filter(pk__in=[c.pk for c in elsewhere[:2]]).update(assignee=agent)
    rollups.rebuild()

    for start in (None, at(3, 1)):
        kpis = kpis_for(agent, start, None, now=NOW)

        top = kpis["top_problems"]["flight_number"]
        assert [(row["value"], row["cases"]) for row in top] == [
            ("CA2", 2),
            ("CA1", 1),
        ]
        assert kpis == compute_scoped_kpis(
            scope_of(agent), cases_visible_to(agent), start, None, NOW
        )
        assert kpis == compute_kpis(cases_visible_to(agent), start, None, now=NOW)


# --- Chart downloads ----------------------------------------------------------


@pytest.mark.parametrize(
    "query,field",
    [
        ("start=2025-02-30", "From"),
        ("end=yesterday", "To (inclusive)"),
        ("start=0001-01-01", "From"),
        ("start=2025-03-05&end=2025-03-01", "To (inclusive)"),
    ],
)
def test_a_chart_download_for_a_bad_period_says_what_is_wrong(
    client, people, history, query, field
):
    client.force_login(people["supervisor"])

    response = client.get(f"/console/insights/csv/trend/?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith(f"{field}: ")


def test_a_chart_download_gives_the_figures_of_the_period_asked(
    client, people, history
):
    client.force_login(people["admin"])

    response = client.get(
        "/console/insights/csv/trend/?start=2025-03-04&end=2025-03-05"
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response.status_code == 200
    assert rows[0] == ["period", "received", "resolved"]
    assert [row[0] for row in rows[1:]] == ["2025-03-04", "2025-03-05"]
