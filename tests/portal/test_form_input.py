"""Portal forms: NUL characters, lost file choices, full-width case numbers, dates."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.timezone import localtime

from paxcare.cases.models import Case
from tests.factories import make_case

pytestmark = pytest.mark.django_db

FILING = {
    "kind": "complaint",
    "description": "My suitcase did not arrive.",
    "email": "li.wei@example.com",
}
FILES_LOST = (
    "The files you chose were not kept: choose the files again before you send."
)


def test_a_nul_in_the_complaint_is_a_field_error(client):
    response = client.post("/complaint/", {**FILING, "description": "Bag\x00 lost"})

    assert response.status_code == 400
    assert response.context["form"].errors["description"] == [
        "Null characters are not allowed."
    ]
    assert Case.objects.count() == 0


def test_a_form_that_comes_back_asks_for_the_files_again(client):
    receipt = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt")

    response = client.post(
        "/complaint/", {**FILING, "email": "not-an-address", "attachments": receipt}
    )

    assert response.status_code == 400
    assert FILES_LOST in response.text


def test_a_form_without_files_does_not_mention_them(client):
    response = client.post("/complaint/", {**FILING, "email": "not-an-address"})

    assert response.status_code == 400
    assert FILES_LOST not in response.text


def test_a_reply_that_comes_back_asks_for_the_files_again(client):
    case = make_case(email="li.wei@example.com")
    client.post("/track/", {"number": case.number, "email": "li.wei@example.com"})
    receipt = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt")

    response = client.post(
        f"/track/{case.number}/reply/", {"body": "", "attachments": receipt}
    )

    assert response.status_code == 400
    assert FILES_LOST in response.text


def test_a_case_number_typed_in_full_width_finds_the_case(client):
    case = make_case(email="li.wei@example.com")
    full_width = "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in case.number
    )

    response = client.post(
        "/track/", {"number": full_width, "email": "li.wei@example.com"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/track/{case.number}/"


def test_the_case_page_shows_the_request_not_the_internal_category(client):
    case = make_case(email="li.wei@example.com", kind="claim")
    client.post("/track/", {"number": case.number, "email": "li.wei@example.com"})

    page = client.get(f"/track/{case.number}/")

    assert "<dt>Your request</dt><dd>claim</dd>" in page.text
    assert case.category.name not in page.text
    shown = localtime(case.received_at).strftime("%Y-%m-%d %H:%M")
    assert f"<dd>{shown}</dd>" in page.text
