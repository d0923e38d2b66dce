"""The inbound faults a QA pass found: failed mail retried, strangers kept out of
threads, Latin-1 read as Latin-1, bare case numbers from the passenger, two
cosmetic ones."""

from io import BytesIO, StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse
from django.utils import translation

from paxcare.cases.models import Case, Message
from paxcare.comms import inbound
from paxcare.comms.charsets import guess
from paxcare.comms.imap import Mailbox as MailboxSettings
from paxcare.comms.imap import poll
from paxcare.comms.inbound import ingest_email
from paxcare.comms.models import InboundMail, Notification
from paxcare.comms.parsing import parse
from paxcare.comms.timeline import describe
from paxcare.console.timeline import staff_timeline
from tests.comms.imap_server import Mailbox, TinyImapServer
from tests.comms.raw import b64, encoded_word, mail, multipart, part
from tests.factories import make_case

db = pytest.mark.django_db

ZHANG = "张伟 <zhang@example.com>".encode()


def broken_intake(monkeypatch, error: Exception | None = None):
    """Make opening cases fail the way a database outage does; return the undo."""
    real = inbound.open_cases

    def open_cases(drafts):
        raise error or OperationalError("server closed the connection")

    monkeypatch.setattr(inbound, "open_cases", open_cases)
    return lambda: monkeypatch.setattr(inbound, "open_cases", real)


def pipe(monkeypatch, raw: bytes) -> tuple[int, str]:
    """Run ``paxcare ingest-email`` on ``raw``; return its exit status and output."""
    stdin = StringIO()
    stdin.buffer = BytesIO(raw)
    monkeypatch.setattr("sys.stdin", stdin)
    out = StringIO()
    try:
        call_command("ingest_email", stdout=out, stderr=StringIO())
    except SystemExit as exit_:
        return exit_.code, out.getvalue().strip()
    return 0, out.getvalue().strip()


def acknowledged(django_capture_on_commit_callbacks, **fields) -> tuple[Case, str]:
    with django_capture_on_commit_callbacks(execute=True):
        filed = ingest_email(mail(**fields))
    return filed.case, Notification.objects.get(
        case=filed.case, purpose="acknowledgement"
    ).mail_id


# --- 1. A failed mail is tried again, not a duplicate ----------------------------


@db
def test_a_mail_that_failed_on_an_error_is_filed_when_delivered_again(monkeypatch):
    raw = mail(message_id=b"<outage@mail.example.com>", subject=b"Lost bag")
    restore = broken_intake(monkeypatch)
    first = ingest_email(raw)
    restore()

    again = ingest_email(raw)

    assert (first.status, first.reason, first.retry_later) == ("failed", "error", True)
    assert (again.status, again.reason, again.created) == ("filed", "", True)
    row = InboundMail.objects.get()
    assert (row.pk, row.status, row.reason) == (first.inbound.pk, "filed", "")
    assert row.case == again.case and row.case.subject == "Lost bag"
    assert row.raw.read() == raw
    assert ingest_email(raw).status == "duplicate"


@db
def test_a_reply_that_failed_on_an_error_is_filed_when_delivered_again(
    monkeypatch, django_capture_on_commit_callbacks
):
    case, ack_id = acknowledged(django_capture_on_commit_callbacks)
    reply = mail((b"In-Reply-To", ack_id), message_id=b"<r1@x>", body=b"Tag 123.")

    def add_passenger_message(*args, **kwargs):
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(inbound, "add_passenger_message", add_passenger_message)
    first = ingest_email(reply)
    monkeypatch.undo()
    again = ingest_email(reply)

    assert (first.status, first.reason) == ("failed", "error")
    assert (again.status, again.case, again.inbound.pk) == (
        "filed",
        case,
        first.inbound.pk,
    )
    assert list(case.messages.values_list("body", flat=True)) == ["Tag 123."]


