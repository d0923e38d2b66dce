"""Who may reach which case through the API: known ids, moves, assignments."""

import pytest

from paxcare.cases.models import Case
from paxcare.routing.models import Role
from paxcare.routing.services import reassign_case
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db


def test_a_known_external_id_of_a_hidden_case_is_refused_without_its_data(api_as):
    # given a ticketing case opened by an integration with a known external id
    ticketing = api_as("tix", departments=("ticketing",))
    body = {
        "description": "Refund please.",
        "external_id": "crm-1",
        "category": "ticketing.refund",
        "booking_reference": "K7M3PX",
    }
    opened = ticketing.post("/cases", body)
    baggage = api_as("bag", departments=("baggage",))

    # when a baggage agent posts the same external id
    response = baggage.post("/cases", {"description": "x", "external_id": "crm-1"})

    # then the answer names the conflict and nothing of the case
    assert opened.status_code == 201
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "external_id_taken"
    assert opened.json()["number"] not in response.content.decode()
    assert "K7M3PX" not in response.content.decode()
    assert Case.objects.filter(external_id="crm-1").count() == 1


def test_a_known_post_of_a_hidden_case_is_refused_on_the_social_webhook(api_as):
    post = {
        "platform": "twitter",
        "post_id": "5700001",
        "text": "Lost my bag",
        "author_handle": "@li",
        "airline": "UA",
        "created_at": "2026-11-30T08:00:00Z",
    }
    service = api_as("svc", role=Role.SUPERVISOR, departments=("baggage",))
    first = service.post("/intake/social", post)
    assert first.status_code == 201, first.json()
    stranger = api_as("tix", departments=("ticketing",))
    first_case = Case.objects.get(number=first.json()["case"]["number"])
    assert first_case.department.code != "ticketing"

    response = stranger.post("/intake/social", post)

    assert response.status_code == 409
    assert first_case.number not in response.content.decode()


def test_a_change_that_moves_the_case_out_of_sight_still_answers_200(api_as):
    agent = api_as("bag", departments=("baggage",))
    case = make_case(category="baggage.delayed")

    response = agent.patch(f"/cases/{case.number}", {"category": "ticketing.refund"})

    assert response.status_code == 200
    assert response.json()["category"] == "ticketing.refund"
    assert response.json()["department"] == "ticketing"
    assert agent.get(f"/cases/{case.number}").status_code == 404


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMIN])
def test_a_case_cannot_be_given_to_someone_who_cannot_work_it(api_as, role):
    supervisor = api_as("sup", role=Role.SUPERVISOR, departments=("baggage",))
    make_agent("looker", role=role, departments=("baggage",))
    case = make_case()

    response = supervisor.patch(f"/cases/{case.number}", {"assignee": "looker"})

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "assignee"


def test_a_case_cannot_be_given_to_an_agent_of_another_department(api_as):
    supervisor = api_as("sup", role=Role.SUPERVISOR, departments=("baggage",))
    make_agent("tix", departments=("ticketing",))
    case = make_case()

    response = supervisor.patch(f"/cases/{case.number}", {"assignee": "tix"})

    assert response.status_code == 422
    case.refresh_from_db()
    assert case.assignee is None or case.assignee.username != "tix"


def test_an_agent_takes_an_unassigned_case_but_not_a_colleagues(api_as):
    agent = api_as("bag.one", departments=("baggage",))
    colleague = make_agent("bag.two", departments=("baggage",))
    theirs = reassign_case(make_case(), colleague, actor=None)
    free = reassign_case(make_case(), None, actor=None)

    taken = agent.patch(f"/cases/{free.number}", {"assignee": "bag.one"})
    grabbed = agent.patch(f"/cases/{theirs.number}", {"assignee": "bag.one"})

    assert taken.status_code == 200
    assert taken.json()["assignee"] == "bag.one"
    assert grabbed.status_code == 403
    theirs.refresh_from_db()
    assert theirs.assignee == colleague


def test_new_cases_go_to_agents_not_to_the_supervisor(db):
    make_agent("boss", role=Role.SUPERVISOR, departments=("baggage",))
    make_agent("bag.one", departments=("baggage",))

    cases = [make_case() for _ in range(4)]

    assert {c.assignee.username for c in cases} == {"bag.one"}
