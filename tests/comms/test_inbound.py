"""Filing received mail: new cases, threads, duplicates, noise, bounces, limits."""

from io import BytesIO, StringIO

import pytest
from django.core.management import call_command

from paxcare.cases.models import Case, Message
from paxcare.cases.services import change_status
from paxcare.comms.inbound import ingest_email, ingest_emails
from paxcare.comms.models import ContactFlag, InboundMail, Notification
from tests.comms.raw import BIG_PNG, PDF, b64, mail, multipart, part
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db


def acknowledged_case(django_capture_on_commit_callbacks, **fields) -> tuple[Case, str]:
    """Return a case opened by mail and the Message-ID of its acknowledgement."""
    with django_capture_on_commit_callbacks(execute=True):
        filed = ingest_email(mail(**fields))
    ack = Notification.objects.get(case=filed.case, purpose="acknowledgement")
    return filed.case, ack.mail_id


def test_a_new_mail_opens_a_case_keeps_the_raw_and_is_acknowledged_in_thread(
    django_capture_on_commit_callbacks, mailoutbox
):
    raw = mail(subject="Bag lost on CA981", body=b"My blue suitcase is missing.\r\n")

    with django_capture_on_commit_callbacks(execute=True):
        filed = ingest_email(raw)

    case = Case.objects.select_related("passenger").get(pk=filed.case.pk)
    assert (filed.status, filed.created) == ("filed", True)
    assert (case.channel, case.subject) == ("email", "Bag lost on CA981")
    assert case.description == "My blue suitcase is missing."
    assert case.external_id == "<m1@mail.example.com>"
    assert (case.passenger.email, case.passenger.full_name) == (
        "li.wei@example.com",
        "Li Wei",
    )
    inbound = InboundMail.objects.get(case=case)
    assert inbound.raw.read() == raw
    ack = mailoutbox[0]
    assert ack.subject == f"[{case.number}] We have received your request"
    assert ack.extra_headers["In-Reply-To"] == "<m1@mail.example.com>"


def test_the_same_message_id_twice_makes_one_case_and_one_message():
    first = ingest_email(mail())
    again = ingest_email(
        mail(
            (b"Received", b"from mx2.example.com"),
        )
    )
    batch = ingest_emails([mail(message_id=b"<m2@x>"), mail(message_id=b"<m2@x>")])

    assert again.status == "duplicate"
    assert again.case == first.case
    assert [f.status for f in batch] == ["filed", "duplicate"]
    assert Case.objects.count() == 2
    assert InboundMail.objects.count() == 2


def test_a_reply_to_our_message_id_is_filed_on_its_case(
    django_capture_on_commit_callbacks,
):
    case, ack_id = acknowledged_case(django_capture_on_commit_callbacks)

    filed = ingest_email(
        mail(
            (b"In-Reply-To", ack_id),
            message_id=b"<m2@mail.example.com>",
            subject=b"Re: something else entirely",
            body=b"Here is my bag tag.\r\n",
            sender=b"LI WEI <Li.Wei@Example.com>",
        )
    )

    assert (filed.status, filed.case, filed.created) == ("filed", case, False)
    message = Message.objects.get(case=case, direction="inbound")
    assert message.body == "Here is my bag tag."
    assert message.external_id == "<m2@mail.example.com>"


def test_the_case_tag_threads_only_mail_from_the_cases_passenger(
    django_capture_on_commit_callbacks,
):
    case, _ = acknowledged_case(django_capture_on_commit_callbacks)
    subject = f"回复: 【{case.number}】 我们已收到您的来信".encode()

    own = ingest_email(mail(subject=subject, message_id=b"<m2@x>"))
    stranger = ingest_email(
        mail(subject=subject, message_id=b"<m3@x>", sender=b"mallory@example.com")
    )

    assert own.case == case and own.created is False
    assert stranger.created is True and stranger.case != case


