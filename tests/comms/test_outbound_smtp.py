"""Outbound mail through a real SMTP server on loopback: headers, retries, bounces."""

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.utils import timezone

from paxcare.cases.services import reply_to_passenger
from paxcare.comms.models import ContactFlag, Notification
from paxcare.comms.outbound import send_due
from paxcare.comms.services import notify
from paxcare.comms.tasks import send_notifications, sweep_outbox
from paxcare.crm.models import Passenger
from tests.comms.conftest import run_scheduled_tasks
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db


def received(sink, index=-1):
    return message_from_bytes(sink.received[index][2], policy=policy.default)


def test_the_acknowledgement_reaches_the_smtp_server_encoded_and_tagged(
    smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(
            description="行李没有到 🧳", email="li@example.com", passenger_name="李伟"
        )

    sender, recipients, _ = smtp_sink.received[0]
    message = received(smtp_sink)
    notification = Notification.objects.get(case=case)
    assert (sender, recipients) == ("care@paxcare.invalid", ["li@example.com"])
    assert message["Subject"] == f"[{case.number}] 我们已收到您的来信"
    assert message["Message-ID"] == notification.mail_id
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["X-PaxCare-Case"] == case.number
    assert message["Reply-To"] == "care@paxcare.invalid"
    body = message.get_content()
    assert "尊敬的李伟" in body
    assert "（行李没有到 🧳）" in body
    assert "Asia/Shanghai 时间" in body
    assert case.events.filter(type="notification.sent").count() == 1


def test_replies_thread_on_the_previous_mail(
    smtp_sink, django_capture_on_commit_callbacks
):
    agent = make_agent("bag1")
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(email="li@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        reply_to_passenger(case, "First answer.", actor=agent)
    with django_capture_on_commit_callbacks(execute=True):
        reply_to_passenger(case, "Second answer.", actor=agent)

    ack, first, second = (received(smtp_sink, i) for i in range(3))
    assert ack["In-Reply-To"] is None
    assert first["In-Reply-To"] == ack["Message-ID"]
    assert first["References"] == ack["Message-ID"]
    assert second["In-Reply-To"] == first["Message-ID"]
    assert second["References"] == f"{ack['Message-ID']} {first['Message-ID']}"
    assert second["Subject"] == f"[{case.number}] Our answer to your case"


def test_a_temporary_failure_is_retried_and_sent_once(
    smtp_sink, settings, django_capture_on_commit_callbacks
):
    settings.COMMS_RETRY_DELAY_SECONDS = 30
    smtp_sink.refuse_data = "451 4.3.0 Try again later"

    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(email="li@example.com")

    notification = Notification.objects.get(case=case)
    assert (notification.status, notification.attempts) == ("retrying", 1)
    assert notification.last_error == "451 4.3.0 Try again later"
    smtp_sink.refuse_data = ""
    # Thirty seconds later, the consumer runs the retry it was given.
    Notification.objects.filter(pk=notification.pk).update(
        next_attempt_at=timezone.now()
    )
    assert run_scheduled_tasks() == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 2)
    assert len(smtp_sink.received) == 1
    types = list(
        case.events.filter(type__startswith="notification.").values_list(
            "type", flat=True
        )
    )
    assert types == ["notification.attempt_failed", "notification.sent"]


def test_the_attempts_back_off_and_end_in_failure(
    smtp_sink, settings, django_capture_on_commit_callbacks
):
    settings.COMMS_SEND_ATTEMPTS = 3
    settings.COMMS_RETRY_DELAY_SECONDS = 60
    smtp_sink.refuse_data = "421 4.7.0 Busy"
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(email="li@example.com")
    notification = Notification.objects.get(case=case)
    waits = []

    for _ in range(2):
        waits.append((notification.next_attempt_at - timezone.now()).total_seconds())
        Notification.objects.filter(pk=notification.pk).update(
            next_attempt_at=timezone.now()
        )
        send_due([notification.pk])
        notification.refresh_from_db()

    assert (notification.status, notification.attempts) == ("failed", 3)
    assert [round(w, -1) for w in waits] == [60.0, 120.0]
    assert case.events.filter(type="notification.failed").count() == 1


def test_a_task_that_runs_twice_sends_once(smtp_sink):
    case = make_case(email="li@example.com")
    ids = list(Notification.objects.filter(case=case).values_list("pk", flat=True))

    send_notifications(ids)
    send_notifications(ids)

    assert len(smtp_sink.received) == 1
    assert Notification.objects.get(pk=ids[0]).attempts == 1


def test_the_sweep_sends_what_a_lost_task_left_behind(smtp_sink):
    case = make_case(email="li@example.com")
    notification = Notification.objects.get(case=case)
    assert notification.status == "queued"

    sweep_outbox.call_local()

    notification.refresh_from_db()
    assert notification.status == "sent"
    assert len(smtp_sink.received) == 1


def test_a_claim_of_a_dead_worker_is_taken_over_after_a_while(smtp_sink):
    case = make_case(email="li@example.com")
    notification = Notification.objects.get(case=case)
    Notification.objects.filter(pk=notification.pk).update(
        status="sending", claimed_at=timezone.now() - timedelta(minutes=5)
    )

    send_due([notification.pk])
    assert smtp_sink.received == []
    Notification.objects.filter(pk=notification.pk).update(
        claimed_at=timezone.now() - timedelta(minutes=16)
    )
    send_due([notification.pk])

    assert len(smtp_sink.received) == 1


def test_an_unknown_mailbox_flags_the_address(
    smtp_sink, django_capture_on_commit_callbacks
):
    smtp_sink.refuse_rcpt["nobody@example.com"] = "550 5.1.1 No such user"

    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(email="nobody@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        later = notify(case, "result", key="again")

    notification = Notification.objects.get(case=case, purpose="acknowledgement")
    assert notification.status == "failed"
    assert notification.last_error == "550 5.1.1 No such user"
    flag = ContactFlag.objects.get(address="nobody@example.com")
    assert (flag.channel, flag.reason) == ("email", "hard_bounce")
    assert Passenger.objects.get(pk=case.passenger_id).email_bouncing is True
    assert case.events.filter(type="contact.flagged").count() == 1
    assert [n.status for n in later] == ["suppressed"]
    assert smtp_sink.received == []


def test_a_server_that_is_down_is_retried(settings, django_capture_on_commit_callbacks):
    from tests.comms.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_TIMEOUT = 2

    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(email="li@example.com")

    notification = Notification.objects.get(case=case)
    assert notification.status == "retrying"
    assert notification.last_error.startswith("ConnectionRefusedError")
