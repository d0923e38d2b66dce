"""A corrected disruption takes the cases it opened along: category, priority, subject.

What an agent set by hand stays: a category or subject changed by hand is left,
and a priority is never set below the agent's choice.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from paxcare.cases.events import build_event
from paxcare.cases.models import Case
from paxcare.cases.services import change_category, change_priority
from paxcare.disruptions.corrections import follow_corrections
from paxcare.disruptions.ingest import record_flight_event
from paxcare.disruptions.manifests import load_manifest
from paxcare.disruptions.models import AffectedPassenger, Disruption
from paxcare.disruptions.proactive import care_for_disruption
from paxcare.insights.models import CaseFact
from paxcare.routing.models import CategoryRoute, Department
from paxcare.triage.models import Category
from tests.api.conftest import ApiClient
from tests.disruptions.conftest import CA981_DELAY as CA981
from tests.disruptions.conftest import event, passenger
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db

FLIGHT_KEY = {"flight_number": "CA981", "flight_date": "2026-12-20", "origin": "PEK"}
ON_THE_DAY = "CA981 PEK–JFK on Dec. 20, 2026"
LATER = {**CA981, "estimated_arrival": "2026-12-20T20:45:00"}
CANCELLED = {**CA981, "type": "cancellation"}
DIVERTED = {
    **CA981,
    "type": "diversion",
    "diverted_to": "BOS",
    "actual_departure": "2026-12-20T13:10:00",
}


def post(client: ApiClient, body: dict, capture) -> None:
    with capture(execute=True):
        response = client.post("/flights/events", body)
    assert response.status_code in (200, 201), response.content


def open_cases(client: ApiClient, capture) -> list[Case]:
    """Post the delay and a manifest of two; return their cases, Ann's first."""
    post(client, CA981, capture)
    with capture(execute=True):
        client.post(
            "/flights/manifests",
            {"flight": FLIGHT_KEY, "passengers": [passenger(1), passenger(2)]},
        )
    return list(Case.objects.order_by("subject"))


def state(case: Case) -> tuple[str, str, str]:
    case.refresh_from_db()
    return case.category.code, case.priority, case.subject


def changes(case: Case) -> list[tuple]:
    """Return the category, priority and subject events of the case, in order."""
    return [
        (e.type, e.actor_label, e.data)
        for e in case.events.filter(
            type__in=[
                "case.category_changed",
                "case.priority_changed",
                "case.fields_changed",
            ]
        ).order_by("occurred_at", "pk")
    ]


