"""Large batches reserve their agents first and write without the department lock.

``agents_reserved`` chooses the agents of some batches' cases in a short
transaction of its own and records them as ``Reservation`` rows, which count in
every agent's load; each batch's commit (``reservation.transaction()``) takes its
cases off them, and what is left goes when the block ends.
"""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.utils import timezone

from paxcare.cases.models import Case
from paxcare.disruptions.proactive import care_for_disruptions
from paxcare.intake.services import open_cases
from paxcare.routing.models import Department, Reservation
from paxcare.routing.services import RESERVATION_LIFETIME, agents_reserved
from tests.disruptions.test_workers import cancelled_flights
from tests.factories import make_agent
from tests.routing.test_batch_assignment import drafts

pytestmark = pytest.mark.django_db


def baggage() -> int:
    return Department.objects.get(code="baggage").pk


def user_id(username: str) -> int:
    return get_user_model().objects.get(username=username).pk


def owners(results) -> list[str]:
    return [r.case.assignee.username for r in results]


def test_a_reserved_batch_takes_its_agents_in_turn_and_leaves_no_reservation():
    # given three baggage agents
    for name in ("a", "b", "c"):
        make_agent(name)

    # when a batch of four cases is opened with its agents reserved
    with agents_reserved({baggage(): 4}) as reserved, reserved.transaction():
        assert reserved.picks[baggage()] == [user_id(n) for n in "abca"]
        assert Reservation.objects.filter(token=reserved.token).count() == 3
        results = open_cases(drafts(*["baggage.delayed"] * 4), reserved=reserved)

    # then they go round as they would without the reservation, which is gone
    assert owners(results) == ["a", "b", "c", "a"]
    assert Reservation.objects.count() == 0


def test_each_batch_takes_the_next_agents_off_the_reservation():
    # given three baggage agents and five cases reserved for two batches
    for name in ("a", "b", "c"):
        make_agent(name)
    with agents_reserved({baggage(): 5}) as reserved:
        # when the first batch opens three cases
        with reserved.transaction():
            first = open_cases(
                drafts(*["baggage.delayed"] * 3, prefix="one"), reserved=reserved
            )

        # then they are off the reservation (a, b, c, a, b), which holds the
        # other two
        assert reserved.picks[baggage()] == [user_id(n) for n in "abcab"]
        held = dict(Reservation.objects.values_list("user__username", "cases"))
        assert held == {"a": 1, "b": 1, "c": 0}

        # and the second batch takes the next two
        with reserved.transaction():
            second = open_cases(
                drafts(*["baggage.delayed"] * 2, prefix="two"), reserved=reserved
            )
    assert owners(first) == ["a", "b", "c"]
    assert owners(second) == ["a", "b"]
    assert Reservation.objects.count() == 0


def test_a_held_reservation_counts_in_the_loads_others_read():
    # given two baggage agents, and a batch that reserved one case for a
    make_agent("a")
    make_agent("b")
    with agents_reserved({baggage(): 1}) as reserved:
        assert reserved.picks[baggage()] == [user_id("a")]

        # when another case is opened before the batch writes its own
        other = open_cases(drafts("baggage.delayed", prefix="other"))

        # then it goes to b, a's reserved case counting as a's load
        assert owners(other) == ["b"]
        with reserved.transaction():
            mine = open_cases(drafts("baggage.delayed"), reserved=reserved)
    assert owners(mine) == ["a"]


def test_a_failed_batch_gives_its_reservation_back():
    # given two baggage agents
    make_agent("a")
    make_agent("b")

    # when a batch reserves two cases and fails before it commits
    with pytest.raises(RuntimeError), agents_reserved({baggage(): 2}) as reserved:
        try:
            with reserved.transaction():
                open_cases(
                    drafts("baggage.delayed", "baggage.delayed"), reserved=reserved
                )
                raise RuntimeError("the batch failed")
        finally:
            # then its cases are gone and its reservation whole until the end
            assert Case.objects.count() == 0
            assert sum(Reservation.objects.values_list("cases", flat=True)) == 2

    # and then the reservation is gone too
    assert Reservation.objects.count() == 0