@pytest.mark.parametrize(
    "subject",
    [
        b"Re: Ticket #732 has been updated",
        b"Re: [#PX2345] your request",
        b"E-ticket 999-1234567890 refund",
        b"Booking K7M3PX changed",
        b"[PX-0000-1111] not a number we issue",
    ],
)
def test_numbers_of_other_systems_never_thread(
    subject, django_capture_on_commit_callbacks
):
    acknowledged_case(django_capture_on_commit_callbacks)

    filed = ingest_email(mail(subject=subject, message_id=b"<other@x>"))

    assert filed.created is True


def test_a_reply_to_a_closed_case_reopens_it_by_default(
    django_capture_on_commit_callbacks,
):
    case, ack_id = acknowledged_case(
        django_capture_on_commit_callbacks, subject=b"Refund"
    )
    Case.objects.filter(pk=case.pk).update(status="closed")

    filed = ingest_email(mail((b"In-Reply-To", ack_id), message_id=b"<m2@x>"))

    case.refresh_from_db()
    assert filed.case == case
    assert (case.status, case.reopened_count) == ("open", 1)


def test_a_reply_to_a_closed_case_opens_a_linked_case_by_setting(
    settings, django_capture_on_commit_callbacks
):
    settings.COMMS_REPLY_TO_CLOSED = "new"
    case, ack_id = acknowledged_case(django_capture_on_commit_callbacks)
    Case.objects.filter(pk=case.pk).update(status="closed")

    filed = ingest_email(mail((b"In-Reply-To", ack_id), message_id=b"<m2@x>"))

    assert filed.created is True and filed.case != case
    follow_up = filed.case.events.get(type="mail.follow_up_case")
    assert follow_up.data == {"follows": case.number}
    assert case.events.get(type="mail.followed_up").data == {
        "follow_up": filed.case.number
    }
    case.refresh_from_db()
    assert case.status == "closed"


