"""notify() and the case moments: who is told what, on which channel, once."""

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from paxcare.cases.services import change_status, reply_to_passenger
from paxcare.comms.models import ContactFlag, Notification, Template
from paxcare.comms.services import notify
from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import open_cases
from paxcare.routing.models import Department, Role
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db


def test_a_new_case_is_acknowledged_once_in_the_passengers_language(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(description="我的行李在北京没有到。", email="li@example.com")

    notification = Notification.objects.get(case=case)
    assert notification.purpose == "acknowledgement"
    assert notification.language == "zh-hans"
    assert notification.status == "sent"
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["li@example.com"]
    assert sent.subject == f"[{case.number}] 我们已收到您的来信"
    assert f"您的案件编号是 {case.number}" in sent.body
    assert "前答复您" in sent.body
    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"


def test_notify_twice_with_the_same_key_queues_once(django_capture_on_commit_callbacks):
    case = make_case(email="li@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        first = notify(case, "offer", context={"offer_text": "a voucher"}, key="o-1")
        second = notify(case, "offer", context={"offer_text": "a voucher"}, key="o-1")
        third = notify(case, "offer", context={"offer_text": "miles"}, key="o-2")

    assert [n.purpose for n in first] == ["offer"]
    assert second == []
    assert len(third) == 1
    offers = Notification.objects.filter(case=case, purpose="offer")
    assert offers.count() == 2
    assert [m.subject for m in mail.outbox] == [
        f"[{case.number}] Our offer for your case"
    ] * 2
    assert "we offer you: a voucher." in mail.outbox[0].body


def test_an_unknown_purpose_is_refused():
    case = make_case()

    with pytest.raises(ValueError, match="Unknown notification purpose"):
        notify(case, "newsletter")


def test_a_rolled_back_moment_sends_nothing(django_capture_on_commit_callbacks):
    case = make_case(email="li@example.com")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(case, "survey", context={"survey_url": "https://x.example/s"})
        raise RuntimeError("the survey could not be saved")

    assert callbacks == []
    assert not Notification.objects.filter(case=case, purpose="survey").exists()
    assert mail.outbox == []


def test_the_agents_reply_is_sent_with_its_text(django_capture_on_commit_callbacks):
    agent = make_agent("bag1", first_name="Wang")
    case = make_case(email="li@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        message = reply_to_passenger(case, "Your bag arrives tomorrow.", actor=agent)

    reply = Notification.objects.get(case=case, purpose="reply")
    assert reply.message_id == message.pk
    assert reply.key == f"message:{message.pk}"
    assert reply.status == "sent"
    assert reply.body.startswith("Your bag arrives tomorrow.\n\nWang\n")
    assert "Auto-Submitted" not in mail.outbox[-1].extra_headers


def test_pending_with_a_reply_sends_only_the_reply(django_capture_on_commit_callbacks):
    agent = make_agent("bag1")
    case = make_case(email="li@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        reply_to_passenger(
            case, "Please send the bag tag number.", actor=agent, new_status="pending"
        )

    purposes = sorted(
        Notification.objects.filter(case=case).values_list("purpose", flat=True)
    )
    assert purposes == ["acknowledgement", "reply"]


def test_pending_alone_asks_for_information_and_resolving_sends_the_result(
    django_capture_on_commit_callbacks,
):
    agent = make_agent("info1", departments=("customer-relations",))
    case = make_case(email="li@example.com", category="airport.info", kind="inquiry")

    with django_capture_on_commit_callbacks(execute=True):
        change_status(case, "pending", actor=agent)
        change_status(case, "open", actor=agent)
        change_status(case, "resolved", actor=agent)

    ours = Notification.objects.filter(case=case).exclude(purpose="survey")
    purposes = list(ours.order_by("pk").values_list("purpose", flat=True))
    assert purposes == ["acknowledgement", "info_request", "result"]
    subjects = [m.subject for m in mail.outbox]
    assert f"[{case.number}] Your case is resolved" in subjects


def test_a_passenger_with_only_a_phone_gets_an_sms(
    django_capture_on_commit_callbacks, capsys
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(email="", phone="+8613800138000")

    notification = Notification.objects.get(case=case)
    assert (notification.channel, notification.recipient) == ("sms", "+8613800138000")
    assert notification.status == "sent"
    printed = capsys.readouterr().out
    assert f"SMS to +8613800138000 [pxc-{notification.pk}]" in printed
    assert f"We received your request, case {case.number}." in printed


def test_a_disruption_goes_by_email_and_sms(django_capture_on_commit_callbacks):
    # a passenger whose phone a vouched channel gave (a web form's typed phone
    # stays on its case, not on the passenger: docs/crm.md)
    case = make_case(email="li@example.com", phone="+8613800138000", channel="api")

    with django_capture_on_commit_callbacks(execute=True):
        sent = notify(
            case,
            "disruption",
            context={
                "flight_number": "CA981",
                "disruption_text": "CA981 is cancelled.",
            },
            key="disruption-7",
        )

    assert sorted(n.channel for n in sent) == ["email", "sms"]
    assert mail.outbox[-1].subject == f"[{case.number}] About your flight CA981"


def test_a_blocked_address_is_not_written_to(django_capture_on_commit_callbacks):
    ContactFlag.objects.create(
        channel="email",
        address="gone@example.com",
        reason="hard_bounce",
        flagged_at="2025-01-01T00:00:00Z",
    )

    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(email="Gone@Example.com")

    notification = Notification.objects.get(case=case)
    assert notification.status == "suppressed"
    assert mail.outbox == []


def test_an_approval_request_goes_to_the_departments_supervisor(
    django_capture_on_commit_callbacks,
):
    supervisor = make_agent("boss", role=Role.SUPERVISOR, languages=["zh-hans"])
    supervisor.email = "boss@airline.example"
    supervisor.save()
    Department.objects.filter(code="baggage").update(supervisor=supervisor)
    case = make_case(email="li@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        sent = notify(
            case,
            "approval_request",
            context={"amount": "5000.00", "currency": "CNY"},
            key="approval-1",
        )

    assert [(n.recipient, n.language) for n in sent] == [
        ("boss@airline.example", "zh-hans")
    ]
    assert mail.outbox[-1].subject == f"[{case.number}] 待您审批"
    assert "5000.00 CNY" in mail.outbox[-1].body


def test_no_consent_means_no_survey_but_still_the_answers(
    django_capture_on_commit_callbacks,
):
    case = make_case(email="li@example.com")
    case.passenger.consent_contact = False
    case.passenger.save()

    with django_capture_on_commit_callbacks(execute=True):
        survey = notify(case, "survey", context={"survey_url": "https://x.example/s"})
        result = notify(case, "result", key="manual")

    assert survey == []
    assert [n.purpose for n in result] == ["result"]


def test_an_administrators_template_is_used(django_capture_on_commit_callbacks):
    Template.objects.filter(purpose="acknowledgement", language="en").update(
        subject="Thanks, {{ passenger_name }}", body="Case {{ case_number }}."
    )

    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(email="li@example.com", passenger_name="Li Wei")

    assert mail.outbox[0].subject == f"[{case.number}] Thanks, Li Wei"
    assert mail.outbox[0].body == f"Case {case.number}.\n"


def test_a_bulk_import_costs_a_few_queries_per_batch_and_social_posts_get_nothing():
    social = [
        CaseDraft(
            description=f"@airline lost my bag {i}",
            channel="social",
            external_id=f"t{i}",
            social_handle=f"user{i}",
        )
        for i in range(300)
    ]
    emails = [
        CaseDraft(
            description=f"Lost bag number {i}",
            channel="email",
            email=f"p{i}@example.com",
            category="baggage.lost",
        )
        for i in range(300)
    ]

    with CaptureQueriesContext(connection) as social_queries:
        open_cases(social)
    with CaptureQueriesContext(connection) as email_queries:
        open_cases(emails)

    assert not any("comms_" in q["sql"] for q in social_queries.captured_queries)
    comms = [q["sql"] for q in email_queries.captured_queries if "comms_" in q["sql"]]
    # The blocked-address look-up and one multi-row insert; on PostgreSQL the insert
    # is a COPY, whose keys are drawn from the sequence first.
    assert len(comms) == (3 if connection.vendor == "postgresql" else 2)
    assert Notification.objects.filter(purpose="acknowledgement").count() == 300


def test_an_import_of_old_cases_is_not_acknowledged():
    from datetime import timedelta

    from django.utils import timezone

    old = timezone.now() - timedelta(days=30)

    open_cases(
        [
            CaseDraft(
                description="Old complaint",
                channel="email",
                email="old@example.com",
                received_at=old,
            )
        ]
    )

    assert Notification.objects.count() == 0


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("li.wei@example.com", "l***@example.com"),
        ('"o,b"@example.com', "o***@example.com"),
        ('"a@b"@example.com', "a***@example.com"),
        ("+8613800138000", "+86***00"),
        ("12345", "***"),
    ],
)
def test_an_address_is_shown_with_most_of_it_hidden(address, masked):
    from paxcare.comms.outbound import mask_address

    assert mask_address(address) == masked