def test_a_delay_that_grows_then_is_cancelled_moves_its_cases_along(
    supervisor, django_capture_on_commit_callbacks
):
    # Given two passengers' cases opened for a delay of 3 h 15 min
    ann, ann2 = open_cases(supervisor, django_capture_on_commit_callbacks)
    assert state(ann) == (
        "flight.delay",
        "normal",
        f"{ON_THE_DAY} is delayed by 3 h 15 min: Ann Smith",
    )
    disruption_id = Disruption.objects.get().pk

    # When the delay grows to 6 h 15 min (version 2)
    post(supervisor, LATER, django_capture_on_commit_callbacks)

    # Then only the subject follows
    assert state(ann) == (
        "flight.delay",
        "normal",
        f"{ON_THE_DAY} is delayed by 6 h 15 min: Ann Smith",
    )

    # When the flight is cancelled (version 3)
    post(supervisor, CANCELLED, django_capture_on_commit_callbacks)

    # Then both cases are cancellation cases of high priority, said in the subject
    assert state(ann) == (
        "flight.cancellation",
        "high",
        f"{ON_THE_DAY} is cancelled: Ann Smith",
    )
    assert state(ann2) == (
        "flight.cancellation",
        "high",
        f"{ON_THE_DAY} is cancelled: Ann Smith2",
    )
    assert changes(ann) == [
        (
            "case.fields_changed",
            "PaxCare",
            {
                "old": {"subject": f"{ON_THE_DAY} is delayed by 3 h 15 min: Ann Smith"},
                "new": {"subject": f"{ON_THE_DAY} is delayed by 6 h 15 min: Ann Smith"},
                "disruption": disruption_id,
                "version": 2,
            },
        ),
        (
            "case.category_changed",
            "PaxCare",
            {
                "old": {"category": "flight.delay", "kind": "claim"},
                "new": {"category": "flight.cancellation", "kind": "claim"},
                "disruption": disruption_id,
                "version": 3,
            },
        ),
        (
            "case.priority_changed",
            "PaxCare",
            {
                "old": "normal",
                "new": "high",
                "disruption": disruption_id,
                "version": 3,
            },
        ),
        (
            "case.fields_changed",
            "PaxCare",
            {
                "old": {"subject": f"{ON_THE_DAY} is delayed by 6 h 15 min: Ann Smith"},
                "new": {"subject": f"{ON_THE_DAY} is cancelled: Ann Smith"},
                "disruption": disruption_id,
                "version": 3,
            },
        ),
    ]
    assert ann.events.filter(type="disruption.updated").count() == 2
    assert Case.objects.filter(subject__contains="cancelled").count() == 2
    assert CaseFact.objects.get(case=ann).category_code == "flight.cancellation"
    assert Case.objects.filter(department__code="disruption-care").count() == 2


def test_a_delay_that_becomes_a_diversion_is_a_diversion_case_of_high_priority(
    supervisor, django_capture_on_commit_callbacks
):
    # Given the cases of a delay
    ann, _ann2 = open_cases(supervisor, django_capture_on_commit_callbacks)

    # When the flight turns out diverted
    post(supervisor, DIVERTED, django_capture_on_commit_callbacks)

    # Then the case is a diversion case of high priority
    assert state(ann) == (
        "flight.diversion",
        "high",
        f"{ON_THE_DAY} was diverted: Ann Smith",
    )


def test_a_cancellation_back_to_a_delay_lowers_only_what_paxcare_raised(
    supervisor, django_capture_on_commit_callbacks
):
    # Given delay cases, one of which an agent set to high by hand
    ann, ann2 = open_cases(supervisor, django_capture_on_commit_callbacks)
    change_priority(ann2, "high", actor=supervisor.user)
    post(supervisor, CANCELLED, django_capture_on_commit_callbacks)
    assert state(ann)[:2] == state(ann2)[:2] == ("flight.cancellation", "high")

    # When the cancellation is corrected back to the delay
    post(supervisor, LATER, django_capture_on_commit_callbacks)

    # Then the case PaxCare raised is normal again, the agent's stays high
    assert state(ann)[:2] == ("flight.delay", "normal")
    assert state(ann2)[:2] == ("flight.delay", "high")


def test_an_agents_category_subject_and_priority_stand(
    supervisor, django_capture_on_commit_callbacks
):
    # Given delay cases, one an agent made urgent and filed as denied boarding
    ann, ann2 = open_cases(supervisor, django_capture_on_commit_callbacks)
    boarding = Category.objects.get(code="flight.denied_boarding")
    change_category(ann2, boarding, actor=supervisor.user)
    change_priority(ann2, "urgent", actor=supervisor.user)
    subject = Case.objects.get(pk=ann2.pk).subject

    # When the flight is cancelled
    post(supervisor, CANCELLED, django_capture_on_commit_callbacks)

    # Then the agent's category and urgency stand; the subject still follows
    assert state(ann2) == (
        "flight.denied_boarding",
        "urgent",
        f"{ON_THE_DAY} is cancelled: Ann Smith2",
    )
    assert subject != ann2.subject
    assert state(ann)[:2] == ("flight.cancellation", "high")


