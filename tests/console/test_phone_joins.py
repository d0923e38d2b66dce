"""A call about a disrupted flight joins the passenger's case: the form says so."""

import pytest
from django.contrib.messages import get_messages

from paxcare.cases.models import Case, Message
from paxcare.disruptions.models import AffectedPassenger
from paxcare.routing.models import Role
from tests.disruptions.conftest import AF_JFK_CDG, disrupt, passenger
from tests.factories import make_agent

CALL = {
    "passenger_name": "Ann Smith",
    "phone": "+33 6 12 34 56 78",
    "email": "",
    "language": "",
    "kind": "claim",
    "category": "flight.cancellation",
    "subject": "",
    "description": "Caller asks when the refund for AF23 arrives.",
    "flight_number": "AF23",
}


@pytest.fixture
def disrupted_case(people) -> Case:
    disrupt(
        AF_JFK_CDG,
        [passenger(1, phone="+33612345678")],
        type="cancellation",
    )
    return AffectedPassenger.objects.get().case


def notices(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_an_agent_who_cannot_see_the_case_is_told_who_handles_it(
    client_as, disrupted_case
):
    # given a baggage agent who takes a call about the cancelled flight
    # when they file it
    response = client_as("agent_a").post("/console/phone/", CALL)

    # then the call is on the disruption case, and the agent is told so, without
    # the number of a case they may not open
    assert response.status_code == 302
    assert response["Location"] == "/console/phone/"
    assert notices(response) == [
        "The call was added to the passenger's existing case, handled by "
        "Flight disruption care."
    ]
    assert Case.objects.count() == 1
    message = Message.objects.get(case=disrupted_case)
    assert message.body == "Caller asks when the refund for AF23 arrives."


def test_an_agent_who_can_see_the_case_is_taken_to_it(client, disrupted_case):
    # given an agent of disruption care
    agent = make_agent("care.a", role=Role.AGENT, departments=("disruption-care",))
    client.force_login(agent)

    # when they file the call
    response = client.post("/console/phone/", CALL)

    # then they land on the existing case, told that the call was added to it
    assert response["Location"] == f"/console/cases/{disrupted_case.number}/"
    assert notices(response) == [
        f"The call was added to the passenger's existing case {disrupted_case.number}."
    ]
