"""The facts and counts kept from the timeline are exactly what a rebuild gives.

The receiver builds the facts of cases opened by intake from the cases in memory
and skips the events that change no fact; everything else reads the case again.
Whichever way a case went, a rebuild from the cases must find nothing to correct:
every fact field by field, and every count summed over its rows.
"""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paxcare.cases.events import EventType, announce, build_event
from paxcare.cases.models import Case, Event
from paxcare.cases.services import (
    add_note,
    add_passenger_message,
    change_category,
    change_priority,
    change_status,
    reply_to_passenger,
)
from paxcare.insights import rollups
from paxcare.insights.models import CaseFact
from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import open_cases
from paxcare.routing.models import Department, Role
from paxcare.routing.services import change_department, reassign_case
from paxcare.sla.models import Clock
from paxcare.sla.services import sweep
from paxcare.surveys.links import survey_token
from paxcare.surveys.services import Answer, answer_survey
from paxcare.triage.models import Category
from tests.disruptions.conftest import AF_JFK_CDG, disrupt, passenger
from tests.factories import complete_playbook, make_agent, make_case
from tests.insights.conftest import counts, day_counts

pytestmark = pytest.mark.django_db


def facts() -> dict[int, dict]:
    """Return every fact, field by field, by case."""
    fields = [f.attname for f in CaseFact._meta.concrete_fields]
    return {row["case_id"]: row for row in CaseFact.objects.values(*fields)}


def assert_kept_as_rebuilt() -> tuple[dict, dict]:
    """Compare the kept facts and counts with a rebuild; return the rebuilt ones."""
    kept_facts, kept_counts, kept_days = facts(), counts(), day_counts()

    rollups.rebuild()

    rebuilt_facts, rebuilt_counts = facts(), counts()
    assert kept_days == day_counts()
    assert kept_facts.keys() == rebuilt_facts.keys()
    differing = {
        case_id: {
            field: (kept_facts[case_id][field], value)
            for field, value in rebuilt.items()
            if kept_facts[case_id][field] != value
        }
        for case_id, rebuilt in rebuilt_facts.items()
    }
    assert {case_id: d for case_id, d in differing.items() if d} == {}
    assert kept_counts == rebuilt_counts
    return rebuilt_facts, rebuilt_counts


def draft(n: int, **fields) -> CaseDraft:
    values = {
        "description": f"My suitcase number {n} did not arrive in Beijing.",
        "channel": "web",
        "category": "baggage.delayed",
        "kind": "complaint",
        "email": f"batch{n}@example.com",
        "passenger_name": "Li Wei",
    }
    values.update(fields)
    return CaseDraft(**values)


@pytest.fixture
def staff():
    return {
        "sup": make_agent(
            "sup",
            role=Role.SUPERVISOR,
            departments=("baggage", "disruption-care", "flight-ops"),
        ),
        "bag": make_agent("bag", departments=("baggage",)),
        "bag2": make_agent("bag2", departments=("baggage",)),
    }


def test_a_batch_of_new_cases_gets_the_facts_a_rebuild_gives(staff):
    # Given an earlier case of a passenger who writes the same words again
    earlier = make_case(email="again@example.com", description="Where is my bag?")
    now = timezone.now()

    # When one batch opens several cases: a repeat of the earlier case, a twin
    # inside the batch, a case received days ago with top-problem fields, a case
    # the classifier files, a phone case without a department's agent
    results = open_cases(
        [
            draft(1, email="again@example.com", description="Where is my bag?"),
            draft(2, email="twin@example.com", description="Same words."),
            draft(3, email="twin@example.com", description="Same words."),
            draft(
                4,
                received_at=now - timedelta(days=3, minutes=7),
                airline="CA",
                airport="PEK",
                flight_number="CA981",
            ),
            draft(5, category="", kind="", description="The crew were wonderful."),
            draft(6, channel="phone", category="flight.delay", priority="high"),
        ]
    )

    # Then every case has its fact, each as a rebuild finds it
    assert [r.created for r in results] == [True] * 6
    rebuilt, _ = assert_kept_as_rebuilt()
    assert len(rebuilt) == 7
    repeat, first_twin, second_twin = (results[i].case for i in range(3))
    assert rebuilt[repeat.pk]["counted"] is False
    assert rebuilt[first_twin.pk]["counted"] is True
    assert rebuilt[second_twin.pk]["counted"] is False
    assert rebuilt[earlier.pk]["counted"] is True
    assert rebuilt[results[3].case.pk]["flight_number"] == "CA981"


