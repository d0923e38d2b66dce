"""The API lists a message's files and serves them with the same token."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from paxcare.cases.attachments import check_uploads
from paxcare.cases.services import add_case_files, reply_to_passenger
from paxcare.routing.services import reassign_case
from tests.factories import make_case

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 voucher"


def checked(name: str):
    files, errors = check_uploads([SimpleUploadedFile(name, PDF)])
    assert errors == []
    return files


@pytest.fixture
def case(baggage_agent):
    case = make_case()
    return reassign_case(case, baggage_agent.user, actor=None)


def test_messages_list_their_attachments(baggage_agent, case):
    message = reply_to_passenger(
        case, "Voucher.", actor=baggage_agent.user, files=checked("voucher.pdf")
    )
    attachment = message.attachments.get()

    response = baggage_agent.get(f"/cases/{case.number}/messages")

    assert response.status_code == 200
    assert response.json()[0]["attachments"] == [
        {
            "id": attachment.pk,
            "name": "voucher.pdf",
            "size": len(PDF),
            "type": "application/pdf",
            "url": f"/api/v1/cases/{case.number}/attachments/{attachment.pk}",
        }
    ]


def test_the_case_lists_files_sent_with_it(baggage_agent, case):
    filed = add_case_files(case, checked("pir.pdf"), channel="web")[0]

    response = baggage_agent.get(f"/cases/{case.number}")

    assert [a["id"] for a in response.json()["attachments"]] == [filed.pk]


def test_an_attachment_downloads_with_the_token(baggage_agent, case):
    filed = add_case_files(case, checked("pir.pdf"), channel="web")[0]

    response = baggage_agent.get(f"/cases/{case.number}/attachments/{filed.pk}")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="pir.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_another_departments_attachment_is_the_usual_404(api_as, case):
    filed = add_case_files(case, checked("pir.pdf"), channel="web")[0]
    outsider = api_as("tkt.agent", departments=("ticketing",))

    response = outsider.get(f"/cases/{case.number}/attachments/{filed.pk}")

    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": "No case with this number.",
            "fields": [],
        }
    }


def test_an_unknown_attachment_id_is_a_404(baggage_agent, case):
    response = baggage_agent.get(f"/cases/{case.number}/attachments/999999")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