@db
def test_ingest_email_asks_the_mail_server_to_try_again_after_an_error(monkeypatch):
    raw = mail(message_id=b"<pipe@x>", subject=b"Refund")
    restore = broken_intake(monkeypatch, RuntimeError("a bug in intake"))
    failed = pipe(monkeypatch, raw)
    restore()

    retried = pipe(monkeypatch, raw)

    case = Case.objects.get()
    assert failed == (75, "failed - error")
    assert retried == (0, f"filed {case.number}")
    assert InboundMail.objects.get().status == "filed"


@db
def test_ingest_email_asks_again_when_the_whole_batch_breaks(monkeypatch):
    def classify(parsed):
        raise RuntimeError("a bug in the noise rules")

    monkeypatch.setattr(inbound.noise, "classify", classify)

    status, _ = pipe(monkeypatch, mail(message_id=b"<batch@x>"))

    assert status == 75
    assert InboundMail.objects.count() == 0


@db
def test_a_mail_that_can_never_be_parsed_is_kept_and_not_retried(monkeypatch):
    def broken(raw):
        raise LookupError("a parser bug")

    monkeypatch.setattr(inbound, "parse", broken)

    status, out = pipe(monkeypatch, mail(message_id=b"<bad@x>"))

    assert (status, out) == (0, "failed - unparseable")
    assert InboundMail.objects.get().reason == "unparseable"


@db
def test_refile_mail_files_the_failed_mails_again(monkeypatch):
    restore = broken_intake(monkeypatch)
    ingest_email(mail(message_id=b"<f1@x>", subject=b"First"))
    ingest_email(mail(message_id=b"<f2@x>", subject=b"Second"))
    restore()
    filed_meanwhile = ingest_email(mail(message_id=b"<ok@x>"))
    rows = dict(InboundMail.objects.values_list("mail_id", "pk"))
    out = StringIO()

    call_command("refile_mail", "--all", stdout=out)

    subjects = dict(InboundMail.objects.values_list("mail_id", "case__subject"))
    numbers = dict(InboundMail.objects.values_list("mail_id", "case__number"))
    assert out.getvalue().splitlines() == [
        f"{rows['<f1@x>']} filed {numbers['<f1@x>']}",
        f"{rows['<f2@x>']} filed {numbers['<f2@x>']}",
        "2 of 2 failed mail(s) dealt with",
    ]
    assert subjects == {
        "<f1@x>": "First",
        "<f2@x>": "Second",
        "<ok@x>": filed_meanwhile.case.subject,
    }
    assert set(InboundMail.objects.values_list("status", flat=True)) == {"filed"}


@db
def test_the_admin_files_selected_failed_mails_again(client, monkeypatch):
    restore = broken_intake(monkeypatch)
    failed = ingest_email(mail(message_id=b"<adm@x>", subject=b"Wheelchair"))
    restore()
    admin = get_user_model().objects.create_superuser(
        "root", "r@example.com", "pw-123456"
    )
    client.force_login(admin)

    with translation.override("en"):
        page = client.post(
            reverse("admin:comms_inboundmail_changelist"),
            {"action": "refile_failed", "_selected_action": [failed.inbound.pk]},
            follow=True,
        )

    row = InboundMail.objects.get()
    assert (row.status, row.case.subject) == ("filed", "Wheelchair")
    assert [str(m) for m in page.context["messages"]] == [
        "Tried 1 failed mail(s) again: 1 dealt with, 0 still failed."
    ]


@db
def test_the_imap_poller_leaves_a_failed_message_unread_for_the_next_poll(
    monkeypatch,
):
    box = Mailbox("care", "s3cret")
    box.add(mail(message_id=b"<imapfail@x>"))
    with TinyImapServer(box) as server:
        settings = MailboxSettings(
            host="127.0.0.1",
            port=server.port,
            user="care",
            password="s3cret",
            ssl=False,
        )
        restore = broken_intake(monkeypatch)
        first = poll(settings)
        unread_after_failure = "\\Seen" not in box.messages[0].flags
        restore()
        second = poll(settings)

    assert (first, unread_after_failure, second) == (0, True, 1)
    assert "\\Seen" in box.messages[0].flags
    assert InboundMail.objects.get().status == "filed"
    assert Case.objects.count() == 1


