"""What staff see of comms: delivery on the case page, the timeline, the admin."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from paxcare.cases.services import reply_to_passenger
from paxcare.comms.defaults import DEFAULT_TEMPLATES, install_templates
from paxcare.comms.models import Notification, Purpose, Template
from paxcare.console.timeline import staff_timeline
from paxcare.routing.services import reassign_case
from tests.comms.raw import mail
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked_case(django_capture_on_commit_callbacks):
    """A baggage case of agent A with three replies; the last one bounced."""
    agent = make_agent("agent.a", first_name="Anna")
    case = reassign_case(make_case(email="li@example.com"), agent, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        for text in ("One.", "Two.", "Three."):
            reply_to_passenger(case, text, actor=agent)
    Notification.objects.filter(purpose="reply").order_by("-pk").filter(
        pk=Notification.objects.filter(purpose="reply").order_by("-pk").values("pk")[:1]
    ).update(status="failed")
    return agent, case


def test_the_case_page_shows_each_replys_delivery_with_one_query(client, worked_case):
    agent, case = worked_case
    client.force_login(agent)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("console:case", args=[case.number]))

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("e-mail: sent</span>") == 2
    assert html.count("e-mail: failed</span>") == 1
    comms = [q for q in queries.captured_queries if "comms_notification" in q["sql"]]
    assert len(comms) == 1


def test_the_timeline_says_what_happened_to_the_mail_in_both_languages(worked_case):
    _, case = worked_case

    with translation.override("en"):
        english = [
            e.text for e in staff_timeline(case) if e.event_type.startswith("notif")
        ]
    with translation.override("zh-hans"):
        chinese = [
            e.text for e in staff_timeline(case) if e.event_type.startswith("notif")
        ]

    assert (
        english[0]
        == "Sent the agent's reply by e-mail to l***@example.com (attempt 1)."
    )
    assert (
        chinese[0] == "已通过电子邮件向 l***@example.com 发送客服答复（第 1 次尝试）。"
    )


def test_dropped_parts_are_described_on_the_timeline():
    from paxcare.comms.inbound import ingest_email

    filed = ingest_email(mail(body=("x" * 30_000).encode()))

    texts = [
        e.text
        for e in staff_timeline(filed.case)
        if e.event_type == "mail.parts_dropped"
    ]
    assert texts == [
        "Not kept from the e-mail: text shortened. The original e-mail is kept whole."
    ]


def test_every_purpose_ships_in_both_languages_and_installs_once():
    pairs = {(p, lang) for p in Purpose.values for lang in ("en", "zh-hans")}

    assert set(DEFAULT_TEMPLATES) == pairs
    assert Template.objects.count() == len(pairs)
    Template.objects.filter(purpose="reply", language="en").update(subject="Edited")
    assert install_templates() == 0
    assert Template.objects.get(purpose="reply", language="en").subject == "Edited"


def test_the_admin_previews_a_template_and_refuses_a_broken_one(client):
    admin = get_user_model().objects.create_superuser(
        "root", "r@example.com", "pw-123456"
    )
    client.force_login(admin)
    template = Template.objects.get(purpose="acknowledgement", language="zh-hans")
    url = reverse("admin:comms_template_change", args=[template.pk])

    page = client.get(url)
    refused = client.post(
        url,
        {
            "purpose": "acknowledgement",
            "language": "zh-hans",
            "subject": "{% if %}",
            "body": "x",
            "short_text": "",
            "is_active": "on",
        },
    )

    html = page.content.decode()
    assert "[PX-7K3M-9QD4] 我们已收到您的来信" in html
    assert "尊敬的李伟" in html
    assert refused.status_code == 200
    assert "Template error" in refused.content.decode()
