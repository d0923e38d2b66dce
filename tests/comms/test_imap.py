"""The IMAP poller against a small IMAP server on loopback."""

import pytest

from paxcare.cases.models import Case
from paxcare.comms.imap import Mailbox as MailboxSettings
from paxcare.comms.imap import poll
from paxcare.comms.models import InboundMail
from tests.comms.imap_server import Mailbox, TinyImapServer
from tests.comms.raw import mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def imap():
    box = Mailbox("care", "s3cret")
    with TinyImapServer(box) as server:
        yield (
            box,
            MailboxSettings(
                host="127.0.0.1",
                port=server.port,
                user="care",
                password="s3cret",
                ssl=False,
            ),
        )


def test_the_poller_files_unread_mail_and_marks_it_seen(imap):
    box, settings = imap
    for index in range(3):
        box.add(
            mail(message_id=f"<imap{index}@x>".encode(), sender=f"p{index}@example.com")
        )

    first = poll(settings)
    second = poll(settings)

    assert (first, second) == (3, 0)
    assert Case.objects.count() == 3
    assert set(InboundMail.objects.values_list("source", flat=True)) == {"imap:INBOX"}
    assert all("\\Seen" in stored.flags for stored in box.messages)
    assert "UID FETCH 1,2,3 (BODY.PEEK[])" in box.commands


def test_a_message_read_again_after_a_crash_is_filed_once(imap):
    box, settings = imap
    box.add(mail(message_id=b"<again@x>"))
    poll(settings)

    box.messages[0].flags.clear()  # the poller died before it could mark the message
    again = poll(settings)

    assert again == 1
    assert Case.objects.count() == 1
    assert InboundMail.objects.count() == 1


def test_the_poller_can_delete_what_it_filed(imap):
    box, settings = imap
    box.add(mail(message_id=b"<del@x>"))

    poll(MailboxSettings(**{**settings.__dict__, "after": "delete"}))

    assert box.messages == []
    assert Case.objects.count() == 1
