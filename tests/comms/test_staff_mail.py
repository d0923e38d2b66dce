"""Approval requests: a supervisor's answer by mail, and a request that cannot go.

The answers are raw mails built byte by byte, filed through the same pipeline as a
passenger's; the requests come from a real over-the-limit offer (miles always need
a second person).
"""

import pytest
from django.core import mail as outbox
from django.urls import reverse
from django.utils import translation

from paxcare.cases.models import Case, Event, Message
from paxcare.comms.inbound import ingest_email
from paxcare.comms.models import ContactFlag, Notification
from paxcare.comms.services import notify
from paxcare.comms.timeline import describe
from paxcare.console.timeline import staff_timeline
from paxcare.remedies.offers import OfferDraft, propose_offer
from paxcare.routing.models import Department, Role
from tests.comms.raw import b64, mail, multipart, part
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db

MILES = OfferDraft(kind="miles", miles=8000)


@pytest.fixture
def supervisor():
    boss = make_agent("wang.fang", role=Role.SUPERVISOR, first_name="Wang")
    boss.last_name = "Fang"
    boss.email = "Wang.Fang@airline.example"
    boss.save()
    Department.objects.filter(code="baggage").update(supervisor=boss)
    return boss


@pytest.fixture
def requested(supervisor, django_capture_on_commit_callbacks):
    """An agent's miles offer on a passenger's case, and the request it sent."""
    agent = make_agent("care.agent")
    case = make_case(email="li.wei@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        offer = propose_offer(case, MILES, actor=agent)
    request = Notification.objects.get(case=case, purpose="approval_request")
    assert (request.status, request.recipient) == ("sent", "wang.fang@airline.example")
    return offer, request


def answer(request, *, sender=b"Wang Fang <Wang.Fang@airline.example>", **fields):
    """Return the raw reply a mail client writes to the approval request."""
    headers = [("In-Reply-To", request.mail_id), ("References", request.mail_id)]
    defaults = {
        "message_id": b"<answer1@airline.example>",
        "subject": f"Re: [{request.case.number}] Approval needed".encode(),
        "body": b"Approved, go ahead.\r\n",
    }
    defaults.update(fields)
    return mail(*headers, sender=sender, **defaults)


def lines(case) -> list[str]:
    with translation.override("en"):
        return [entry.text for entry in staff_timeline(case) if entry.text]


# --- A supervisor's answer -----------------------------------------------------------


def test_the_request_says_that_a_reply_approves_nothing(requested):
    _, request = requested

    [sent] = [m for m in outbox.outbox if m.to == [request.recipient]]

    assert sent.subject == f"[{request.case.number}] Approval needed"
    assert sent.body.endswith(
        "Approve or decline it in the console. A reply to this e-mail approves "
        "nothing: it is kept on the case as an internal note.\n"
    )


def test_a_supervisors_answer_is_an_internal_note_and_approves_nothing(
    requested, supervisor
):
    offer, request = requested

    filed = ingest_email(answer(request))

    assert (filed.status, filed.reason, filed.created) == ("filed", "staff_note", False)
    assert filed.case == request.case
    note = filed.message
    assert (note.direction, note.author, note.body) == (
        Message.Direction.INTERNAL,
        supervisor,
        "Approved, go ahead.",
    )
    assert Case.objects.count() == 1
    assert not request.case.messages.filter(direction=Message.Direction.INBOUND)
    offer.refresh_from_db()
    assert offer.state == "proposed"
    assert (
        "Wang Fang answered the approval request (to a supervisor) by e-mail: the "
        "answer is kept as an internal note. E-mail approves nothing; approve or "
        "decline the offer in the console." in lines(request.case)
    )


def test_the_files_of_a_supervisors_answer_stay_in_the_original_mail(requested):
    _, request = requested
    body = multipart(
        [
            part([("Content-Type", "text/plain; charset=utf-8")], b"See the memo."),
            part(
                [
                    ("Content-Type", "application/pdf"),
                    ("Content-Disposition", 'attachment; filename="memo.pdf"'),
                    ("Content-Transfer-Encoding", "base64"),
                ],
                b64(b"%PDF-1.4\n%%EOF\n"),
            ),
        ]
    )

    filed = ingest_email(
        answer(request, body=body, content_type=b'multipart/mixed; boundary="b0undary"')
    )

    assert filed.message.body == "See the memo."
    assert filed.message.attachments.count() == 0
    assert filed.inbound.dropped == [
        {"name": "memo.pdf", "reason": "staff_mail_file", "bytes": 15}
    ]
    assert (
        "Not kept from the e-mail: memo.pdf (a file of a staff member's e-mail). "
        "The original e-mail is kept whole." in lines(request.case)
    )


def test_a_staff_member_who_may_not_work_the_case_files_nothing(requested):
    _, request = requested
    auditor = make_agent("audit", role=Role.AUDITOR, departments=())
    auditor.email = "audit@airline.example"
    auditor.save()

    filed = ingest_email(answer(request, sender=b"audit@airline.example"))

    assert (filed.status, filed.reason, filed.created) == (
        "ignored",
        "staff_not_permitted",
        False,
    )
    assert filed.case == request.case
    assert Case.objects.count() == 1
    assert not request.case.messages.exists()
    assert (
        "An e-mail on this case was not filed: from a staff member who may not work "
        "on this case." in lines(request.case)
    )


def test_staff_mail_naming_the_case_without_replying_to_the_request_files_nothing(
    requested,
):
    _, request = requested

    filed = ingest_email(
        mail(
            sender=b"Wang Fang <wang.fang@airline.example>",
            message_id=b"<answer2@airline.example>",
            subject=f"[{request.case.number}] approved".encode(),
        )
    )

    assert (filed.status, filed.reason, filed.created) == (
        "ignored",
        "staff_unthreaded",
        False,
    )
    assert Case.objects.count() == 1
    assert not request.case.messages.exists()


def test_someone_without_a_staff_account_answering_the_request_gets_a_case_of_their_own(
    requested,
):
    _, request = requested

    filed = ingest_email(answer(request, sender=b"Eve <eve@example.com>"))

    assert filed.created is True and filed.case != request.case
    assert filed.case.passenger.email == "eve@example.com"
    assert not request.case.messages.exists()


# --- A request that cannot be sent ------------------------------------------------


def test_a_request_to_a_supervisor_without_an_address_says_so_on_the_case(
    supervisor, client, django_capture_on_commit_callbacks
):
    supervisor.email = ""
    supervisor.save()
    agent = make_agent("care.agent")
    case = make_case(email="li.wei@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        offer = propose_offer(case, MILES, actor=agent)

    request = Notification.objects.get(case=case, purpose="approval_request")
    assert (request.status, request.recipient, request.last_error) == (
        "failed",
        "",
        "no_address",
    )
    assert [m.to for m in outbox.outbox if "Approval" in m.subject] == []
    assert (
        "Could not send the approval request (to a supervisor): Wang Fang has no "
        "e-mail address. The offer still waits for approval in the console."
        in lines(case)
    )
    client.force_login(supervisor)
    page = client.get(reverse("remedies:console_home"))
    assert page.status_code == 200
    assert [o.pk for o in page.context["waiting"]] == [offer.pk]
    assert case.number in page.content.decode()


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ("no_supervisor", "the case's department has no supervisor"),
        ("inactive", "the account of Wang Fang is deactivated"),
    ],
)
def test_a_request_nobody_can_receive_says_why_once(
    supervisor, django_capture_on_commit_callbacks, change, why
):
    if change == "no_supervisor":
        Department.objects.filter(code="baggage").update(supervisor=None)
    else:
        supervisor.is_active = False
        supervisor.save()
    case = make_case(email="li.wei@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        first = notify(case, "approval_request", key="offer:1")
        again = notify(case, "approval_request", key="offer:1")

    assert [n.status for n in first] == ["failed"]
    assert again == []
    [event] = Event.objects.filter(case=case, type="notification.not_sent")
    with translation.override("en"):
        assert describe(event) == (
            f"Could not send the approval request (to a supervisor): {why}. "
            "The offer still waits for approval in the console."
        )


def test_the_line_reads_in_chinese(supervisor, django_capture_on_commit_callbacks):
    supervisor.email = ""
    supervisor.save()
    case = make_case(email="li.wei@example.com")

    notify(case, "approval_request", key="offer:1")

    event = Event.objects.get(case=case, type="notification.not_sent")
    with translation.override("zh-hans"):
        assert describe(event) == (
            "无法发送审批请求（发给主管）：Wang Fang 没有电子邮件地址。"
            "该补偿仍在控制台中等待审批。"
        )


def test_a_request_to_a_blocked_supervisor_address_is_not_sent(
    supervisor, django_capture_on_commit_callbacks
):
    ContactFlag.objects.create(
        channel="email",
        address="wang.fang@airline.example",
        reason="hard_bounce",
        flagged_at=supervisor.date_joined,
    )
    case = make_case(email="li.wei@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        [request] = notify(case, "approval_request", key="offer:1")

    assert request.status == "suppressed"
    assert [m for m in outbox.outbox if "wang.fang@airline.example" in m.to] == []
