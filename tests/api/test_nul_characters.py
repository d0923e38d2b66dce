"""A NUL character or a far-off date is a field error wherever it enters, never a
database error.

PostgreSQL cannot store U+0000 in text; without these checks it answers a 500.
"""

import pytest

from paxcare.cases.models import Case
from paxcare.routing.services import reassign_case
from tests.factories import make_case

pytestmark = pytest.mark.django_db

NUL = "bag\x00gage"
MESSAGE = "Text must not contain NUL characters."


def fields_of(response) -> list[tuple[str, str, str]]:
    return [
        (f["field"], f["code"], f["message"])
        for f in response.json()["error"]["fields"]
    ]


@pytest.mark.parametrize(
    "field",
    ["description", "subject", "external_id", "passenger_name", "category"],
)
def test_a_nul_in_a_new_case_field_is_named(baggage_agent, field):
    body = {"description": "My bag is late.", field: NUL}

    response = baggage_agent.post("/cases", body)

    assert response.status_code == 422
    assert fields_of(response) == [(field, "nul_character", MESSAGE)]
    assert Case.objects.count() == 0


@pytest.mark.parametrize("param", ["q", "assignee", "category", "channel"])
def test_a_nul_in_a_list_filter_is_named(baggage_agent, param):
    response = baggage_agent.get("/cases", **{param: NUL})

    assert response.status_code == 422
    assert fields_of(response) == [(param, "nul_character", MESSAGE)]


def test_a_nul_in_a_status_filter_is_a_field_error(baggage_agent):
    response = baggage_agent.get("/cases", status=NUL)

    assert response.status_code == 422
    assert [f["code"] for f in response.json()["error"]["fields"]] == ["literal_error"]


def test_a_nul_in_a_message_body_is_named(baggage_agent):
    case = reassign_case(make_case(), baggage_agent.user, actor=None)

    response = baggage_agent.post(
        f"/cases/{case.number}/messages", {"type": "note", "body": NUL}
    )

    assert response.status_code == 422
    assert fields_of(response) == [("body", "nul_character", MESSAGE)]


def test_a_nul_in_a_patched_assignee_is_named(baggage_agent):
    case = reassign_case(make_case(), baggage_agent.user, actor=None)

    response = baggage_agent.patch(f"/cases/{case.number}", {"assignee": NUL})

    assert response.status_code == 422
    assert fields_of(response) == [("assignee", "nul_character", MESSAGE)]


def test_a_nul_in_a_social_post_is_named(baggage_agent):
    post = {
        "platform": "twitter",
        "post_id": "1",
        "text": NUL,
        "created_at": "2026-11-02T08:00:00Z",
    }

    response = baggage_agent.post("/intake/social", post)

    assert response.status_code == 422
    assert fields_of(response) == [("text", "nul_character", MESSAGE)]


def test_a_nul_in_a_case_number_is_the_usual_404(baggage_agent):
    response = baggage_agent.get("/cases/PX-2222%00-2222")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "value", ["0001-01-01", "0001-01-01T00:00:00", "9999-12-31T23:59:59"]
)
def test_a_date_filter_out_of_range_is_a_field_error(baggage_agent, value):
    response = baggage_agent.get("/cases", received_after=value)

    assert response.status_code == 422
    assert fields_of(response) == [
        (
            "received_after",
            "date_out_of_range",
            "Give a date between the years 1900 and 2999.",
        )
    ]