def test_a_subject_an_agent_changed_by_hand_stands():
    # Given a delay case whose subject an agent rewrote (a change on the timeline)
    record = record_flight_event(event(CA981))
    load_manifest(record.flight, [passenger(1)])
    care_for_disruption(record.disruption.pk)
    case = Case.objects.get()
    agent = make_agent("care.agent", departments=("disruption-care",))
    with transaction.atomic():
        case.subject = "Ann Smith: missed her wedding"
        case.save(update_fields=["subject"])
        build_event(
            case,
            "case.fields_changed",
            actor=agent,
            data={"old": {"subject": "x"}, "new": {"subject": case.subject}},
        ).save()

    # When the flight is cancelled
    care_for_disruption(record_flight_event(event(CANCELLED)).disruption.pk)

    # Then the subject is the agent's, the category follows
    assert state(case) == (
        "flight.cancellation",
        "high",
        "Ann Smith: missed her wedding",
    )


def test_a_case_the_disruption_joined_keeps_what_the_passenger_wrote():
    # Given a passenger's own case about the flight, joined by the delay
    own = make_case(
        subject="Where is my flight?",
        description="CA981 has not left, what now?",
        email="ann1@example.com",
        flight_number="CA981",
        flight_date="2026-12-20",
        category="flight.delay",
    )
    record = record_flight_event(event(CA981))
    load_manifest(record.flight, [passenger(1)])
    care_for_disruption(record.disruption.pk)
    assert AffectedPassenger.objects.get().opened_case is False

    # When the flight is cancelled
    care_for_disruption(record_flight_event(event(CANCELLED)).disruption.pk)

    # Then the passenger's case is as it was
    assert state(own) == ("flight.delay", own.priority, "Where is my flight?")
    assert changes(own) == []


def test_a_new_category_routed_elsewhere_moves_and_assigns_the_case():
    # Given an administrator who routes cancellations to customer relations
    record = record_flight_event(event(CA981))
    load_manifest(record.flight, [passenger(1)])
    care_for_disruption(record.disruption.pk)
    relations = Department.objects.exclude(code="disruption-care").order_by("pk")[0]
    agent = make_agent("rel.agent", departments=(relations.code,))
    CategoryRoute.objects.filter(category__code="flight.cancellation").update(
        department=relations
    )

    # When the flight is cancelled
    care_for_disruption(record_flight_event(event(CANCELLED)).disruption.pk)

    # Then the case is routed there and assigned to its agent
    case = Case.objects.get()
    assert (case.department, case.assignee) == (relations, agent)
    routed = case.events.filter(type="case.routed").last()
    assert routed.data == {"old": "disruption-care", "new": relations.code}


def queries_to_follow(passengers: int, number: str) -> tuple[int, int]:
    """Cancel a delayed flight of ``passengers``; return (cases changed, queries)."""
    flight = {**CA981, "flight_number": number}
    record = record_flight_event(event(flight))
    load_manifest(record.flight, [passenger(n) for n in range(1, passengers + 1)])
    care_for_disruption(record.disruption.pk)
    cancelled = record_flight_event(event({**flight, "type": "cancellation"}))
    disruption = cancelled.disruption
    rows = list(
        AffectedPassenger.objects.filter(disruption=disruption)
        .select_related("entry", "case")
        .order_by("pk")
    )
    updates = [
        build_event(
            row.case, "disruption.updated", data={"old_kind": "delay", "old_version": 1}
        )
        for row in rows
    ]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        changed = follow_corrections(disruption, rows, updates, disruption.updated_at)
    return changed, len(queries)


def test_following_a_batch_costs_the_same_queries_for_two_or_eight_cases():
    # Given the delay cases of two flights, of two and eight passengers
    # When each flight's cancellation is followed as one batch
    small = queries_to_follow(2, "CA981")
    large = queries_to_follow(8, "CA983")

    # Then every case changed, and the larger batch took no more queries
    assert (small[0], large[0]) == (2, 8)
    assert small[1] == large[1]