def test_new_cases_cost_no_read_back_of_their_facts(staff):
    # Given a warm process (rules cached by a first case)
    make_case()

    # When a batch of three opens
    with CaptureQueriesContext(connection) as queries:
        open_cases([draft(n) for n in range(3)])

    # Then no query of the batch reads the facts, the cases' joins or the clocks
    # back for the receiver: the facts are inserted, the counts added
    sql = [q["sql"] for q in queries.captured_queries]
    facts_table = CaseFact._meta.db_table
    reads = [s for s in sql if s.startswith("SELECT") and facts_table in s]
    assert reads == []
    inserts = [s for s in sql if s.startswith("INSERT") and facts_table in s]
    assert len(inserts) == 1
    assert CaseFact.objects.count() == 4


def test_every_kind_of_change_keeps_the_facts_and_counts_a_rebuild_gives(staff):
    sup, bag, bag2 = staff["sup"], staff["bag"], staff["bag2"]
    now = timezone.now()
    later = [now + timedelta(hours=h) for h in range(400)]

    # Given cases from an API batch and a disrupted flight's care batch
    batch = open_cases(
        [
            draft(1),
            draft(2, airline="MU", airport="SHA"),
            draft(3, email="twin@example.com", description="Same words."),
            draft(4, email="twin@example.com", description="Same words."),
            draft(5, received_at=now - timedelta(days=2)),
            draft(6),
            draft(7),
            draft(8),
        ]
    )
    a, b, c, twin, old, e, f, g = (r.case for r in batch)
    disruption = disrupt(
        AF_JFK_CDG,
        [passenger(1), passenger(2), passenger(3)],
        type="cancellation",
        delay_code="41",
    )
    proactive = list(Case.objects.filter(flight_number="AF23").order_by("pk"))
    assert len(proactive) == 3, disruption

    # When agents and passengers work them
    reply_to_passenger(a, "Receipts?", actor=sup, new_status="pending", at=later[1])
    add_passenger_message(a, "Attached.", channel="web", at=later[2])
    complete_playbook(a, sup, at=later[3])
    change_status(a, "resolved", actor=sup, at=later[3])
    survey = Case.objects.get(pk=a.pk).survey
    answer_survey(survey_token(survey), Answer(5, 10), at=later[4])
    complete_playbook(b, sup, at=later[1])
    reply_to_passenger(b, "Found.", actor=sup, new_status="resolved", at=later[2])
    add_passenger_message(b, "Not mine.", channel="web", at=later[5])
    reply_to_passenger(b, "Sorry.", actor=sup, at=later[6])
    add_note(b, "Call the station.", actor=sup, at=later[6])
    change_status(b, "resolved", actor=sup, at=later[7])
    change_status(b, "closed", actor=sup, at=later[8])
    reply_to_passenger(c, "Looking.", actor=sup, at=later[3])
    add_passenger_message(c, "Thanks.", channel="web", at=later[4])
    add_passenger_message(c, "Any news?", channel="web", at=later[5])
    change_priority(c, "high", actor=sup)
    reassign_case(c, bag2, actor=sup)
    change_category(old, Category.objects.get(code="flight.delay"), actor=sup)
    change_department(e, Department.objects.get(code="disruption-care"), actor=sup)
    # Resolved without a reply (the first-response clock is cancelled), reopened
    # by the passenger, then answered: a first response with no clock to stop.
    complete_playbook(f, sup, at=later[2])
    change_status(f, "resolved", actor=sup, at=later[2])
    add_passenger_message(f, "Not solved.", channel="web", at=later[5])
    reply_to_passenger(f, "On it.", actor=sup, at=later[6])
    # Opened by hand, then answered after its first-response clock ran out: the
    # reply itself breaches the clock.
    change_status(g, "open", actor=sup, at=later[1])
    reply_to_passenger(g, "Late, sorry.", actor=sup, at=later[300])
    for case in proactive[:2]:
        reply_to_passenger(case, "Rebooked.", actor=sup, at=later[2])
    add_passenger_message(proactive[2], "And my hotel?", channel="email", at=later[3])
    # The sweep marks every clock still running past its due time as breached.
    swept = sweep(now=later[399])

    # Then nothing a rebuild finds differs
    assert swept.breached > 0
    rebuilt, rebuilt_counts = assert_kept_as_rebuilt()
    assert rebuilt[g.pk]["first_response_breached_at"] is not None
    assert rebuilt[f.pk]["first_response_us"] is not None
    assert rebuilt[a.pk]["rating"] == 5
    assert rebuilt[twin.pk]["counted"] is False
    assert rebuilt[b.pk]["reopened"] is True
    assert bag.pk != bag2.pk


