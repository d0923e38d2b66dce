"""Intake's batch hands each message about a disrupted flight to its case.

``join_disruption_cases`` matches a whole batch in one query: a draft naming its
flight among that flight's passengers, one without a flight number by its contact
on any flight, a post without a contact by its booking reference.
"""

import pytest

from paxcare.cases.models import Case
from paxcare.disruptions.complaints import join_disruption_cases
from paxcare.disruptions.models import AffectedPassenger
from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import IntakeResult, open_cases
from tests.disruptions.conftest import AF_JFK_CDG, disrupt, passenger

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(db) -> dict[str, Case]:
    rows = [passenger(1), passenger(2), passenger(3, email="", phone="+33612345678")]
    disrupt(AF_JFK_CDG, rows, type="cancellation")
    return {
        row.entry.booking_reference: row.case
        for row in AffectedPassenger.objects.select_related("entry", "case")
    }


def draft(**fields) -> CaseDraft:
    values = {"description": "Where is my refund?", "channel": "email"}
    values.update(fields)
    return CaseDraft(**values)


def test_one_batch_matches_by_flight_contact_and_booking_reference(cases):
    # given a batch of every kind of message about the cancelled flight, and others
    drafts = [
        draft(email="ANN1@example.com", flight_number="af23"),
        draft(email="ann2@example.com", booking_reference="K7M3P2"),
        draft(channel="social", flight_number="AF23", booking_reference="k7m3p3"),
        draft(phone="+33612345678", flight_number="AF23"),
        draft(email="ann1@example.com", flight_number="AF24"),
        draft(email="stranger@example.com", flight_number="AF23"),
    ]

    # when intake opens them in one batch
    results = open_cases(drafts)

    # then the first four land in the disruption's cases, the last two open new ones
    assert [r.case for r in results[:4]] == [
        cases["K7M3P1"],
        cases["K7M3P2"],
        cases["K7M3P3"],
        cases["K7M3P3"],
    ]
    assert [r.created for r in results] == [False] * 4 + [True] * 2
    assert not set(cases.values()) & {r.case for r in results[4:]}


def test_a_batch_without_flight_or_booking_costs_no_disruption_query(
    cases, django_assert_num_queries
):
    # given drafts that name no flight and no booking (most posts)
    pairs = [(draft(email=f"p{n}@example.com"), IntakeResult()) for n in range(3)]

    # when the hook looks at them, then it asks the database nothing
    with django_assert_num_queries(0):
        join_disruption_cases(pairs)
    assert [result.case for _, result in pairs] == [None, None, None]
