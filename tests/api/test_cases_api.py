from datetime import UTC, datetime

import pytest

from paxcare.cases.models import Case, Event, Message
from paxcare.routing.models import Role
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db


def test_an_integration_opens_a_case_on_the_api_channel(baggage_agent):
    # given a case about a delayed bag
    body = {
        "description": "My bag did not arrive on CA982.",
        "category": "baggage.delayed",
        "kind": "claim",
        "email": "li.wei@example.com",
        "flight_number": "ca982",
    }

    # when it is posted
    response = baggage_agent.post("/cases", body)

    # then it is open, routed, on the api channel, and on the timeline
    assert response.status_code == 201
    data = response.json()
    case = Case.objects.get(number=data["number"])
    assert data["channel"] == "api"
    assert data["category"] == "baggage.delayed"
    assert data["department"] == "baggage"
    assert data["flight_number"] == "CA982"
    assert data["airline"] == "CA"
    assert case.channel == "api"
    assert case.events.filter(type="case.created").count() == 1


def test_the_same_external_id_answers_the_known_case(baggage_agent):
    body = {
        "description": "Lost bag.",
        "external_id": "crm-77",
        "category": "baggage.lost",
    }
    first = baggage_agent.post("/cases", body)

    second = baggage_agent.post("/cases", body)

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["number"] == first.json()["number"]
    assert Case.objects.filter(external_id="crm-77").count() == 1


@pytest.mark.parametrize("blank", ["", "   "])
def test_an_empty_external_id_is_no_id(baggage_agent, blank):
    body = {"description": "Lost bag.", "external_id": blank}

    first = baggage_agent.post("/cases", body)
    second = baggage_agent.post("/cases", body)

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["number"] != first.json()["number"]
    assert first.json()["external_id"] is None
    assert Case.objects.filter(external_id__isnull=True).count() == 2


def test_an_auditor_may_not_open_cases(api_as):
    auditor = api_as("qa", role=Role.AUDITOR, departments=())

    response = auditor.post("/cases", {"description": "Test."})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_the_list_shows_only_the_cases_the_agent_may_see(baggage_agent):
    # given one baggage case and one ticketing case
    bag = make_case(category="baggage.delayed")
    make_case(category="ticketing.refund", description="Refund please.")

    # when the baggage agent lists cases
    response = baggage_agent.get("/cases")

    # then only the baggage case is there
    assert response.status_code == 200
    assert [c["number"] for c in response.json()["items"]] == [bag.number]


def test_the_list_filters_by_status_category_channel_and_search(api_as):
    supervisor = api_as(
        "sup", role=Role.SUPERVISOR, departments=("baggage", "ticketing")
    )
    delayed = make_case(category="baggage.delayed", description="Bag stuck in Doha")
    make_case(category="baggage.damaged", description="Handle broken")
    refund = make_case(
        category="ticketing.refund", channel="email", description="Refund"
    )

    by_category = supervisor.get("/cases", category="baggage.delayed").json()["items"]
    by_channel = supervisor.get("/cases", channel="email").json()["items"]
    by_search = supervisor.get("/cases", q="doha").json()["items"]
    by_department = supervisor.get("/cases", department="ticketing").json()["items"]
    by_status = supervisor.get("/cases", status="resolved").json()["items"]

    assert [c["number"] for c in by_category] == [delayed.number]
    assert [c["number"] for c in by_channel] == [refund.number]
    assert [c["number"] for c in by_search] == [delayed.number]
    assert [c["number"] for c in by_department] == [refund.number]
    assert by_status == []


def test_the_list_filters_by_received_time(baggage_agent):
    old = make_case(received_at=datetime(2025, 1, 10, 8, 0, tzinfo=UTC))
    make_case(received_at=datetime(2025, 3, 10, 8, 0, tzinfo=UTC))

    response = baggage_agent.get(
        "/cases", received_after="2025-01-01T00:00:00Z", received_before="2025-02-01"
    )

    assert [c["number"] for c in response.json()["items"]] == [old.number]


