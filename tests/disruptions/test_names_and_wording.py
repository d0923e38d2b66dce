"""Regimes and entitlements by name, plurals and punctuation in both languages."""

import json
import re

import pytest
from django.utils import translation

from paxcare.cases.models import Case
from paxcare.console.timeline import staff_timeline
from tests.disruptions.conftest import AF_JFK_CDG, disrupt, passenger, run
from tests.disruptions.test_imports import (
    NYC_HEADER,
    import_with_manifests,
    write,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def disruption(people):
    return disrupt(AF_JFK_CDG, [passenger(1)], type="cancellation")


def page(client, people, disruption, language: str) -> str:
    client.force_login(people["care_supervisor"])
    response = client.get(
        f"/console/disruptions/{disruption.pk}/", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_disruption_page_names_regimes_and_entitlements_in_english(
    client, people, disruption
):
    # Given a cancelled Air France flight owed under EU 261 and the US DOT rules
    # When a supervisor reads its page in English
    body = page(client, people, disruption, "en")

    # Then the totals and the case row name the regimes, never their codes
    assert "<td>EU Regulation 261/2004</td>" in body
    assert "<td>United States: DOT rules</td>" in body
    assert "compensation under EU Regulation 261/2004 (600.00 EUR)<br>" in body
    assert "refund under United States: DOT rules (500.00 USD)<br>" in body
    assert "us_dot" not in body
    assert "eu261" not in body


def test_the_disruption_page_names_regimes_and_entitlements_in_chinese(
    client, people, disruption
):
    # Given the same flight
    # When a supervisor reads its page in Chinese
    body = page(client, people, disruption, "zh-hans")

    # Then the regimes and entitlements are named in Chinese
    assert "<td>欧盟第261/2004号条例</td>" in body
    assert "<td>美国交通部规则</td>" in body
    assert "依据欧盟第261/2004号条例的赔偿（600.00 EUR）<br>" in body
    assert "依据美国交通部规则的退款（500.00 USD）<br>" in body
    assert "us_dot" not in body
    # and the care of a row is listed with the Chinese enumeration comma
    assert re.search(r"<td>[^<>]+、[^<>]+</td>", body)
    assert not re.search(r"<td>[^<>]*[\u4e00-\u9fff], [\u4e00-\u9fff][^<>]*</td>", body)


def test_the_case_timeline_names_what_is_owed_in_chinese(disruption):
    # Given the case the disruption opened for its passenger
    case = Case.objects.get()

    # When its timeline is read in Chinese
    with translation.override("zh-hans"):
        lines = [e.text for e in staff_timeline(case)]

    # Then the entitlements are named in Chinese, with Chinese punctuation
    opened = [line for line in lines if "应得" in line]
    assert opened == [
        "因航班 AF23 2026-01-05 取消建立；应得：依据欧盟第261/2004号条例的退款"
        "（500.00 USD）；依据欧盟第261/2004号条例的赔偿（600.00 EUR）；"
        "依据美国交通部规则的退款（500.00 USD）。"
    ]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Message sent to 1 passenger; 0 cases left out."),
        ("zh-hans", "已向 1 位旅客发送消息；0 个服务单未包含。"),
    ],
)
def test_a_message_to_one_passenger_is_counted_in_the_singular(
    client, people, disruption, language, expected
):
    # Given a disruption with one passenger
    client.force_login(people["care_supervisor"])

    # When a supervisor messages everyone
    response = client.post(
        f"/console/disruptions/{disruption.pk}/message/",
        {"body": "Your new flight leaves at 20:00 from gate 7."},
        HTTP_ACCEPT_LANGUAGE=language,
        follow=True,
    )

    # Then the confirmation counts one passenger
    assert [str(m) for m in response.context["messages"]] == [expected]


def test_a_chinese_case_subject_has_a_full_width_colon(people):
    # Given a Chinese passenger on a cancelled flight
    disrupt(
        AF_JFK_CDG,
        [passenger(1, passenger_name="王小明", language="zh-hans")],
        type="cancellation",
    )

    # When the disruption opens their case
    case = Case.objects.get()

    # Then the subject joins the headline and the name the Chinese way
    assert case.subject == "AF23 JFK–CDG 航班（2026年1月5日）已取消：王小明"


def test_the_public_page_introduces_each_rule_in_the_pages_language(client, disruption):
    # Given a cancelled flight owed under EU 261
    url = "/disruptions/AF23-20260105-JFK/"

    # When its public page is read in both languages
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    # Then the rule's name is followed by the colon of each language
    assert "<li><strong>EU 261/2004</strong>: " in english
    assert "<li><strong>欧盟 261/2004 号条例</strong>：" in chinese
    assert "<strong>EU 261/2004</strong>" not in chinese


def test_the_chinese_feed_ends_its_headline_with_a_chinese_full_stop(
    client, disruption
):
    # Given a cancelled flight
    # When the Chinese JSON feed is read
    feed = json.loads(client.get("/disruptions/feed/zh-hans.json").content)

    # Then its text starts with the headline and a Chinese full stop
    text = feed["items"][0]["content_text"]
    assert text.startswith("AF23 JFK–CDG 航班（2026年1月5日）已取消。\n状态：")


def test_an_import_that_creates_no_flight_prints_no_empty_flights_line(tmp_path):
    # Given a file with the header only
    path = write(tmp_path, "flights.csv", NYC_HEADER)

    # When it is imported
    out, _err = run("import_flights", "--format", "nycflights13", str(path))

    # Then the summary has the line of what was read and no empty "flights:" line
    assert [line.split(";")[0] for line in out.splitlines()] == [
        "read 0 flights: 0 cancellations, 0 arrival delays of 3 h or more, "
        "0 diversions, 0 schedule changes"
    ]


def test_the_import_summary_names_the_regimes(tmp_path):
    # Given the sample flights, with invented manifests, imported and cared for
    out, _passengers = import_with_manifests(tmp_path)

    # Then the regimes and entitlements are named, never by their codes
    lines = out.splitlines()
    regimes = [line for line in lines if line.startswith("passengers with")]
    assert regimes == [
        "passengers with entitlements by regime: Canada: Air Passenger Protection "
        "Regulations (1), United States: DOT rules (363)"
    ]
    owed = [line for line in lines if line.startswith("owed: ")]
    assert [line.split(" ", 3)[3] for line in owed] == [
        "compensation under Canada: Air Passenger Protection Regulations (1 passenger)",
        "refund under Canada: Air Passenger Protection Regulations (1 passenger)",
        "refund under United States: DOT rules (363 passengers)",
    ]
