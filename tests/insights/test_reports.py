"""Weekly and monthly reports: periods, figures against target, PDF, mail, command."""

from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from paxcare.cases.services import reply_to_passenger
from paxcare.insights.reports import (
    build_report,
    last_complete,
    month_period,
    parse_period,
    send_report,
    week_period,
)
from paxcare.routing.models import Role
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db


def test_periods_are_whole_local_weeks_and_months(settings):
    settings.TIME_ZONE = "Asia/Shanghai"

    november = parse_period("month", "2026-11")
    week = parse_period("week", "2026-W47")

    assert (november.first_day, november.last_day) == (
        date(2026, 11, 1),
        date(2026, 11, 30),
    )
    assert november.start.isoformat() == "2026-11-01T00:00:00+08:00"
    assert november.previous() == month_period(2026, 10)
    assert (week.first_day, week.last_day) == (date(2026, 11, 16), date(2026, 11, 22))
    assert week.previous() == week_period(date(2026, 11, 9))
    assert last_complete("month", date(2027, 1, 5)) == month_period(2026, 12)
    assert last_complete("week", date(2026, 11, 25)) == week
    with pytest.raises(ValueError, match="not a month"):
        parse_period("month", "November")


@pytest.fixture
def november():
    """Three cases in November 2026 (two answered within 24 h), one in October."""
    agent = make_agent("sup", role=Role.SUPERVISOR, departments=("baggage",))
    first = make_case(
        received_at=datetime(2026, 11, 2, 2, tzinfo=UTC), category="baggage.pilferage"
    )
    make_case(
        received_at=datetime(2026, 11, 3, 2, tzinfo=UTC), category="baggage.pilferage"
    )
    make_case(
        received_at=datetime(2026, 11, 20, 2, tzinfo=UTC),
        category="ticketing.change",
        description="Change my flight.",
    )
    make_case(
        received_at=datetime(2026, 10, 20, 2, tzinfo=UTC),
        category="baggage.pilferage",
        description="October.",
    )
    at = datetime(2026, 11, 2, 5, tzinfo=UTC)
    reply_to_passenger(first, "Found.", actor=agent, new_status="resolved", at=at)
    return first


def test_a_monthly_report_against_the_month_before(november):
    now = datetime(2026, 12, 1, 8, tzinfo=UTC)

    report = build_report(month_period(2026, 11), now=now)

    assert report["label"] == "2026-11"
    assert report["kpis"]["received"] == 3
    assert report["previous"]["received"] == 1
    assert report["categories"][0] == {
        "code": "baggage.pilferage",
        "cases": 2,
        "previous": 1,
        "change": 1,
        "share": 0.6667,
    }
    targets = {row["key"]: row for row in report["targets"]}
    # First response within 24 h: 1 of the 3 (the two others are overdue).
    assert targets["first_response.rate"]["value"] == 0.3333
    assert targets["first_response.rate"]["met"] is False
    assert targets["satisfaction.csat"]["met"] is None


def test_the_command_writes_a_chinese_pdf_and_html(november, tmp_path):
    pdf, html = tmp_path / "out.pdf", tmp_path / "out.html"

    call_command(
        "report",
        "--period",
        "month",
        "--month",
        "2026-11",
        "--language",
        "zh-hans",
        "--pdf",
        str(pdf),
        "--html",
        str(html),
    )

    assert pdf.read_bytes().startswith(b"%PDF")
    page = html.read_text(encoding="utf-8")
    assert "客服月报 2026-11" in page
    assert "KPI 与目标对比" in page


def test_the_command_refuses_a_bad_month():
    with pytest.raises(CommandError, match="--month: not a month"):
        call_command("report", "--month", "11/2026", "--pdf", "x.pdf")


def test_the_report_is_mailed_in_each_recipients_language(november):
    for name, languages in (("en.sup", ["en"]), ("zh.sup", ["zh-hans", "en"])):
        user = make_agent(
            name, role=Role.SUPERVISOR, departments=(), languages=languages
        )
        user.email = f"{name}@example.com"
        user.save()

    sent = send_report(month_period(2026, 11))

    assert sent == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    chinese = by_address["zh.sup@example.com"]
    assert chinese.subject == "客服月报 2026-11"
    assert chinese.attachments[0][0] == "paxcare-2026-11-zh-hans.pdf"
    assert "Monthly care report 2026-11" in by_address["en.sup@example.com"].subject
