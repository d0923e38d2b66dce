"""The phone form and the dashboard."""

from paxcare.cases.events import EventType
from paxcare.cases.models import Case

CALL = {
    "passenger_name": "Zhang Min",
    "phone": "+86 138 0013 8000",
    "email": "",
    "language": "",
    "kind": "complaint",
    "category": "baggage.delayed",
    "subject": "",
    "description": "Caller's bag did not arrive on CA1501.",
    "flight_number": "CA1501",
}


def test_an_agent_logs_a_call_as_a_phone_case(client_as, people):
    response = client_as("agent_a").post("/console/phone/", CALL)

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/console/cases/{case.number}/"
    assert (case.channel, case.passenger.phone, case.flight_number) == (
        "phone",
        "+8613800138000",
        "CA1501",
    )
    created = case.events.get(type=EventType.CREATED)
    assert created.actor == people["agent_a"]


def test_a_bad_phone_number_is_refused_and_nothing_is_opened(client_as):
    response = client_as("agent_a").post("/console/phone/", {**CALL, "phone": "12"})

    assert response.status_code == 400
    assert response.context["form"].errors["phone"] == [
        "Enter the phone number with its country code, e.g. +86 138 0013 8000."
    ]
    assert Case.objects.count() == 0


def test_an_auditor_cannot_log_calls(client_as):
    response = client_as("auditor").post("/console/phone/", CALL)

    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_the_dashboard_shows_the_indicators(client_as, case):
    response = client_as("agent_a").get("/console/dashboard/")

    assert response.status_code == 200
    assert "Cases received" in response.text
    assert "delayed baggage" in response.text
    titles = [table.title for table in response.context["sections"]]
    assert titles[:4] == [
        "Summary",
        "Cases by category",
        "Cases by channel",
        "Cases by status",
    ]


def test_the_dashboard_takes_a_period(client_as, case):
    response = client_as("agent_a").get(
        "/console/dashboard/", {"start": "2001-01-01", "end": "2001-01-31"}
    )

    assert response.status_code == 200
    assert response.context["kpis"]["received"] == 0