def test_the_cursor_walks_every_case_once_newest_first(baggage_agent):
    # given five cases received a day apart
    cases = [
        make_case(received_at=datetime(2025, 1, day, 8, 0, tzinfo=UTC))
        for day in range(1, 6)
    ]

    # when the list is read two at a time
    seen, cursor = [], None
    for _page in range(5):
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = baggage_agent.get("/cases", **params).json()
        seen += [c["number"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    # then every case came once, newest first, and the walk ended
    assert seen == [c.number for c in reversed(cases)]
    assert cursor is None


def test_a_forged_cursor_is_a_field_error(baggage_agent):
    response = baggage_agent.get("/cases", cursor="not-a-cursor")

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "cursor"


def test_a_case_is_read_by_number_with_passenger_and_clocks(baggage_agent):
    case = make_case(email="li.wei@example.com")

    response = baggage_agent.get(f"/cases/{case.number.lower()}")

    assert response.status_code == 200
    data = response.json()
    assert data["number"] == case.number
    assert data["passenger"]["email"] == "li.wei@example.com"
    assert {clock["kind"] for clock in data["sla"]} == {"first_response", "resolution"}


def test_a_hidden_case_and_a_missing_one_answer_the_same_404(baggage_agent):
    hidden = make_case(category="ticketing.refund", description="Refund please.")

    hidden_response = baggage_agent.get(f"/cases/{hidden.number}")
    missing_response = baggage_agent.get("/cases/PX-2222-2222")

    assert hidden_response.status_code == missing_response.status_code == 404
    assert hidden_response.json() == missing_response.json()
    assert hidden_response.json() == {
        "error": {
            "code": "not_found",
            "message": "No case with this number.",
            "fields": [],
        }
    }


def test_patch_changes_status_priority_and_category_with_events(baggage_agent):
    # given a new baggage case
    case = make_case(category="baggage.delayed")

    # when the agent opens it, raises its priority and corrects its category
    response = baggage_agent.patch(
        f"/cases/{case.number}",
        {
            "status": "open",
            "priority": "high",
            "category": "baggage.lost",
            "kind": "claim",
        },
    )

    # then each change is made and written to the timeline
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["priority"], data["category"], data["kind"]) == (
        "open",
        "high",
        "baggage.lost",
        "claim",
    )
    types = set(Event.objects.filter(case=case).values_list("type", flat=True))
    assert {
        "case.status_changed",
        "case.priority_changed",
        "case.category_changed",
    } <= types


def test_patch_with_a_refused_transition_changes_nothing(baggage_agent):
    case = make_case(category="baggage.delayed")

    response = baggage_agent.patch(
        f"/cases/{case.number}", {"priority": "urgent", "status": "closed"}
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    case.refresh_from_db()
    assert (case.status, case.priority) == ("new", "normal")


def test_patch_with_an_unknown_category_is_a_field_error(baggage_agent):
    case = make_case()

    response = baggage_agent.patch(
        f"/cases/{case.number}", {"category": "baggage.gone"}
    )

    assert response.status_code == 422
    assert response.json()["error"]["fields"] == [
        {"field": "category", "code": "invalid_choice", "message": "Unknown category."}
    ]


def test_a_supervisor_reassigns_and_an_agent_may_not(api_as):
    supervisor = api_as("sup", role=Role.SUPERVISOR, departments=("baggage",))
    agent = api_as("bag.one", departments=("baggage",))
    other = make_agent("bag.two", departments=("baggage",))
    case = make_case()

    refused = agent.patch(f"/cases/{case.number}", {"assignee": "bag.two"})
    done = supervisor.patch(f"/cases/{case.number}", {"assignee": "bag.two"})

    assert refused.status_code == 403
    assert done.status_code == 200
    assert done.json()["assignee"] == "bag.two"
    case.refresh_from_db()
    assert case.assignee == other


def test_an_auditor_reads_but_may_not_change(api_as):
    auditor = api_as("qa", role=Role.AUDITOR, departments=())
    case = make_case()

    read = auditor.get(f"/cases/{case.number}")
    change = auditor.patch(f"/cases/{case.number}", {"priority": "high"})

    assert read.status_code == 200
    assert change.status_code == 403


def test_a_reply_is_the_first_response_and_a_note_stays_internal(baggage_agent):
    case = make_case()

    reply = baggage_agent.post(
        f"/cases/{case.number}/messages",
        {"type": "reply", "body": "We found your bag."},
    )
    note = baggage_agent.post(
        f"/cases/{case.number}/messages", {"type": "note", "body": "Courier booked."}
    )
    listed = baggage_agent.get(f"/cases/{case.number}/messages")

    assert (reply.status_code, note.status_code) == (201, 201)
    assert [(m["direction"], m["body"]) for m in listed.json()] == [
        ("outbound", "We found your bag."),
        ("internal", "Courier booked."),
    ]
    case.refresh_from_db()
    assert case.first_response_at is not None
    assert case.status == "open"


def test_a_reply_with_a_refused_status_is_not_sent(baggage_agent):
    case = make_case()

    response = baggage_agent.post(
        f"/cases/{case.number}/messages",
        {"type": "reply", "body": "Closing this.", "status": "closed"},
    )

    assert response.status_code == 409
    assert Message.objects.filter(case=case).count() == 0
    case.refresh_from_db()
    assert case.first_response_at is None


def test_a_full_width_case_number_finds_the_case_in_the_list(baggage_agent):
    case = make_case()
    typed = "".join(chr(ord(c) + 0xFEE0) for c in case.number)

    response = baggage_agent.get("/cases", q=typed)

    assert [item["number"] for item in response.json()["items"]] == [case.number]
