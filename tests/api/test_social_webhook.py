from datetime import timedelta

import pytest
from django.utils import timezone

from paxcare.cases.models import Case
from paxcare.crm.models import Passenger

pytestmark = pytest.mark.django_db

POST = {
    "platform": "twitter",
    "post_id": "567592368451248130",
    "author_handle": "@traveller",
    "text": "@united my flight to IAH is 3 hours late and nobody tells us why",
    "created_at": "2015-02-16T23:52:00-08:00",
    "airline": "United",
}


def test_a_post_becomes_a_social_case(baggage_agent):
    response = baggage_agent.post("/intake/social", POST)

    assert response.status_code == 201
    data = response.json()
    assert data["created"] is True
    case = Case.objects.select_related("passenger").get(number=data["case"]["number"])
    assert case.channel == "social"
    assert case.external_id == "567592368451248130"
    assert case.airline == "UA"
    assert case.received_at.isoformat() == "2015-02-17T07:52:00+00:00"
    assert case.passenger.social_handle == "@traveller"


def test_the_same_post_twice_is_one_case(baggage_agent):
    first = baggage_agent.post("/intake/social", POST)

    again = baggage_agent.post("/intake/social", POST)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["created"] is False
    assert again.json()["case"]["number"] == first.json()["case"]["number"]
    assert Case.objects.count() == 1
    assert Passenger.objects.count() == 1


def test_other_platforms_keep_their_ids_apart(baggage_agent):
    baggage_agent.post("/intake/social", POST)

    other = baggage_agent.post("/intake/social", POST | {"platform": "weibo"})

    assert other.status_code == 201
    assert set(Case.objects.values_list("external_id", flat=True)) == {
        "567592368451248130",
        "weibo:567592368451248130",
    }


def fields_of(response) -> list[tuple[str, str, str]]:
    return [
        (f["field"], f["code"], f["message"])
        for f in response.json()["error"]["fields"]
    ]


def test_a_post_without_text_names_the_text_field(baggage_agent):
    # when a post arrives with blank text
    response = baggage_agent.post("/intake/social", POST | {"text": "   "})

    # then the error names the field the client sent, "text"
    assert response.status_code == 422
    assert fields_of(response) == [("text", "required", "Describe the problem.")]
    assert Case.objects.count() == 0


def test_a_post_from_the_future_names_created_at(baggage_agent):
    response = baggage_agent.post(
        "/intake/social", POST | {"created_at": "2030-01-01T00:00:00Z"}
    )

    assert response.status_code == 422
    assert fields_of(response) == [
        (
            "created_at",
            "in_future",
            "This time is in the future: a case can be received at most 5 minutes "
            "ahead of the server's clock.",
        )
    ]
    assert Case.objects.count() == 0


def test_a_post_from_before_2000_names_created_at(baggage_agent):
    response = baggage_agent.post(
        "/intake/social", POST | {"created_at": "1990-01-01T00:00:00Z"}
    )

    assert response.status_code == 422
    assert fields_of(response) == [
        (
            "created_at",
            "too_early",
            "Times before 2000-01-01 are not accepted; check the year.",
        )
    ]


def test_a_post_a_few_minutes_ahead_of_our_clock_is_accepted(baggage_agent):
    # given a bridge whose clock runs two minutes fast
    ahead = timezone.now() + timedelta(minutes=2)

    response = baggage_agent.post(
        "/intake/social", POST | {"created_at": ahead.isoformat()}
    )

    assert response.status_code == 201
    assert Case.objects.get().received_at == ahead.replace(
        microsecond=ahead.microsecond
    )


def test_a_post_without_a_date_is_a_field_error(baggage_agent):
    body = {k: v for k, v in POST.items() if k != "created_at"}

    response = baggage_agent.post("/intake/social", body)

    assert response.status_code == 422
    assert [f["field"] for f in response.json()["error"]["fields"]] == ["created_at"]
