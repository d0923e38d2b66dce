"""Queue pages over a long history: the newest first, whatever window holds them.

A page is looked for among the last day's cases first, then the last 8 and 64 days,
then all; these tests spread cases over a year so that every window is crossed.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from paxcare.cases.models import Case
from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import open_cases


def numbers(response) -> list[str]:
    return [case.number for case in response.context["page"].rows]


def spread_cases(agent, days_ago: list[float]) -> list[Case]:
    """Open one baggage case per age, each mentioning how old it is."""
    now = timezone.now()
    drafts = [
        CaseDraft(
            description=f"Bag {'camera' if i % 2 else 'stroller'} lost, case {i}.",
            channel="web",
            category="baggage.delayed",
            kind="complaint",
            email=f"pax{i}@example.com",
            received_at=now - timedelta(days=age),
        )
        for i, age in enumerate(days_ago)
    ]
    cases = [result.case for result in open_cases(drafts)]
    Case.objects.update(assignee=agent)
    return cases


@pytest.mark.django_db
def test_pages_run_newest_first_across_a_year_without_gaps(client_as, people):
    # given 120 cases, three days apart, over a year
    cases = spread_cases(people["agent_a"], [3 * i + 0.5 for i in range(120)])
    client = client_as("agent_a")

    # when the agent pages through all cases
    seen, cursor = [], None
    for _ in range(5):
        response = client.get("/console/all/", {"after": cursor} if cursor else {})
        seen += numbers(response)
        cursor = response.context["page"].next_cursor
        if cursor is None:
            break

    # then every case comes once, newest first, in three pages
    assert seen == [case.number for case in cases]
    assert len(seen) == 120


@pytest.mark.django_db
def test_a_search_finds_old_matches_after_the_newest(client_as, people):
    # given matches of "camera" today, two weeks ago and ten months ago
    cases = spread_cases(people["agent_a"], [0.1, 0.2, 14, 15, 300, 301])

    response = client_as("agent_a").get("/console/all/", {"q": "camera"})

    # then the page holds all three, newest first, and nothing more
    assert numbers(response) == [cases[1].number, cases[3].number, cases[5].number]
    assert response.context["page"].next_cursor is None


@pytest.mark.django_db
def test_a_page_with_a_full_first_window_costs_one_query_for_its_rows(
    client_as, people, django_assert_max_num_queries
):
    spread_cases(people["agent_a"], [i / 100 for i in range(60)])
    client = client_as("agent_a")

    # Session, user, agent profile, categories of the filter, the page, its clocks.
    with django_assert_max_num_queries(8):
        response = client.get("/console/all/")

    assert len(response.context["page"].rows) == 50
