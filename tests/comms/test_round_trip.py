"""A passenger's whole conversation, over real SMTP and the real pipe command.

Mail in, acknowledgement out, agent's reply out, the passenger's reply (written by
answering the reply they received) in: one case, and one thread on both sides.
"""

from email import message_from_bytes, policy
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command

from paxcare.cases.models import Case
from paxcare.cases.services import reply_to_passenger
from paxcare.comms.models import InboundMail
from tests.comms.raw import encoded_word, mail
from tests.factories import make_agent


def pipe(monkeypatch, raw: bytes) -> str:
    stdin = StringIO()
    stdin.buffer = BytesIO(raw)
    monkeypatch.setattr("sys.stdin", stdin)
    out = StringIO()
    call_command("ingest_email", stdout=out)
    return out.getvalue().strip()


def answer(received: bytes, body: str) -> bytes:
    """Return the passenger's reply to a mail, as their client would write it."""
    original = message_from_bytes(received, policy=policy.default)
    references = f"{original['References'] or ''} {original['Message-ID']}".strip()
    return mail(
        (b"In-Reply-To", original["Message-ID"].encode()),
        (b"References", references.encode()),
        subject=encoded_word("utf-8", f"回复：{original['Subject']}".encode()),
        message_id=b"<reply-2@mail.example.com>",
        body=body.encode(),
    )


@pytest.mark.django_db(transaction=True)
def test_a_passengers_conversation_is_one_case_and_one_thread(smtp_sink, monkeypatch):
    agent = make_agent("bag1", first_name="Wang")
    first = mail(
        subject=encoded_word("gb2312", "行李丢失 CA981".encode("gb18030")),
        content_type=b"text/plain; charset=gb2312",
        body="我的行李在北京没有到。".encode("gb18030"),
        message_id=b"<first@mail.example.com>",
    )

    printed = pipe(monkeypatch, first)
    case = Case.objects.get()
    reply_to_passenger(case, "您的行李明天送到。", actor=agent)
    printed_reply = pipe(
        monkeypatch, answer(smtp_sink.received[1][2], "谢谢！地址不变。")
    )

    assert printed == printed_reply == f"filed {case.number}"
    assert Case.objects.count() == 1
    ack, reply = (
        message_from_bytes(r[2], policy=policy.default) for r in smtp_sink.received
    )
    assert ack["Subject"] == f"[{case.number}] 我们已收到您的来信"
    assert ack["In-Reply-To"] == "<first@mail.example.com>"
    assert reply["In-Reply-To"] == "<first@mail.example.com>"
    assert reply["References"] == f"<first@mail.example.com> {ack['Message-ID']}"
    assert (
        reply.get_content()
        == f"您的行李明天送到。\r\n\r\nWang\r\n案件编号 {case.number}\r\n"
    )
    messages = list(case.messages.order_by("pk").values_list("direction", "body"))
    assert messages == [
        ("outbound", "您的行李明天送到。"),
        ("inbound", "谢谢！地址不变。"),
    ]
    assert case.description == "我的行李在北京没有到。"
    assert list(InboundMail.objects.order_by("pk").values_list("status", "case")) == [
        ("filed", case.pk),
        ("filed", case.pk),
    ]
    assert len(smtp_sink.received) == 2
