"""Tracking a case by number and e-mail, replying, and the look-up limit."""

import re

import pytest

from paxcare.cases.models import Message
from paxcare.cases.services import add_note, reply_to_passenger
from paxcare.portal.ratelimit import TRACK_LIMIT
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db

NOT_FOUND = "We found no case with this number and e-mail address."


@pytest.fixture
def case():
    return make_case(email="li.wei@example.com", description="My bag is late.")


def look_up(client, number: str, email: str):
    return client.post("/track/", {"number": number, "email": email})


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_the_right_number_and_e_mail_open_the_case(client, case):
    response = look_up(client, case.number.lower(), "LI.WEI@example.com")

    assert response.status_code == 302
    assert response["Location"] == f"/track/{case.number}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "My bag is late." in page.text
    assert page.context["case"] == case


def test_someone_elses_case_and_a_missing_number_get_the_same_answer(client, case):
    wrong_email = look_up(client, case.number, "someone@example.com")
    missing = look_up(client, "PX-2222-2222", "someone@example.com")

    assert (wrong_email.status_code, missing.status_code) == (404, 404)
    assert NOT_FOUND in wrong_email.text
    assert without_tokens(wrong_email.text).replace(case.number, "N") == without_tokens(
        missing.text
    ).replace("PX-2222-2222", "N")


def test_look_ups_are_limited_per_client_address(client, case):
    answers = [
        look_up(client, "PX-2222-2222", "x@example.com").status_code for _ in range(12)
    ]

    assert answers == [404] * TRACK_LIMIT + [429, 429]
    limited = look_up(client, case.number, "li.wei@example.com")
    assert limited.status_code == 429
    assert "Too many look-ups from your connection." in limited.text


def test_another_address_has_its_own_limit(client, case):
    for _ in range(TRACK_LIMIT + 1):
        look_up(client, "PX-2222-2222", "x@example.com")

    response = client.post(
        "/track/",
        {"number": case.number, "email": "li.wei@example.com"},
        REMOTE_ADDR="10.0.0.9",
    )

    assert response.status_code == 302


def test_the_passenger_sees_replies_but_never_internal_notes(client, case):
    agent = make_agent("bag.agent", departments=("baggage",))
    reply_to_passenger(case, "Your bag arrives tonight.", actor=agent)
    add_note(case, "Passenger sounded upset.", actor=agent)
    look_up(client, case.number, "li.wei@example.com")

    response = client.get(f"/track/{case.number}/")

    assert "Your bag arrives tonight." in response.text
    assert "Passenger sounded upset." not in response.text
    assert "open" in response.context["case"].get_status_display()


def test_the_passenger_replies_and_reloads_without_the_e_mail(client, case):
    look_up(client, case.number, "li.wei@example.com")

    response = client.post(f"/track/{case.number}/reply/", {"body": "Any news?"})
    reloaded = client.get(f"/track/{case.number}/")

    assert response.status_code == 302
    assert response["Location"] == f"/track/{case.number}/#latest"
    assert list(case.messages.values_list("direction", "body")) == [
        ("inbound", "Any news?")
    ]
    assert "Any news?" in reloaded.text


def test_a_reply_with_a_bad_file_is_refused_and_nothing_is_kept(client, case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    look_up(client, case.number, "li.wei@example.com")
    bad = SimpleUploadedFile("x.exe", b"MZ\x90\x00")

    response = client.post(
        f"/track/{case.number}/reply/", {"body": "See file.", "attachments": bad}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["attachments"] == [
        "x.exe: only PDF, JPEG, PNG, GIF, WebP and plain text files are accepted"
    ]
    assert not Message.objects.exists()


def test_without_a_look_up_the_case_page_asks_for_the_e_mail(client, case):
    response = client.get(f"/track/{case.number}/")

    assert response.status_code == 302
    assert response["Location"] == f"/track/?number={case.number}"


def test_without_a_look_up_a_reply_is_not_found(client, case):
    response = client.post(f"/track/{case.number}/reply/", {"body": "Hello?"})

    assert response.status_code == 404
    assert not Message.objects.exists()
