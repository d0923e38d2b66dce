"""An empty Message-ID is no id (QA session 2)."""

import pytest

from paxcare.cases.models import Case
from paxcare.comms.inbound import ingest_email
from tests.comms.raw import mail

pytestmark = pytest.mark.django_db


def test_two_mails_with_an_empty_message_id_from_two_passengers_are_two_cases():
    # Given Li Wei's mail whose Message-ID header is an empty "<>"
    first = ingest_email(mail(message_id=b"<>", body=b"My bag did not arrive.\r\n"))

    # When Ann Smith writes about something else, her client also sending "<>"
    second = ingest_email(
        mail(
            message_id=b"<>",
            sender=b"Ann Smith <ann@example.com>",
            subject=b"Refund for my cancelled flight",
            body=b"Please refund my ticket.\r\n",
        )
    )

    # Then each mail opens its own case, and no case carries the id "<>"
    assert (first.status, second.status) == ("filed", "filed")
    assert Case.objects.count() == 2
    assert "<>" not in set(Case.objects.values_list("external_id", flat=True))
