"""Staff open a case's files as downloads, only on the cases they may see."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from paxcare.cases.attachments import check_uploads
from paxcare.cases.services import add_case_files, reply_to_passenger

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 voucher"


def checked(name: str = "voucher.pdf"):
    files, errors = check_uploads([SimpleUploadedFile(name, PDF)])
    assert errors == []
    return files


@pytest.fixture
def attachment(case, people):
    message = reply_to_passenger(
        case, "Your voucher.", actor=people["agent_a"], files=checked()
    )
    return message.attachments.get()


def url(case, attachment) -> str:
    return f"/console/cases/{case.number}/attachments/{attachment.pk}/"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("agent_a", 200),
        ("agent_a2", 200),
        ("supervisor", 200),
        ("auditor", 200),
        ("superuser", 200),
        ("agent_b", 404),
        ("no_profile", 403),
    ],
)
def test_who_may_download_a_file(client_as, case, attachment, persona, status):
    response = client_as(persona).get(url(case, attachment))

    assert response.status_code == status


def test_the_download_is_an_attachment_with_the_stored_type(
    client_as, case, attachment
):
    response = client_as("agent_a").get(url(case, attachment))

    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="voucher.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_anonymous_visitors_are_sent_to_sign_in(client_as, case, attachment):
    response = client_as(None).get(url(case, attachment))

    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/")


def test_the_case_page_links_every_file(client_as, case, attachment):
    filed = add_case_files(case, checked("pir.pdf"), channel="web")[0]

    page = client_as("agent_a").get(f"/console/cases/{case.number}/")

    assert f'href="{url(case, attachment)}"' in page.text
    assert f'href="{url(case, filed)}"' in page.text
