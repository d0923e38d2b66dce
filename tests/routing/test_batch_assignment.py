"""A batch of new cases is assigned as one case after another would be.

Intake assigns a whole batch at once (``assign_new_cases``): the least loaded
available agent of the department takes each case, ties going to whoever was given
a case longest ago (never first), and an agent of two departments has one load.
"""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, connections

from paxcare.cases.models import Case
from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import open_cases
from paxcare.routing.models import Agent
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db


def drafts(*categories: str, prefix: str = "batch") -> list[CaseDraft]:
    return [
        CaseDraft(
            description=f"Case {n}",
            channel="web",
            category=category,
            kind="complaint",
            priority="normal",
            email=f"{prefix}{n}@example.com",
        )
        for n, category in enumerate(categories)
    ]


def test_the_least_loaded_take_the_batch_and_ties_go_to_the_longest_idle():
    # given c with one active case, a last given one in January, b never
    make_agent("c")
    make_case()
    a = make_agent("a")
    make_agent("b")
    january = datetime(2026, 1, 1, 10, tzinfo=UTC)
    Agent.objects.filter(user=a).update(last_assigned_at=january)
    make_agent("boss", role="supervisor")
    make_agent("away", is_available=False)
    gone = make_agent("gone")
    gone.is_active = False
    gone.save()

    # when a batch of five baggage cases is opened
    results = open_cases(drafts(*["baggage.delayed"] * 5))

    # then they go in turn to b, a, c (now all even), b, a, and a's turn moved on
    owners = [r.case.assignee.username for r in results]
    assert owners == ["b", "a", "c", "b", "a"]
    assert Agent.objects.get(user=a).last_assigned_at > january


def test_an_agent_of_two_departments_has_one_load():
    # given an agent of baggage and ticketing, and one of ticketing only
    make_agent("both", departments=("baggage", "ticketing"))
    make_agent("tickets", departments=("ticketing",))

    # when a batch brings a baggage case, then a ticketing case
    results = open_cases(drafts("baggage.delayed", "ticketing.refund"))

    # then the ticketing case goes to the agent who has none yet
    assert [r.case.assignee.username for r in results] == ["both", "tickets"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_opening_batches_at_once_share_the_load_evenly():
    if connection.vendor != "postgresql":
        pytest.skip("the assignment race is proven on PostgreSQL (row locks)")
    # given three agents, and two workers each with a batch of ten baggage cases
    agents = [make_agent(f"racer{i}") for i in range(3)]
    barrier = threading.Barrier(2)
    errors = []

    def worker(prefix: str) -> None:
        try:
            barrier.wait()
            open_cases(drafts(*["baggage.delayed"] * 10, prefix=prefix))
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    # when both open their batch at the same moment
    threads = [threading.Thread(target=worker, args=(p,)) for p in ("x", "y")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then every case has one assignee and nobody holds two more than another
    assert errors == []
    assert Case.objects.filter(assignee__isnull=True).count() == 0
    loads = sorted(Case.objects.filter(assignee=a).count() for a in agents)
    assert loads == [6, 7, 7]
