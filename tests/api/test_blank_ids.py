"""A blank id is no id on every channel that takes one (QA session 2)."""

import pytest

from paxcare.cases.models import Case

pytestmark = pytest.mark.django_db

POST = {
    "platform": "weibo",
    "post_id": "   ",
    "author_handle": "@first",
    "text": "My flight to PVG is 3 hours late and nobody tells us why",
    "created_at": "2026-12-04T09:00:00+08:00",
}


def test_two_blank_post_ids_on_weibo_are_two_cases(baggage_agent):
    # Given a weibo post whose bridge sent a blank post id
    first = baggage_agent.post("/intake/social", POST)

    # When another passenger's post arrives, also with a blank post id
    second = baggage_agent.post(
        "/intake/social",
        POST | {"author_handle": "@second", "text": "My bag is lost at PVG"},
    )

    # Then each post opens its own case, and no case carries the id "weibo:"
    assert (first.status_code, second.status_code) == (201, 201)
    assert Case.objects.count() == 2
    assert list(Case.objects.values_list("external_id", flat=True)) == [None, None]


def test_an_api_external_id_with_spaces_around_is_the_same_id(baggage_agent):
    # Given a case filed through the API with external id "T-1"
    body = {"description": "Lost bag at JFK", "email": "ann@example.com"}
    first = baggage_agent.post("/cases", body | {"external_id": "T-1"})

    # When the client retries with the same id padded by whitespace
    again = baggage_agent.post("/cases", body | {"external_id": " T-1 "})

    # Then the retry names the first case
    assert (first.status_code, again.status_code) == (201, 200)
    assert Case.objects.count() == 1
