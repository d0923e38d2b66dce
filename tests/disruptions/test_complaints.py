"""A passenger writing later about the disrupted flight lands in the existing case."""

from datetime import date

import pytest

from paxcare.cases.models import Case, Message
from paxcare.disruptions.complaints import disruption_case_for, join_disruption_cases
from paxcare.disruptions.models import AffectedPassenger
from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import IntakeResult
from tests.disruptions.conftest import AF_JFK_CDG, disrupt, passenger

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(db) -> dict[str, Case]:
    disrupt(AF_JFK_CDG, [passenger(1), passenger(2)], type="cancellation")
    return {
        row.entry.email: row.case
        for row in AffectedPassenger.objects.select_related("entry", "case")
    }


def draft(**fields) -> CaseDraft:
    values = {
        "description": "Where is my compensation for AF23?",
        "channel": "email",
        "flight_number": "AF23",
    }
    values.update(fields)
    return CaseDraft(**values)


def test_the_same_passenger_about_the_same_flight_finds_their_case(cases):
    found = disruption_case_for(
        draft(email="ANN2@example.com", flight_date=date(2026, 1, 5))
    )

    assert found == cases["ann2@example.com"]


@pytest.mark.parametrize(
    "fields",
    [
        {"email": "someone@example.com"},
        {"email": "ann1@example.com", "flight_number": "AF24"},
        {"email": "ann1@example.com", "flight_date": date(2026, 1, 6)},
        {"email": "ann1@example.com", "flight_number": ""},
        {"email": "someone@example.com", "booking_reference": "K7M3P1"},
    ],
)
def test_others_and_other_flights_find_nothing(cases, fields):
    assert disruption_case_for(draft(**fields)) is None


def test_a_post_without_contact_is_matched_on_its_booking_reference(cases):
    found = disruption_case_for(draft(channel="social", booking_reference="k7m3p2"))

    assert found == cases["ann2@example.com"]


def test_a_booking_reference_without_its_flight_matches_no_post(cases):
    # given a public post that quotes a passenger's booking reference but names no
    # flight (anyone may have seen the reference), then it joins no case
    found = disruption_case_for(
        draft(channel="social", booking_reference="K7M3P2", flight_number="")
    )

    assert found is None


def test_the_intake_hook_files_the_message_on_the_existing_case(cases):
    pairs = [
        (draft(email="ann1@example.com", external_id="mail-1"), IntakeResult()),
        (draft(email="new@example.com"), IntakeResult()),
    ]

    join_disruption_cases(pairs)
    join_disruption_cases(pairs[:1])

    joined, other = pairs
    assert joined[1].case == cases["ann1@example.com"]
    assert other[1].case is None
    inbound = Message.objects.filter(direction=Message.Direction.INBOUND)
    assert [(m.case, m.body, m.external_id) for m in inbound] == [
        (cases["ann1@example.com"], "Where is my compensation for AF23?", "mail-1")
    ]


def test_the_claim_form_adds_to_the_passengers_own_case(client, cases):
    response = client.post(
        "/disruptions/AF23-20260105-JFK/claim/",
        {
            "booking_reference": "k7m3p1",
            "email": "ann1@example.com",
            "message": "I paid 40 USD for a taxi to the hotel.",
        },
    )

    assert response.status_code == 200
    assert response.context["joined"] is True
    case = cases["ann1@example.com"]
    assert response.context["case"] == case
    assert case.messages.get(direction="inbound").body == (
        "I paid 40 USD for a taxi to the hotel."
    )
    assert Case.objects.count() == 2


def test_a_claim_that_matches_no_booking_opens_a_new_case(client, cases):
    response = client.post(
        "/disruptions/AF23-20260105-JFK/claim/",
        {
            "booking_reference": "ZZZZZZ",
            "email": "ann1@example.com",
            "message": "I was on this flight too.",
        },
    )

    assert response.status_code == 200
    assert response.context["joined"] is False
    new = response.context["case"]
    assert (new.channel, new.category.code, new.flight_number) == (
        "web",
        "flight.cancellation",
        "AF23",
    )
    assert Case.objects.count() == 3


def test_a_bad_claim_form_is_shown_again(client, cases):
    response = client.post(
        "/disruptions/AF23-20260105-JFK/claim/",
        {"booking_reference": "K7", "email": "not-an-address", "message": ""},
    )

    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == [
        "booking_reference",
        "email",
        "message",
    ]


def test_paxcares_own_drafts_are_never_joined(cases):
    pairs = [(draft(channel="system", email="ann1@example.com"), IntakeResult())]

    join_disruption_cases(pairs)

    assert pairs[0][1].case is None
    assert not Message.objects.filter(direction=Message.Direction.INBOUND).exists()
