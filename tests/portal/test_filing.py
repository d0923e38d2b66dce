"""Filing a complaint or claim in the portal."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from paxcare.cases.models import Attachment, Case
from paxcare.crm.models import Passenger

pytestmark = pytest.mark.django_db

GOOD = {
    "kind": "claim",
    "subject": "",
    "description": "My suitcase did not arrive in Beijing after CA982.",
    "booking_reference": "k7m3px",
    "ticket_number": "999 1234567890",
    "flight_number": "CA982",
    "flight_date": "2026-11-02",
    "airport": "pek",
    "passenger_name": "Li Wei",
    "email": "li.wei@example.com",
    "phone": "+86 138 0013 8000",
}


def pdf(name: str = "receipt.pdf", size: int = 100) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4" + b"0" * (size - 8), "application/pdf")


def test_a_good_claim_opens_a_web_case_and_shows_its_number(client):
    response = client.post("/complaint/", GOOD)

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/complaint/{case.number}/filed/"
    assert (case.channel, case.kind, case.booking_reference, case.ticket_number) == (
        "web",
        "claim",
        "K7M3PX",
        "999-1234567890",
    )
    assert (case.flight_number, str(case.flight_date), case.airport) == (
        "CA982",
        "2026-11-02",
        "PEK",
    )
    confirmation = client.get(response["Location"])
    assert confirmation.status_code == 200
    assert case.number in confirmation.text


def test_the_confirmation_page_is_only_for_the_session_that_filed(client):
    client.post("/complaint/", GOOD)
    number = Case.objects.get().number
    client.cookies.clear()

    response = client.get(f"/complaint/{number}/filed/")

    assert response.status_code == 404


def test_files_are_kept_with_the_case(client):
    response = client.post(
        "/complaint/", {**GOOD, "attachments": [pdf("a.pdf"), pdf("b.pdf")]}
    )

    assert response.status_code == 302
    case = Case.objects.get()
    assert sorted(a.original_name for a in case.attachments.all()) == ["a.pdf", "b.pdf"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"email": "li.wei@"}, "email", "Enter a valid e-mail address."),
        ({"email": ""}, "email", "This field is required."),
        (
            {"phone": "12345"},
            "phone",
            "Enter the phone number with its country code, e.g. +86 138 0013 8000.",
        ),
        (
            {"description": "x" * (10 * 1024 * 1024)},
            "description",
            "This is too long: at most 20000 characters, and it has 10485760. Only "
            "the first 20000 are shown below.",
        ),
        ({"description": "   "}, "description", "This field is required."),
        (
            {"flight_number": "981"},
            "flight_number",
            "A flight number looks like CA981 or MU5101.",
        ),
        ({"airport": "QQQ"}, "airport", "Unknown airport code."),
        ({"flight_date": "yesterday"}, "flight_date", "Enter a valid date."),
        (
            {"attachments": pdf(size=10 * 1024 * 1024 + 1)},
            "attachments",
            "receipt.pdf: larger than 10 MB",
        ),
        (
            {"attachments": SimpleUploadedFile("tool.exe", b"MZ\x90\x00binary")},
            "attachments",
            "tool.exe: only PDF, JPEG, PNG, GIF, WebP and plain text files are "
            "accepted",
        ),
        (
            {"attachments": [pdf(f"{i}.pdf") for i in range(6)]},
            "attachments",
            "At most 5 files per message.",
        ),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_created(
    client, change, field, message
):
    response = client.post("/complaint/", {**GOOD, **change})

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert Case.objects.count() == 0
    assert Passenger.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_the_form_keeps_what_was_typed(client):
    response = client.post("/complaint/", {**GOOD, "email": "li.wei@"})

    assert 'value="li.wei@"' in response.text
    assert "My suitcase did not arrive in Beijing after CA982." in response.text
    assert 'value="CA982"' in response.text


def test_html_in_the_description_is_kept_as_text_and_shown_escaped(client):
    text = "<img src=x onerror=alert(1)> my bag"
    client.post("/complaint/", {**GOOD, "description": text})
    case = Case.objects.get()

    response = client.get(f"/track/{case.number}/")

    assert case.description == text
    assert "&lt;img src=x onerror=alert(1)&gt; my bag" in response.text
    assert "<img src=x" not in response.text


def test_an_oversized_description_is_not_echoed_back_whole(client):
    # Given a complaint whose description is 10 MB of text
    description = "x" * (10 * 1024 * 1024)

    # When it is posted
    response = client.post("/complaint/", {**GOOD, "description": description})

    # Then the form comes back with the first 20,000 characters only, and says why
    body = response.content.decode()
    assert response.status_code == 400
    assert body.count("x" * 20_000) == 1
    assert "x" * 20_001 not in body
    assert len(response.content) < 100_000
    assert (
        "This is too long: at most 20000 characters, and it has 10485760. Only the "
        "first 20000 are shown below."
    ) in body