@pytest.mark.parametrize(
    ("headers", "subject", "reason"),
    [
        ([(b"Auto-Submitted", b"auto-replied")], b"Re: your case", "automatic"),
        ([(b"X-Autoreply", b"yes")], b"Re: your case", "automatic"),
        ([(b"Precedence", b"bulk")], b"Newsletter", "automatic"),
        ([(b"X-Autorespond", b"1")], b"Re: your case", "automatic"),
        ([(b"List-Id", b"<offers.airline.example>")], b"Deals", "mailing_list"),
        ([], b"Automatic reply: your case", "automatic"),
        ([], "自动回复：您的来信已收到".encode(), "automatic"),
        ([], b"Out of Office: back on Monday", "automatic"),
    ],
)
def test_automatic_mail_opens_no_case_and_gets_no_answer(
    headers, subject, reason, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        filed = ingest_email(mail(*headers, subject=subject))

    assert (filed.status, filed.reason, filed.case) == ("ignored", reason, None)
    assert Case.objects.count() == 0
    assert mailoutbox == []
    assert InboundMail.objects.get().raw.size > 0


def test_mail_from_our_own_address_or_with_our_own_id_is_ignored(
    settings, django_capture_on_commit_callbacks
):
    settings.COMMS_OWN_ADDRESSES = ["alerts@paxcare.invalid"]
    case, ack_id = acknowledged_case(django_capture_on_commit_callbacks)

    ours = ingest_email(mail(sender=b"care@paxcare.invalid", message_id=b"<a@x>"))
    alias = ingest_email(
        mail(sender=b"Alerts <ALERTS@paxcare.invalid>", message_id=b"<b@x>")
    )
    echo = ingest_email(mail(message_id=ack_id.encode()))

    assert [f.reason for f in (ours, alias, echo)] == ["own_address"] * 3
    assert Case.objects.count() == 1


def test_an_auto_reply_to_our_mail_is_noted_on_the_case(
    django_capture_on_commit_callbacks,
):
    case, ack_id = acknowledged_case(django_capture_on_commit_callbacks)

    filed = ingest_email(
        mail(
            (b"Auto-Submitted", b"auto-replied"),
            (b"In-Reply-To", ack_id),
            message_id=b"<oof@x>",
            subject=b"Out of office",
        )
    )

    assert (filed.status, filed.case) == ("ignored", case)
    assert case.messages.count() == 0
    assert case.events.get(type="mail.ignored").data["reason"] == "automatic"


def dsn(original_id: str, recipient: str, action: str, status: str) -> bytes:
    report = multipart(
        [
            part(
                [("Content-Type", "text/plain")], b"Delivery to the recipient failed."
            ),
            part(
                [("Content-Type", "message/delivery-status")],
                b"Reporting-MTA: dns; mx.example.com\r\n\r\n"
                + f"Final-Recipient: rfc822; {recipient}\r\nAction: {action}\r\n"
                f"Status: {status}\r\n".encode()
                + b"Diagnostic-Code: smtp; 550 No such user\r\n",
            ),
            part(
                [("Content-Type", "text/rfc822-headers")],
                f"Message-ID: {original_id}\r\nSubject: [PX] x\r\n".encode(),
            ),
        ]
    )
    return mail(
        (b"Return-Path", b"<>"),
        sender=b"Mail Delivery System <MAILER-DAEMON@mx.example.com>",
        subject=b"Undelivered Mail Returned to Sender",
        message_id=b"<dsn1@mx.example.com>",
        content_type=b"multipart/report; report-type=delivery-status; "
        b'boundary="b0undary"',
        body=report,
    )


def test_a_bounce_fails_the_notification_and_flags_the_address(
    django_capture_on_commit_callbacks,
):
    case, ack_id = acknowledged_case(django_capture_on_commit_callbacks)

    filed = ingest_email(dsn(ack_id, "li.wei@example.com", "failed", "5.1.1"))

    assert (filed.status, filed.case) == ("bounce", case)
    ack = Notification.objects.get(mail_id=ack_id)
    assert (ack.status, ack.last_error) == (
        "failed",
        "bounced 5.1.1 smtp; 550 No such user",
    )
    assert ContactFlag.objects.filter(address="li.wei@example.com").exists()
    assert Case.objects.count() == 1


def test_a_full_mailbox_bounce_does_not_block_the_address(
    django_capture_on_commit_callbacks,
):
    case, ack_id = acknowledged_case(django_capture_on_commit_callbacks)

    ingest_email(dsn(ack_id, "li.wei@example.com", "failed", "5.2.2"))

    assert Notification.objects.get(mail_id=ack_id).status == "failed"
    assert not ContactFlag.objects.exists()


def test_a_delivery_report_marks_the_notification_delivered(
    django_capture_on_commit_callbacks,
):
    case, ack_id = acknowledged_case(django_capture_on_commit_callbacks)

    ingest_email(dsn(ack_id, "li.wei@example.com", "delivered", "2.0.0"))

    assert Notification.objects.get(mail_id=ack_id).status == "delivered"
    assert case.events.filter(type="notification.delivered").count() == 1


def test_a_sender_over_the_limit_is_kept_but_not_filed(settings):
    settings.COMMS_INBOUND_SENDER_LIMIT = 2

    results = ingest_emails([mail(message_id=f"<r{i}@x>".encode()) for i in range(3)])
    later = ingest_email(mail(message_id=b"<r9@x>"))

    assert [r.status for r in results] == ["filed", "filed", "rate_limited"]
    assert later.status == "rate_limited"
    assert Case.objects.count() == 2
    assert InboundMail.objects.count() == 4


def test_files_over_the_limits_are_dropped_and_noted_on_the_case(settings):
    settings.ATTACHMENT_MAX_FILES = 2
    attachments = [
        part(
            [
                ("Content-Type", "application/pdf"),
                ("Content-Transfer-Encoding", "base64"),
                ("Content-Disposition", f'attachment; filename="r{i}.pdf"'),
            ],
            b64(PDF),
        )
        for i in range(3)
    ]
    extras = [
        part(
            [
                ("Content-Type", "application/zip"),
                ("Content-Disposition", 'attachment; filename="all.zip"'),
            ],
            b"PK\x03\x04zip",
        ),
        part(
            [
                ("Content-Type", "image/png"),
                ("Content-ID", "<logo@x>"),
                ("Content-Transfer-Encoding", "base64"),
            ],
            b64(BIG_PNG[:200]),
        ),
    ]
    body = multipart(
        [
            part([("Content-Type", "text/plain")], b"Receipts attached."),
            *attachments,
            *extras,
        ]
    )

    filed = ingest_email(
        mail(content_type=b'multipart/mixed; boundary="b0undary"', body=body)
    )

    case = filed.case
    assert sorted(case.attachments.values_list("original_name", flat=True)) == [
        "r0.pdf",
        "r1.pdf",
    ]
    dropped = case.events.get(type="mail.parts_dropped").data["dropped"]
    assert [(d["name"], d["reason"]) for d in dropped] == [
        ("r2.pdf", "too_many_files"),
        ("all.zip", "type_or_size"),
        ("logo.png", "small_inline_image"),
    ]
    assert filed.message.body == "Attached to my e-mail: r0.pdf, r1.pdf"


def test_a_very_long_text_and_subject_are_shortened_with_a_note():
    body = ("My bag is lost. " * 3000).encode()
    subject = ("Lost bag " * 60).encode()

    filed = ingest_email(mail(subject=subject, body=body))

    case = filed.case
    assert len(case.subject) == 300 and case.subject.endswith("…")
    assert len(case.description) == 20_000
    assert case.description.endswith(
        "[Shortened: the full text is in the original e-mail.]"
    )
    dropped = case.events.get(type="mail.parts_dropped").data["dropped"]
    assert dropped == [{"name": "", "reason": "text_truncated", "chars": 47999}]


def test_a_mail_without_text_or_sender_is_still_kept():
    empty = ingest_email(mail(body=b"", message_id=b"<e1@x>"))
    nobody = ingest_email(b"Subject: hello\r\n\r\nno headers to speak of\r\n")

    assert empty.case.description == "(The e-mail has no text.)"
    assert (nobody.status, nobody.reason) == ("ignored", "no_sender")
    assert InboundMail.objects.count() == 2


def test_the_ingest_email_command_reads_standard_input(monkeypatch):
    stdin = StringIO()
    stdin.buffer = BytesIO(mail(subject=b"Refund please"))
    monkeypatch.setattr("sys.stdin", stdin)
    out = StringIO()

    call_command("ingest_email", stdout=out)

    case = Case.objects.get()
    assert out.getvalue().strip() == f"filed {case.number}"
    assert InboundMail.objects.get().source == "pipe"


def test_an_agents_pending_case_reopens_when_the_passenger_answers(
    django_capture_on_commit_callbacks,
):
    agent = make_agent("bag1")
    case = make_case(email="li.wei@example.com")
    change_status(case, "pending", actor=agent)

    ingest_email(mail(subject=f"Re: [{case.number}] We need more information".encode()))

    case.refresh_from_db()
    assert case.status == "open"
    assert case.messages.get().body == "Hello."


def test_a_mail_that_breaks_intake_fails_alone_and_the_rest_are_filed(monkeypatch):
    from paxcare.comms import inbound

    real_open_cases = inbound.open_cases

    def open_cases(drafts):
        if any(d.subject == "poison" for d in drafts):
            raise RuntimeError("a bug somewhere in intake")
        return real_open_cases(drafts)

    monkeypatch.setattr(inbound, "open_cases", open_cases)

    results = ingest_emails(
        [
            mail(message_id=f"<p{i}@x>".encode(), subject=s)
            for i, s in enumerate([b"fine", b"poison", b"also fine"])
        ]
    )

    assert [(r.status, r.reason) for r in results] == [
        ("filed", ""),
        ("failed", "error"),
        ("filed", ""),
    ]
    assert Case.objects.count() == 2
    assert InboundMail.objects.get(mail_id="<p1@x>").raw.size > 0