def test_a_passenger_message_that_changes_no_status_reads_nothing(staff):
    # Given an open case with a reply
    case = make_case()
    reply_to_passenger(case, "Looking.", actor=staff["sup"])

    # When the passenger writes again (the case stays open)
    with CaptureQueriesContext(connection) as queries:
        add_passenger_message(case, "Any news?", channel="web")

    # Then the receiver reads no fact and writes no count
    facts_table = CaseFact._meta.db_table
    assert [q for q in queries.captured_queries if facts_table in q["sql"]] == []
    assert Event.objects.filter(case=case, type=EventType.MESSAGE_RECEIVED).count() == 1
    assert_kept_as_rebuilt()


def test_a_breach_counts_once_the_clock_is_marked(staff):
    # Given a case whose first-response clock runs past due
    case = make_case()
    clock = Clock.objects.get(case=case, kind="first_response")

    # When the sweep marks it
    sweep(now=clock.due_at + timedelta(minutes=1))

    # Then its fact has the breach time, as a rebuild finds it
    rebuilt, rebuilt_counts = assert_kept_as_rebuilt()
    assert rebuilt[case.pk]["first_response_breached_at"] == clock.due_at
    department = case.department_id
    assert rebuilt_counts[(department, "breached_first_response", "")] == 1


def test_a_large_batch_goes_in_one_insert_with_the_counts_of_each_case(staff):
    # Given a batch of new cases of two departments and two channels, several of
    # each kind
    drafts = [
        draft(n, channel="email" if n % 3 else "web", airline="CA") for n in range(110)
    ] + [draft(200 + n, category="flight.delay") for n in range(10)]

    # When intake opens them in one batch
    results = open_cases(drafts)

    # Then each counts once, as a rebuild counts them
    assert all(r.created for r in results)
    _, rebuilt_counts = assert_kept_as_rebuilt()
    baggage = results[0].case.department_id
    assert rebuilt_counts[(baggage, "received", "")] == 110
    assert rebuilt_counts[(baggage, "channel", "email")] == 73
    assert rebuilt_counts[(baggage, "airline", "CA|baggage.delayed")] == 110


@pytest.mark.parametrize("size", [3, 5])
def test_a_case_announced_again_is_read_not_taken_from_memory(staff, size):
    # Given cases whose facts exist, changed since behind the services, and their
    # creation announced again with the objects as intake left them
    results = open_cases([draft(n) for n in range(size)])
    cases = [r.case for r in results]
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(channel="phone")
    events = [
        build_event(case, EventType.CREATED, at=case.received_at) for case in cases
    ]

    # When the receiver hears of them
    with transaction.atomic():
        announce(events)

    # Then their facts are the cases' as stored, and counted once
    rebuilt, rebuilt_counts = assert_kept_as_rebuilt()
    assert {rebuilt[c.pk]["channel"] for c in cases} == {"phone"}
    assert rebuilt_counts[(cases[0].department_id, "received", "")] == size
