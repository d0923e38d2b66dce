"""Passengers open their own files as downloads; filed files need no words."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from paxcare.cases.events import EventType
from paxcare.cases.models import Attachment, Case, Message
from paxcare.cases.services import add_note, reply_to_passenger
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db

FILING = {
    "kind": "claim",
    "description": "My suitcase did not arrive in Beijing after CA982.",
    "passenger_name": "Li Wei",
    "email": "li.wei@example.com",
}
PDF = b"%PDF-1.4 receipt"


def pdf(name: str = "receipt.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def file_with_files(client, *files, language: str = "en") -> Case:
    client.post(
        "/complaint/",
        {**FILING, "attachments": list(files)},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    return Case.objects.get()


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


def test_files_filed_with_a_case_belong_to_the_case_not_to_a_message(client):
    case = file_with_files(client, pdf("a.pdf"), pdf("b.pdf"), language="zh-hans")

    assert Message.objects.filter(case=case).count() == 0
    files = list(case.attachments.order_by("original_name"))
    assert [(a.original_name, a.message_id) for a in files] == [
        ("a.pdf", None),
        ("b.pdf", None),
    ]
    events = case.events.filter(type=EventType.ATTACHMENT_ADDED)
    assert [(e.actor_label, e.channel, e.data["from"]) for e in events] == [
        ("", "web", "passenger"),
        ("", "web", "passenger"),
    ]


def test_the_case_page_lists_the_filed_files_under_the_description(client):
    case = file_with_files(client, pdf("receipt.pdf"), language="zh-hans")
    attachment = case.attachments.get()

    page = client.get(f"/track/{case.number}/", HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200
    link = f'href="/track/{case.number}/attachments/{attachment.pk}/"'
    assert link in page.text
    assert "Attached to my case" not in page.text
    assert "附件" not in page.text.split('id="id_body"')[0]


def test_the_passenger_downloads_a_filed_file(client):
    case = file_with_files(client, pdf("收据 1.pdf"))
    attachment = case.attachments.get()

    response = client.get(f"/track/{case.number}/attachments/{attachment.pk}/")

    assert response.status_code == 200
    assert downloaded(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E6%94%B6%E6%8D%AE%201.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_the_passenger_downloads_a_file_of_an_agents_reply(client):
    case = file_with_files(client)
    agent = make_agent("bag.agent", departments=("baggage",))
    from paxcare.cases.attachments import check_uploads

    checked, _errors = check_uploads([pdf("voucher.pdf")])
    message = reply_to_passenger(case, "Your voucher.", actor=agent, files=checked)
    attachment = message.attachments.get()

    response = client.get(f"/track/{case.number}/attachments/{attachment.pk}/")

    assert response.status_code == 200
    assert downloaded(response) == PDF


def test_another_session_cannot_download(client):
    case = file_with_files(client, pdf())
    attachment = case.attachments.get()
    client.cookies.clear()

    response = client.get(f"/track/{case.number}/attachments/{attachment.pk}/")

    assert response.status_code == 404


def test_a_file_of_another_case_is_not_found_through_mine(client):
    mine = file_with_files(client)
    other = make_case()
    attachment = _stored_attachment(other, None)

    response = client.get(f"/track/{mine.number}/attachments/{attachment.pk}/")

    assert response.status_code == 404


def test_a_file_on_a_staff_note_is_not_found_for_the_passenger(client):
    case = file_with_files(client)
    agent = make_agent("bag.agent", departments=("baggage",))
    note = add_note(case, "Scan of the PIR.", actor=agent)
    attachment = _stored_attachment(case, note)

    response = client.get(f"/track/{case.number}/attachments/{attachment.pk}/")

    assert response.status_code == 404


def test_media_files_are_not_published(client):
    case = file_with_files(client, pdf())
    attachment = case.attachments.get()

    response = client.get(f"/media/{attachment.file.name}")

    assert response.status_code == 404


def _stored_attachment(case: Case, message) -> Attachment:
    attachment = Attachment(
        case=case,
        message=message,
        original_name="pir.pdf",
        content_type="application/pdf",
        size_bytes=len(PDF),
        sha256="0" * 64,
        uploaded_at=timezone.now(),
    )
    attachment.file.save("pir.pdf", ContentFile(PDF), save=False)
    attachment.save()
    return attachment