# --- 2. Threading by Message-ID only for the case's passenger ---------------------


@db
@pytest.mark.parametrize("header", [b"In-Reply-To", b"References"])
def test_a_stranger_answering_our_mail_opens_a_case_of_their_own(
    header, django_capture_on_commit_callbacks
):
    case, ack_id = acknowledged(django_capture_on_commit_callbacks, sender=ZHANG)

    filed = ingest_email(
        mail(
            (header, ack_id),
            sender=b"Eve <eve@example.com>",
            message_id=b"<eve1@x>",
            subject=f"Re: [{case.number}] We have received your request".encode(),
            body=b"Please send the refund to me instead.",
        )
    )

    assert filed.created is True and filed.case != case
    assert filed.case.passenger.email == "eve@example.com"
    assert Message.objects.filter(case=case).count() == 0
    assert list(case.inbound_mails.values_list("mail_id", flat=True)) == [
        "<m1@mail.example.com>"
    ]


@db
def test_a_stranger_citing_the_passengers_own_mail_does_not_thread(
    django_capture_on_commit_callbacks,
):
    case, _ = acknowledged(django_capture_on_commit_callbacks, sender=ZHANG)

    filed = ingest_email(
        mail(
            (b"References", b"<m1@mail.example.com>"),
            sender=b"eve@example.com",
            message_id=b"<eve2@x>",
        )
    )
    own = ingest_email(
        mail(
            (b"References", b"<m1@mail.example.com>"),
            sender=ZHANG,
            message_id=b"<zhang2@x>",
        )
    )

    assert filed.created is True and filed.case != case
    assert (own.case, own.created) == (case, False)


# --- 3. Latin-1 without a charset ------------------------------------------------


def test_latin_1_text_and_name_without_a_charset_read_as_latin_1():
    parsed = parse(
        mail(
            sender=b'"Ren\xe9e" <renee@example.com>',
            subject=b"Service tr\xe8s mauvais",
            content_type=b"text/plain",
            body=b"Le service \xe9tait tr\xe8s mauvais.",
        )
    )

    assert parsed.text == "Le service était très mauvais."
    assert parsed.sender_name == "Renée"
    assert parsed.subject == "Service très mauvais"


def test_a_longer_latin_1_text_reads_as_windows_1252_not_1250():
    body = (
        b"Bonjour, le service \xe9tait tr\xe8s mauvais et mon bagage a \xe9t\xe9 perdu."
    )

    parsed = parse(mail(content_type=b"text/plain", body=body))

    assert parsed.text == (
        "Bonjour, le service était très mauvais et mon bagage a été perdu."
    )


def test_a_part_without_a_charset_reads_in_the_charset_the_subject_declares():
    # 遺 is GBK but not GB2312: guessed alone, these bytes read as Big5 mojibake.
    text = "行李遺失"
    body = multipart(
        [
            part([("Content-Type", "text/plain")], text.encode("gbk")),
            part(
                [
                    ("Content-Type", "text/plain; charset=iso-8859-1"),
                    ("Content-Disposition", 'attachment; filename="note.txt"'),
                ],
                b"caf\xe9",
            ),
        ]
    )

    parsed = parse(
        mail(
            subject=encoded_word("gbk", "行李".encode("gbk")),
            content_type=b'multipart/mixed; boundary="b0undary"',
            body=body,
        )
    )

    assert parsed.hints == ("gb18030", "cp1252")
    assert parsed.text == "行李遺失"


