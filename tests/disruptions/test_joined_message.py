"""A message joined to a disruption case is written once, as the passenger wrote it."""

import pytest

from paxcare.cases.models import Case, Message
from paxcare.disruptions.models import AffectedPassenger
from paxcare.routing.models import Role
from tests.api.conftest import ApiClient
from tests.disruptions.conftest import UA_EWR_IAH_2013, disrupt, passenger
from tests.factories import make_agent

pytestmark = pytest.mark.django_db

UA1545 = {
    **UA_EWR_IAH_2013,
    "scheduled_departure": "2026-12-04T05:15:00-05:00",
    "scheduled_arrival": "2026-12-04T08:19:00-06:00",
}
TEXT = "My flight UA1545 was cancelled, I want my money back"


@pytest.fixture
def alice_case(db) -> Case:
    disrupt(
        UA1545,
        [passenger(1, email="alice@example.com", booking_reference="K7M3PX")],
        type="cancellation",
    )
    return AffectedPassenger.objects.get().case


def inbound(case: Case) -> list[str]:
    return list(
        Message.objects.filter(case=case, direction="inbound").values_list(
            "body", flat=True
        )
    )


def test_an_api_case_without_subject_joins_with_its_text_once(alice_case):
    # given an integration's token
    api = ApiClient(make_agent("web.bridge", role=Role.ADMIN, departments=()))

    # when it files the passenger's complaint without a subject
    response = api.post(
        "/cases",
        {
            "description": TEXT,
            "email": "Alice@Example.com",
            "flight_number": "ua 1545",
            "flight_date": "2026-12-04",
        },
    )

    # then the complaint is on the disruption case, written once
    assert response.json()["number"] == alice_case.number
    assert inbound(alice_case) == [TEXT]


def test_the_portal_form_without_subject_joins_with_its_text_once(client, alice_case):
    # when the passenger files the portal's form with an empty subject
    client.post(
        "/complaint/",
        {
            "kind": "claim",
            "subject": "",
            "description": TEXT,
            "booking_reference": "k7m3px",
            "flight_number": "UA1545",
            "flight_date": "2026-12-04",
            "email": "alice@example.com",
        },
    )

    # then the message is on the disruption case, written once
    assert inbound(alice_case) == [TEXT]


def test_a_subject_the_passenger_gave_is_kept_above_the_text(client, alice_case):
    # when the form has a subject of the passenger's own
    client.post(
        "/complaint/",
        {
            "kind": "claim",
            "subject": "Refund please",
            "description": TEXT,
            "booking_reference": "K7M3PX",
            "flight_number": "UA1545",
            "email": "alice@example.com",
        },
    )

    # then the message gives both
    assert inbound(alice_case) == [f"Refund please\n{TEXT}"]
