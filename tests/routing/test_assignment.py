import threading

import pytest
from django.db import connection, connections

from paxcare.cases.models import Case
from paxcare.routing.models import Agent
from paxcare.routing.services import assign_case, reassign_case
from tests.factories import make_agent, make_case


@pytest.mark.django_db
def test_cases_go_to_the_agent_with_the_fewest_open_cases_ties_in_turn():
    a = make_agent("a", departments=("baggage",))
    b = make_agent("b", departments=("baggage",))
    c = make_agent("c", departments=("baggage",))
    make_agent("other", departments=("ticketing",))

    owners = [make_case().assignee.username for _ in range(6)]

    assert sorted(owners[:3]) == ["a", "b", "c"]
    assert owners[3:] == owners[:3]
    assert {u.username: u.assigned_cases.count() for u in (a, b, c)} == {
        "a": 2,
        "b": 2,
        "c": 2,
    }


@pytest.mark.django_db
def test_an_unavailable_agent_gets_no_new_cases():
    make_agent("away", departments=("baggage",), is_available=False)
    here = make_agent("here", departments=("baggage",))

    assert {make_case().assignee for _ in range(3)} == {here}


@pytest.mark.django_db
def test_with_nobody_available_the_case_waits_in_the_department_queue():
    case = make_case()

    assert case.department.code == "baggage"
    assert case.assignee is None


@pytest.mark.django_db
def test_a_supervisor_reassigns_and_the_timeline_keeps_old_and_new():
    a = make_agent("a", departments=("baggage",))
    b = make_agent("b", departments=("baggage",))
    boss = make_agent("boss", role="supervisor", departments=("baggage",))
    case = make_case()
    assert case.assignee == a

    reassign_case(case, b, actor=boss)

    case.refresh_from_db()
    event = case.events.filter(type="case.assigned").last()
    assert case.assignee == b
    assert event.data == {"old": a.pk, "new": b.pk}
    assert event.actor == boss


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_assigning_at_once_never_both_win():
    if connection.vendor != "postgresql":
        pytest.skip("the assignment race is proven on PostgreSQL (row locks)")
    agents = [make_agent(f"racer{i}", departments=("baggage",)) for i in range(3)]
    Agent.objects.update(is_available=False)
    cases = [make_case(description=f"bag {i}") for i in range(30)]
    Agent.objects.update(is_available=True)
    barrier = threading.Barrier(2)
    errors = []

    def worker(order):
        try:
            barrier.wait()
            for case in order:
                assign_case(case)
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(cases,)),
        threading.Thread(target=worker, args=(list(reversed(cases)),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    for case in Case.objects.all():
        assert case.assignee_id is not None
        assert case.events.filter(type="case.assigned").count() == 1
    loads = sorted(a.assigned_cases.count() for a in agents)
    assert loads == [10, 10, 10]