@pytest.mark.parametrize(
    ("age", "expected"),
    [(timedelta(minutes=1), "b"), (RESERVATION_LIFETIME + timedelta(minutes=1), "a")],
)
def test_a_reservation_left_by_a_dead_batch_stops_counting(age, expected):
    # given agents a and b, and five cases reserved for a some time ago
    a = make_agent("a")
    make_agent("b")
    Reservation.objects.create(
        token="6f1c1d8e-9d55-4f6a-8d4e-0f1b2a3c4d5e",
        user=a,
        cases=5,
        created_at=timezone.now() - age,
    )

    # when a case is opened
    results = open_cases(drafts("baggage.delayed"))

    # then a's reservation counts while it is young, not once it is stale
    assert owners(results) == [expected]


def test_cases_beyond_the_reservation_are_assigned_the_locking_way():
    # given two baggage agents and a reservation of one case
    make_agent("a")
    make_agent("b")
    with agents_reserved({baggage(): 1}) as reserved, reserved.transaction():
        # when the batch opens three cases
        results = open_cases(drafts(*["baggage.delayed"] * 3), reserved=reserved)

    # then every case has an agent, the load evened out (a holds the reservation
    # while the batch assigns, so b starts)
    assert owners(results) == ["b", "a", "b"]
    assert Reservation.objects.count() == 0


def test_proactive_care_spreads_a_batch_over_the_disruption_team():
    # given two disruption-care agents and two cancelled flights of three each
    for name in ("d1", "d2"):
        make_agent(name, departments=("disruption-care",))
    ids = cancelled_flights(2, 3)

    # when the care opens the six cases in one batch
    report = care_for_disruptions(ids)

    # then each agent has three, and no reservation is left
    assert report.opened == 6
    loads = sorted(
        Case.objects.filter(assignee__username=name).count() for name in ("d1", "d2")
    )
    assert loads == [3, 3]
    assert Reservation.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reserved_batch_does_not_keep_another_worker_waiting():
    if connection.vendor != "postgresql":
        pytest.skip("the lock is proven on PostgreSQL (row locks)")
    # given three baggage agents, and a batch of two cases holding its reservation
    for name in ("a", "b", "c"):
        make_agent(name)
    entered, other_done = threading.Event(), threading.Event()
    seen = {}

    def other_worker() -> None:
        try:
            entered.wait(10)
            seen["owners"] = owners(open_cases(drafts("baggage.delayed", prefix="o")))
        finally:
            other_done.set()
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    with agents_reserved({baggage(): 2}) as reserved, reserved.transaction():
        mine = open_cases(
            drafts("baggage.delayed", "baggage.delayed"), reserved=reserved
        )
        # when another worker opens a case after this batch assigned and wrote
        # its cases, before it commits
        entered.set()
        finished_meanwhile = other_done.wait(10)
    thread.join()

    # then it did not wait for this batch, and took the agent nobody reserved
    assert finished_meanwhile
    assert seen["owners"] == ["c"]
    assert owners(mine) == ["a", "b"]
    assert Reservation.objects.count() == 0


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"is_active": False}, id="deactivated"),
        pytest.param({"agent__is_available": False}, id="unavailable"),
        pytest.param({"left": True}, id="left the department"),
    ],
)
def test_an_agent_who_cannot_take_cases_any_more_gets_none_of_the_rest(change):
    # given agents a and b, and a run that reserved four cases for two batches
    make_agent("a")
    make_agent("b")
    with agents_reserved({baggage(): 4}) as reserved:
        with reserved.transaction():
            first = open_cases(
                drafts(*["baggage.delayed"] * 2, prefix="one"), reserved=reserved
            )

        # when a can no longer take cases between the batches
        a = get_user_model().objects.get(username="a")
        if change.get("left"):
            a.agent.departments.clear()
        elif "is_active" in change:
            a.is_active = False
            a.save()
        else:
            a.agent.is_available = False
            a.agent.save()
        with reserved.transaction():
            second = open_cases(
                drafts(*["baggage.delayed"] * 2, prefix="two"), reserved=reserved
            )

    # then the first batch went round, the second goes to b alone, and nothing
    # stays reserved
    assert owners(first) == ["a", "b"]
    assert owners(second) == ["b", "b"]
    assert Reservation.objects.count() == 0
