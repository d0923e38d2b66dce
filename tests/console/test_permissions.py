"""The console's permission matrix: every role against every kind of page."""

import pytest

from paxcare.cases.models import Message

PERSONAS = [
    "anonymous",
    "agent_a",
    "agent_b",
    "supervisor",
    "auditor",
    "admin",
    "superuser",
    "no_profile",
]


def _persona(name: str) -> str | None:
    return None if name == "anonymous" else name


@pytest.mark.parametrize(
    ("persona", "expected"),
    list(zip(PERSONAS, [302, 200, 200, 200, 200, 200, 200, 403], strict=True)),
)
def test_queue_page(client_as, case, persona, expected):
    client = client_as(_persona(persona))

    response = client.get("/console/")

    assert response.status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    list(zip(PERSONAS, [302, 200, 404, 200, 200, 200, 200, 403], strict=True)),
)
def test_case_page(client_as, case, persona, expected):
    client = client_as(_persona(persona))

    response = client.get(f"/console/cases/{case.number}/")

    assert response.status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected", "replies"),
    list(
        zip(
            PERSONAS,
            [302, 302, 404, 302, 403, 302, 302, 403],
            [0, 1, 0, 1, 0, 1, 1, 0],
            strict=True,
        )
    ),
)
def test_reply(client_as, case, persona, expected, replies):
    client = client_as(_persona(persona))

    response = client.post(
        f"/console/cases/{case.number}/reply/", {"body": "We are on it."}
    )

    assert response.status_code == expected
    outbound = Message.objects.filter(case=case, direction=Message.Direction.OUTBOUND)
    assert outbound.count() == replies


@pytest.mark.parametrize(
    ("persona", "expected", "assignee"),
    list(
        zip(
            PERSONAS,
            [302, 403, 404, 302, 403, 302, 302, 403],
            [
                "agent_a",
                "agent_a",
                "agent_a",
                "agent_a2",
                "agent_a",
                "agent_a2",
                "agent_a2",
                "agent_a",
            ],
            strict=True,
        )
    ),
)
def test_reassign_to_someone_else(client_as, people, case, persona, expected, assignee):
    client = client_as(_persona(persona))

    response = client.post(
        f"/console/cases/{case.number}/assignee/", {"assignee": people["agent_a2"].pk}
    )

    assert response.status_code == expected
    case.refresh_from_db()
    assert case.assignee == people[assignee]


@pytest.mark.parametrize(
    ("persona", "expected"),
    list(zip(PERSONAS, [302, 200, 200, 200, 200, 200, 200, 403], strict=True)),
)
def test_dashboard(client_as, case, persona, expected):
    client = client_as(_persona(persona))

    response = client.get("/console/dashboard/")

    assert response.status_code == expected


def test_anonymous_visitors_are_sent_to_sign_in(client, case):
    response = client.get(f"/console/cases/{case.number}/")

    assert response.status_code == 302
    assert response["Location"] == f"/console/login/?next=/console/cases/{case.number}/"


def test_the_dashboard_counts_only_the_cases_the_user_sees(client_as, case):
    seen_by_a = client_as("agent_a").get("/console/dashboard/").context["kpis"]
    seen_by_b = client_as("agent_b").get("/console/dashboard/").context["kpis"]

    assert seen_by_a["received"] == 1
    assert seen_by_b["received"] == 0


def test_an_agent_takes_an_unassigned_case(client_as, people, case):
    from paxcare.routing.services import reassign_case

    reassign_case(case, None, actor=people["supervisor"])
    client = client_as("agent_a2")

    response = client.post(
        f"/console/cases/{case.number}/assignee/", {"assignee": people["agent_a2"].pk}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assignee == people["agent_a2"]


def test_an_agent_cannot_take_a_case_someone_else_has(client_as, people, case):
    client = client_as("agent_a2")

    response = client.post(
        f"/console/cases/{case.number}/assignee/", {"assignee": people["agent_a2"].pk}
    )

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.assignee == people["agent_a"]


def test_every_post_needs_the_csrf_token(people, case):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people["agent_a"])

    response = client.post(f"/console/cases/{case.number}/note/", {"body": "no token"})

    assert response.status_code == 403
    assert not Message.objects.filter(case=case, body="no token").exists()


def test_an_auditor_sees_the_case_without_any_form(client_as, case):
    response = client_as("auditor").get(f"/console/cases/{case.number}/")

    assert response.status_code == 200
    assert f'action="/console/cases/{case.number}/reply/"' not in response.text
    assert "read only" in response.text


def test_an_inactive_agent_is_sent_to_sign_in(client, people, case):
    people["agent_a"].is_active = False
    people["agent_a"].save()
    client.force_login(people["agent_a"])

    response = client.get("/console/")

    assert response.status_code == 302


def test_a_refused_post_is_logged_as_one_line_without_a_traceback(
    client_as, people, case
):
    # given the log's own handler, written to a buffer
    import io
    import logging

    handler = next(
        h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler
    )
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        # when an agent is refused a case someone else has
        response = client_as("agent_a2").post(
            f"/console/cases/{case.number}/assignee/",
            {"assignee": people["agent_a2"].pk},
        )
    finally:
        handler.setStream(previous)

    # then the log says so in one line, with no traceback
    assert response.status_code == 403
    logged = buffer.getvalue()
    assert f"Forbidden (Permission denied): /console/cases/{case.number}/assignee/" in (
        logged
    )
    assert "Traceback" not in logged
    assert len(logged.strip().splitlines()) == 1
