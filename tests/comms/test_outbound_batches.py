"""Sending in batches: mixed outcomes in one batch, constant queries, claims that
skip rows another consumer holds, the result with its remedies, bad addresses."""

import threading
from datetime import timedelta
from decimal import Decimal
from email import message_from_bytes, policy

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paxcare.cases.services import change_status
from paxcare.comms.models import ContactFlag, Notification
from paxcare.comms.outbound import RECORD_EVERY, send_due
from paxcare.comms.services import notify
from paxcare.crm.models import Passenger
from paxcare.remedies.models import RemedyOffer
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db


def queued_acknowledgements(count: int, *, prefix: str = "p") -> list[int]:
    """Open ``count`` cases (acknowledgements queued, not sent); return their ids."""
    for index in range(count):
        make_case(email=f"{prefix}{index}@example.com", passenger_name=f"P {index}")
    return list(
        Notification.objects.filter(status="queued")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def test_one_batch_records_each_outcome_and_attempt_on_its_own_row(smtp_sink, settings):
    settings.COMMS_RETRY_DELAY_SECONDS = 60
    smtp_sink.refuse_rcpt["p1@example.com"] = "550 5.1.1 No such user"
    smtp_sink.refuse_rcpt["p2@example.com"] = "452 4.2.2 Mailbox busy"
    ids = queued_acknowledgements(3)

    send_due(ids)

    rows = Notification.objects.filter(pk__in=ids).order_by("pk")
    assert [(n.recipient, n.status, n.attempts, n.last_error) for n in rows] == [
        ("p0@example.com", "sent", 1, ""),
        ("p1@example.com", "failed", 1, "550 5.1.1 No such user"),
        ("p2@example.com", "retrying", 1, "452 4.2.2 Mailbox busy"),
    ]
    sent, failed, retrying = rows
    assert sent.subject == "We have received your request"
    assert sent.sent_at is not None and failed.sent_at is None
    assert round((retrying.next_attempt_at - timezone.now()).total_seconds(), -1) == 60
    assert [r[1] for r in smtp_sink.received] == [["p0@example.com"]]
    events = [
        (e.case_id, e.type, e.data["attempt"])
        for n in rows
        for e in n.case.events.filter(type__startswith="notification.")
    ]
    assert events == [
        (sent.case_id, "notification.sent", 1),
        (failed.case_id, "notification.failed", 1),
        (retrying.case_id, "notification.attempt_failed", 1),
    ]
    assert list(ContactFlag.objects.values_list("address", "reason")) == [
        ("p1@example.com", "hard_bounce")
    ]


def test_a_batch_costs_the_same_queries_for_few_or_many_notifications(smtp_sink):
    few = queued_acknowledgements(3, prefix="few")
    many = queued_acknowledgements(RECORD_EVERY, prefix="many")
    many = [pk for pk in many if pk not in few]

    with CaptureQueriesContext(connection) as for_few:
        send_due(few)
    with CaptureQueriesContext(connection) as for_many:
        send_due(many)

    assert len(many) == RECORD_EVERY
    assert len(for_many.captured_queries) == len(for_few.captured_queries)
    assert len(smtp_sink.received) == 3 + RECORD_EVERY


@pytest.mark.django_db(transaction=True)
def test_a_row_another_consumer_is_claiming_is_skipped_not_waited_for(smtp_sink):
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite writes one at a time)")
    case = make_case(email="li@example.com")
    # Committed at once here, so the task sent it: queue it again.
    pk = Notification.objects.get(case=case).pk
    Notification.objects.filter(pk=pk).update(status="queued", attempts=0)
    before = len(smtp_sink.received)
    locked, release = threading.Event(), threading.Event()

    def other_consumer():
        with transaction.atomic():
            Notification.objects.select_for_update().get(pk=pk)
            locked.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=other_consumer)
    holder.start()
    try:
        assert locked.wait(10)
        while_held = send_due([pk])
    finally:
        release.set()
        holder.join(10)
    after = send_due([pk])

    assert while_held == []
    assert [n.pk for n in after] == [pk]
    assert len(smtp_sink.received) == before + 1