def test_a_western_hint_is_not_taken_for_chinese_bytes():
    body = "您好，我的行李丢失了。".encode("gbk")

    parsed = parse(
        mail(
            subject=b"=?iso-8859-1?q?Bagage_perdu?=",
            content_type=b"text/plain",
            body=body,
        )
    )

    assert parsed.text == "您好，我的行李丢失了。"


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("您好".encode("big5"), "您好"),  # Big5 second bytes in the ASCII range
        ("陳大文".encode("big5"), "陳大文"),
        ("A座".encode("gbk"), "A座"),  # one character glued to a letter
        ("A座".encode("big5"), "A座"),
        ("行李丢失".encode("gbk"), "行李丢失"),
        ("T3航站楼".encode("gbk"), "T3航站楼"),
        ("嘅行李".encode("big5hkscs"), "嘅行李"),
        ("Ärger über das Gepäck".encode("cp1252"), "Ärger über das Gepäck"),
        ("informação".encode("cp1252"), "informação"),  # ção reads as GB2312 玢
        ("«Ça va» naïve".encode("cp1252"), "«Ça va» naïve"),
        ("Grüße".encode("cp1252"), "Grüße"),
    ],
)
def test_short_undeclared_text_reads_as_what_is_plausible(data, text):
    assert guess(data) == text


# --- 4. A bare case number from the passenger -------------------------------------


@db
@pytest.mark.parametrize(
    "subject",
    [
        "Re: your {number}",
        "回复：我的案件{number}有进展吗",
        "question about {lower}?",
    ],
)
def test_a_bare_case_number_from_the_passenger_threads(subject):
    case = make_case(email="zhang@example.com")
    text = subject.format(number=case.number, lower=case.number.lower())

    filed = ingest_email(mail(sender=ZHANG, subject=text.encode()))

    assert (filed.status, filed.case, filed.created) == ("filed", case, False)


@db
def test_a_bare_case_number_from_a_stranger_does_not_thread():
    case = make_case(email="zhang@example.com")

    filed = ingest_email(
        mail(sender=b"eve@example.com", subject=f"Re: your {case.number}".encode())
    )
    inside_a_code = ingest_email(
        mail(
            sender=ZHANG,
            message_id=b"<code@x>",
            subject=f"Ref X{case.number}-2".encode(),
        )
    )

    assert filed.created is True and filed.case != case
    assert inside_a_code.created is True and inside_a_code.case != case


# --- 5. Cosmetic ----------------------------------------------------------------


@pytest.mark.parametrize(
    "folded",
    [
        b"\r\n =?utf-8?B?6KGM5p2O5Lii5aSx?=",
        b"\r\n\t=?utf-8?B?6KGM5p2O?=\r\n =?utf-8?B?5Lii5aSx?=",
        b"\r\n \xe8\xa1\x8c\xe6\x9d\x8e\xe4\xb8\xa2\xe5\xa4\xb1",
    ],
)
def test_a_subject_folded_after_an_empty_first_line_has_no_leading_space(folded):
    raw = b"From: li.wei@example.com\r\nSubject:" + folded + b"\r\n\r\nHello.\r\n"

    assert parse(raw).subject == "行李丢失"


@db
def test_the_oversize_note_names_no_nameless_entry(settings):
    settings.COMMS_INBOUND_MAX_BYTES = 3000
    body = multipart(
        [
            part([("Content-Type", "text/plain; charset=utf-8")], b"Photos attached."),
            part(
                [
                    ("Content-Type", "image/png"),
                    ("Content-Transfer-Encoding", "base64"),
                    ("Content-Disposition", "attachment; filename=bag.png"),
                ],
                b64(b"\x89PNG" + b"\x00" * 4000),
            ),
        ]
    )

    filed = ingest_email(
        mail(content_type=b'multipart/mixed; boundary="b0undary"', body=body)
    )

    event = filed.case.events.get(type="mail.parts_dropped")
    with translation.override("en"):
        english = describe(event)
    with translation.override("zh-hans"):
        chinese = [
            e.text
            for e in staff_timeline(filed.case)
            if e.event_type == "mail.parts_dropped"
        ]
    assert english == (
        "Not kept from the e-mail: bag.png (the e-mail is larger than the limit); "
        "the e-mail is larger than the limit. The original e-mail is kept whole."
    )
    assert chinese == [
        "邮件中未保留的内容：bag.png (邮件超出大小限制); 邮件超出大小限制。"
        "原始邮件已完整保存。"
    ]
