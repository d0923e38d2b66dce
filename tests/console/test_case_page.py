"""The console's case page: timeline, clocks, and the changes made on it."""

from django.utils.timezone import localtime

from paxcare.cases.models import Case, Message
from paxcare.cases.services import add_note, add_passenger_message, reply_to_passenger
from tests.factories import complete_playbook, make_case

SCRIPT = '<script>alert("x")</script><b>bold</b>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;"


def test_the_timeline_runs_oldest_first_with_events_messages_and_notes(
    client_as, people, case
):
    agent = people["agent_a"]
    reply_to_passenger(case, "First answer.", actor=agent)
    add_note(case, "Checked the bag tag.", actor=agent)
    add_passenger_message(case, "Thanks, any news?", channel="web")

    response = client_as("agent_a").get(f"/console/cases/{case.number}/")

    entries = response.context["timeline"]
    bodies = [e.message.body for e in entries if e.message]
    assert bodies == ["First answer.", "Checked the bag tag.", "Thanks, any news?"]
    assert entries[0].event_type == "case.created"
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert "Status changed from new to open." in response.text


def test_every_text_on_the_page_is_escaped(client_as, people):
    case = make_case(subject=SCRIPT, description=SCRIPT, passenger_name=SCRIPT)
    add_passenger_message(case, SCRIPT, channel="web")
    add_note(case, SCRIPT, actor=people["agent_a"])

    response = client_as("agent_a").get(f"/console/cases/{case.number}/")

    assert SCRIPT not in response.text
    assert "<script>" not in response.text
    # Subject, description, name, the message's author and body, the note.
    assert response.text.count(ESCAPED) == 6


def test_the_clocks_are_shown(client_as, case):
    response = client_as("agent_a").get(f"/console/cases/{case.number}/")

    kinds = [clock["kind"] for clock in response.context["clocks"]]
    assert kinds == ["first_response", "resolution"]
    assert "First response" in response.text or "first response" in response.text


def test_a_reply_reaches_the_passenger_and_opens_the_case(client_as, case):
    client = client_as("agent_a")

    response = client.post(
        f"/console/cases/{case.number}/reply/",
        {"body": "Your bag is on the next flight.", "new_status": "pending"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/console/cases/{case.number}/"
    case.refresh_from_db()
    assert case.status == "pending"
    assert case.first_response_at is not None
    message = case.messages.get()
    assert (message.direction, message.body) == (
        "outbound",
        "Your bag is on the next flight.",
    )


def test_an_empty_reply_is_refused_next_to_the_field(client_as, case):
    response = client_as("agent_a").post(
        f"/console/cases/{case.number}/reply/", {"body": ""}
    )

    assert response.status_code == 400
    assert response.context["reply_form"].errors == {
        "body": ["This field is required."]
    }
    assert not case.messages.exists()


def test_a_note_stays_internal(client_as, case):
    response = client_as("agent_a").post(
        f"/console/cases/{case.number}/note/", {"body": "Call the station."}
    )

    assert response.status_code == 302
    assert list(case.messages.values_list("direction", "body")) == [
        ("internal", "Call the station.")
    ]


def test_an_invalid_status_change_shows_the_conflict(client_as, case):
    response = client_as("agent_a").post(
        f"/console/cases/{case.number}/status/", {"status": "closed"}
    )

    assert response.status_code == 409
    assert "A case cannot go from new to closed." in response.text
    case.refresh_from_db()
    assert case.status == "new"


def test_a_valid_status_change_is_saved(client_as, people, case):
    complete_playbook(case, people["agent_a"])

    response = client_as("agent_a").post(
        f"/console/cases/{case.number}/status/", {"status": "resolved"}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.resolved_at is not None) == ("resolved", True)


def test_a_category_correction_within_the_department_is_saved(client_as, case):
    response = client_as("agent_a").post(
        f"/console/cases/{case.number}/category/",
        {"category": "baggage.damaged", "kind": "claim"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/console/cases/{case.number}/"
    case.refresh_from_db()
    assert (case.category.code, case.kind, case.department.code) == (
        "baggage.damaged",
        "claim",
        "baggage",
    )


def test_a_category_that_moves_the_case_away_sends_the_agent_back_to_the_queue(
    client_as, case
):
    response = client_as("agent_a").post(
        f"/console/cases/{case.number}/category/",
        {"category": "ticketing.refund", "kind": "claim"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/console/"
    assert Case.objects.get(pk=case.pk).department.code == "ticketing"


def test_an_unknown_category_is_a_field_error(client_as, case):
    response = client_as("agent_a").post(
        f"/console/cases/{case.number}/category/", {"category": "nope", "kind": "claim"}
    )

    assert response.status_code == 400
    assert list(response.context["category_form"].errors) == ["category"]


def test_the_priority_is_saved(client_as, case):
    response = client_as("agent_a").post(
        f"/console/cases/{case.number}/priority/", {"priority": "urgent"}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.priority == "urgent"


def test_a_supervisor_unassigns_a_case(client_as, case):
    response = client_as("supervisor").post(
        f"/console/cases/{case.number}/assignee/", {"assignee": ""}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assignee is None


def test_a_missing_case_number_is_not_found(client_as, case):
    response = client_as("agent_a").get("/console/cases/PX-2222-2222/")

    assert response.status_code == 404


def test_a_reply_with_a_file_keeps_the_file(client_as, case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("voucher.pdf", b"%PDF-1.4 voucher", "application/pdf")

    response = client_as("agent_a").post(
        f"/console/cases/{case.number}/reply/",
        {"body": "Voucher attached.", "attachments": pdf},
    )

    assert response.status_code == 302
    message = Message.objects.get(case=case)
    assert [a.original_name for a in message.attachments.all()] == ["voucher.pdf"]


def test_the_timeline_names_each_sla_clock_and_its_due_time(client_as, case):
    clocks = {c.kind: c for c in case.clocks.all()}
    first_due = localtime(clocks["first_response"].due_at)

    response = client_as("agent_a").get(f"/console/cases/{case.number}/")

    started = [
        e.text for e in response.context["timeline"] if e.event_type == "sla.started"
    ]
    assert len(started) == 1
    assert "first response due " + first_due.strftime("%Y-%m-%d %H:%M") in started[0]
    assert "resolution due " in started[0]
    assert "—" not in started[0]