def test_the_result_names_the_remedies_and_the_compensation(
    smtp_sink, django_capture_on_commit_callbacks
):
    agent = make_agent("info2", departments=("customer-relations",))
    case = make_case(email="li@example.com", category="airport.info", kind="inquiry")
    now = timezone.now()
    for kind, state, values in [
        ("compensation", "paid", {"amount": Decimal("600"), "currency": "EUR"}),
        ("miles", "accepted", {"miles": 8000, "description": "to your account"}),
        ("voucher", "declined", {"amount": Decimal("200"), "currency": "CNY"}),
    ]:
        RemedyOffer.objects.create(
            case=case,
            kind=kind,
            state=state,
            proposed_at=now,
            expires_at=now + timedelta(days=30),
            **values,
        )

    with django_capture_on_commit_callbacks(execute=True):
        change_status(case, "resolved", actor=agent)

    result = Notification.objects.get(case=case, purpose="result")
    assert result.status == "sent"
    assert result.body.startswith(
        "cash compensation\nmiles: to your account\n\n"
        "Compensation: 600.00 EUR; 8,000 miles\n\n"
    )
    [mail] = [
        message_from_bytes(r[2], policy=policy.default)
        for r in smtp_sink.received
        if b"resolved" in r[2]
    ]
    assert "Compensation: 600.00 EUR; 8,000 miles" in mail.get_content()


def test_a_chinese_result_names_the_remedies_in_chinese(
    django_capture_on_commit_callbacks, mailoutbox
):
    agent = make_agent("info3", departments=("customer-relations",))
    case = make_case(
        description="请问北京首都机场的中转柜台在哪里？",
        email="li@example.com",
        category="airport.info",
        kind="inquiry",
    )
    now = timezone.now()
    RemedyOffer.objects.create(
        case=case,
        kind="miles",
        state="accepted",
        miles=5000,
        proposed_at=now,
        expires_at=now + timedelta(days=30),
    )

    with django_capture_on_commit_callbacks(execute=True):
        change_status(case, "resolved", actor=agent)

    result = Notification.objects.get(case=case, purpose="result")
    assert result.language == "zh-hans"
    assert result.body.startswith("里程\n\n补偿：5,000里程\n\n")


def test_a_result_without_remedies_says_only_that_the_case_is_resolved(
    django_capture_on_commit_callbacks,
):
    agent = make_agent("info4", departments=("customer-relations",))
    case = make_case(email="li@example.com", category="airport.info", kind="inquiry")

    with django_capture_on_commit_callbacks(execute=True):
        change_status(case, "resolved", actor=agent)

    result = Notification.objects.get(case=case, purpose="result")
    assert result.body.startswith(f"We have resolved case {case.number}.")


def test_an_address_that_cannot_be_written_fails_at_once_and_is_flagged(smtp_sink):
    # An address as an old import left it: it passed no form.
    case = make_case(email="li@example.com")
    Passenger.objects.filter(pk=case.passenger_id).update(email="li@exa mple.com")
    Notification.objects.filter(case=case).update(recipient="li@exa mple.com")
    notification = Notification.objects.get(case=case)

    send_due([notification.pk])

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("failed", 1)
    assert notification.last_error.startswith("invalid Invalid address")
    flag = ContactFlag.objects.get()
    assert (flag.channel, flag.address, flag.reason) == (
        "email",
        "li@exa mple.com",
        "invalid",
    )
    assert smtp_sink.received == []
    case.refresh_from_db()
    assert [n.status for n in notify(case, "result", key="later")] == ["suppressed"]


class ProviderDown(BaseEmailBackend):
    """A provider's HTTP backend whose API answers with an error."""

    def send_messages(self, messages):
        raise RuntimeError("provider answered 503")


def test_a_providers_own_error_is_retried_and_the_batch_goes_on(settings):
    settings.EMAIL_BACKEND = "tests.comms.test_outbound_batches.ProviderDown"
    ids = queued_acknowledgements(2)

    handled = send_due(ids)

    rows = Notification.objects.filter(pk__in=ids).order_by("pk")
    assert [n.pk for n in handled] == ids
    assert [(n.status, n.last_error) for n in rows] == [
        ("retrying", "RuntimeError provider answered 503"),
        ("retrying", "RuntimeError provider answered 503"),
    ]
