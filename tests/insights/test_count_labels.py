"""In Chinese a count of cases received is 受理量, not the time received (受理时间).

The project catalogue translates "Received" as the time a case was received (the
case page, the queue); the insight pages head counts with the "case count" context.
"""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from paxcare.insights.models import Alert, AlertKind
from paxcare.insights.presentation import _targets as targets_table
from paxcare.insights.presentation import breakdown_table
from paxcare.routing.models import Role
from paxcare.surveys.models import Survey
from paxcare.surveys.services import open_follow_up
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def language_restored():
    # A Chinese request leaves Chinese active in this thread: give later tests theirs.
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture
def supervisor_with_cases():
    supervisor = make_agent("bag.sup", role=Role.SUPERVISOR, departments=("baggage",))
    now = timezone.now()
    make_case(received_at=now - timedelta(days=2), airport="PEK")
    make_case(received_at=now - timedelta(days=1), airport="PEK")
    return supervisor


def chart(response, name: str):
    return next(c for c in response.context["charts"] if c.name == name)


def test_the_trend_legend_and_airport_table_count_cases_in_chinese(
    client, supervisor_with_cases
):
    # Given
    client.force_login(supervisor_with_cases)

    # When
    response = client.get("/console/insights/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    # Then
    trend, airports = chart(response, "trend"), chart(response, "airports")
    assert [series.label for series in trend.series] == ["受理量", "解决量"]
    assert trend.headers == ["时段", "受理量", "解决量"]
    assert airports.headers[:3] == ["机场", "受理量", "解决量"]
    assert "受理时间" not in response.text


def test_the_english_labels_stay_received_and_resolved(client, supervisor_with_cases):
    client.force_login(supervisor_with_cases)

    response = client.get("/console/insights/", HTTP_ACCEPT_LANGUAGE="en")

    assert [series.label for series in chart(response, "trend").series] == [
        "Received",
        "Resolved",
    ]


def test_the_time_received_keeps_its_own_wording():
    with translation.override("zh-hans"):
        assert (gettext("Received"), gettext("received")) == ("受理时间", "受理时间")


def test_a_breakdown_table_heads_its_counts_as_counts():
    with translation.override("zh-hans"):
        table = breakdown_table("airport", [])

    assert (table.headers[1], table.headers[4]) == ("受理量", "解决量")


def test_the_report_target_column_is_the_kpi_target_not_a_time_limit():
    with translation.override("zh-hans"):
        table = targets_table([])

    assert table.headers == ["指标", "本期", "目标", "上期", "结果"]


def test_the_alert_and_follow_up_columns_read_as_meant(client):
    # Given: one alert and one follow-up, seen by an administrator.
    admin = make_agent("admin.role", role=Role.ADMIN, departments=())
    now = timezone.now()
    Alert.objects.create(
        key="spike:pek",
        kind=AlertKind.SPIKE,
        dimension="airport",
        value="PEK",
        category_code="baggage.lost",
        window_start=now - timedelta(days=7),
        window_end=now,
        observed=6,
        baseline=0.5,
        cases=6,
        detected_at=now,
    )
    case = make_case(received_at=now - timedelta(days=2))
    survey = Survey.objects.create(
        case=case,
        nonce="n",
        created_at=now,
        expires_at=now + timedelta(days=30),
        answered_at=now,
        rating=1,
    )
    open_follow_up(survey, now)
    client.force_login(admin)

    # When
    alerts = client.get("/console/insights/alerts/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    follow_ups = client.get(
        "/console/insights/follow-ups/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    # Then: an alert's kind is not a complaint's kind; "Done" is what was done.
    assert '<th scope="col">类型</th>' in alerts.text
    assert '<th scope="col">处理结果</th>' in follow_ups.text
