"""A social post's flight and booking are read from its text, conservatively."""

from datetime import date

import pytest

from paxcare.cases.models import Case, Message
from paxcare.disruptions.models import AffectedPassenger
from paxcare.intake.posts import booking_reference_in, flight_numbers_in
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
POST = {
    "platform": "twitter",
    "post_id": "tw-55",
    "text": "@united UA1545 cancelled again, booking XYZ789, stuck at EWR",
    "created_at": "2026-12-05T02:00:00Z",
    "author_handle": "@wangx",
}


@pytest.fixture
def wang_case(db) -> Case:
    disrupt(
        UA1545,
        [passenger(1, passenger_name="Wang Xiu", booking_reference="XYZ789")],
        type="cancellation",
    )
    return AffectedPassenger.objects.get().case


@pytest.fixture
def bridge(db) -> ApiClient:
    return ApiClient(make_agent("bridge", role=Role.ADMIN, departments=()))


def test_a_post_naming_its_flight_and_booking_lands_in_the_disruption_case(
    bridge, wang_case
):
    # given the disruption case of the passenger of booking XYZ789 on UA1545
    # when the bridge posts their tweet
    response = bridge.post("/intake/social", POST)

    # then the tweet is a message on that case, not a new case
    assert response.status_code == 200
    assert response.json()["case"]["number"] == wang_case.number
    assert Case.objects.count() == 1
    message = Message.objects.get(case=wang_case)
    assert message.body == POST["text"]
    # and it is shown as written by the post's author, not by the passenger
    assert message.author_label == "@wangx"


@pytest.mark.parametrize(
    ("text", "flight_number", "booking_reference"),
    [
        # a flight PaxCare has no record of (and a booking not on its manifest)
        ("UA999 cancelled again, booking XYZ788", "", "XYZ788"),
        # words followed by numbers are not flights; a code without a cue is not a
        # booking reference
        ("Landed at 10 on 3 bags lost, XYZ789", "", ""),
        # shouting is not a booking reference
        ("UA1545 BOOKING FAILED AGAIN", "UA1545", ""),
        # a word after a cue is not a booking reference
        ("ua1545 booking online never works", "UA1545", ""),
        # a record locator shaped like a flight number no flight on record has
        ("UA1545 cancelled, booking AB0001", "UA1545", "AB0001"),
        # the flight itself after a cue word is not a booking reference
        ("booking UA1545 cancelled", "UA1545", ""),
    ],
)
def test_only_flights_on_record_and_cued_references_are_taken(
    bridge, wang_case, text, flight_number, booking_reference
):
    # when a post says something else
    response = bridge.post("/intake/social", {**POST, "text": text})

    # then it opens its own case with only what it surely gives
    assert response.status_code == 201
    case = Case.objects.get(number=response.json()["case"]["number"])
    assert (case.flight_number, case.booking_reference) == (
        flight_number,
        booking_reference,
    )
    expected_date = date(2026, 12, 4) if flight_number else None
    assert case.flight_date == expected_date


def test_a_flight_far_from_the_post_date_is_not_taken(bridge, wang_case):
    # when a post about UA1545 comes two weeks before the flight on record
    late = {"text": "UA1545 cancelled again", "created_at": "2026-11-20T02:00:00Z"}
    response = bridge.post("/intake/social", {**POST, **late})

    # then it is not read as that flight, and opens its own case
    assert response.status_code == 201
    case = Case.objects.get(number=response.json()["case"]["number"])
    assert (case.flight_number, case.flight_date) == ("", None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("booking XYZ789", "XYZ789"),
        ("my PNR: k7m3px please", "K7M3PX"),
        ("Confirmation code is ABCDEF", "ABCDEF"),
        ("订单号XYZ789还没退款", "XYZ789"),
        ("预订编号：AB12CD", "AB12CD"),
        ("booking online is hopeless", ""),
        ("MY BOOKING ABCDEF IS GONE", ""),
        ("booking XYZ789 and booking XYZ788", ""),
        ("XYZ789 stuck", ""),
        ("rebooking 123456", ""),
    ],
)
def test_booking_references_follow_a_cue_word(text, expected):
    assert booking_reference_in(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@united UA1545 cancelled", ["UA1545"]),
        ("ua1545 and UA 1546", ["UA1545", "UA1546"]),
        ("at 10 on 3 by 5", []),
        ("@ab1234 says hi, ref XYZ789", []),
        ("A3 601 to Athens", ["A3601"]),
        # leading zeros are padding
        ("Flight CA0981 cancelled", ["CA981"]),
        # a link's path is not a flight
        ("see https://status.example/CA981 now", []),
    ],
)
def test_flight_numbers_are_read_from_the_text(text, expected):
    assert flight_numbers_in(text) == expected


def test_a_joined_post_sent_again_stays_on_the_case_it_joined(bridge, wang_case):
    # given a post that joined the disruption case
    assert bridge.post("/intake/social", POST).status_code == 200

    # when the same post id comes again, with other text
    again = bridge.post("/intake/social", {**POST, "text": "dup"})

    # then it names the case it joined and makes no case of its own
    assert again.status_code == 200
    assert again.json()["case"]["number"] == wang_case.number
    assert Case.objects.count() == 1
    assert Message.objects.filter(case=wang_case).count() == 1
