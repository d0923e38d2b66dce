"""SLA policy names in the page's language: the defaults have Chinese names too."""

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from paxcare.cases.events import EventType
from paxcare.cases.models import Event
from paxcare.console.timeline import Names, describe, staff_timeline
from paxcare.rowcache import rows_changed
from paxcare.sla.models import SlaPolicy
from tests.factories import make_case

pytestmark = pytest.mark.django_db

FLIGHT_POLICY = "Flight disruption: resolution in 5 working days"


def clocks_line(case) -> str:
    lines = [e.text for e in staff_timeline(case) if e.event_type == "sla.started"]
    assert len(lines) == 1
    return lines[0]


def test_the_timeline_names_a_default_policy_in_the_pages_language():
    # Given a flight delay case, whose clocks the default flight policy started
    case = make_case(category="flight.delay", description="Flight CA981 delayed.")

    # When its timeline is read in English and in Chinese
    with translation.override("en"):
        english = clocks_line(case)
    with translation.override("zh-hans"):
        chinese = clocks_line(case)

    # Then each names the policy in its own language
    assert english.startswith(f"SLA clocks started ({FLIGHT_POLICY}): ")
    assert chinese.startswith("服务时限开始计时（航班不正常：5 个工作日内解决）：")


def test_a_policy_without_a_chinese_name_keeps_its_name_on_chinese_pages():
    # Given a flight case whose policy an administrator renamed, with no Chinese
    SlaPolicy.objects.filter(name=FLIGHT_POLICY).update(
        name="Delays (ops desk)", name_zh=""
    )
    rows_changed()
    case = make_case(category="flight.delay", description="Flight CA981 delayed.")

    # When its timeline is read in Chinese
    with translation.override("zh-hans"):
        chinese = clocks_line(case)

    # Then the one name it has is shown
    assert chinese.startswith("服务时限开始计时（Delays (ops desk)）：")


def test_the_caac_answer_period_is_named_in_chinese_on_chinese_pages():
    # Given the event of a regulatory clock, its name written in English
    event = Event(
        type=EventType.SLA_STARTED,
        data={
            "policy": None,
            "policy_name": "CAAC: answer the complaint within 10 working days",
            "basis": "caac.complaint_answer",
            "calendar": "cn-office",
            "due": {},
        },
    )

    # When it is described in Chinese and in English
    with translation.override("zh-hans"):
        chinese = describe(event, Names())
    with translation.override("en"):
        english = describe(event, Names())

    # Then the period reads in each language
    assert chinese == "服务时限开始计时（民航局规定：10个工作日内答复投诉）：—。"
    assert english == (
        "SLA clocks started (CAAC: answer the complaint within 10 working days): —."
    )


def test_the_migration_names_the_defaults_of_an_existing_workspace_in_chinese():
    # Given a workspace installed before Chinese names: no policy has one, and an
    # administrator renamed the urgent policy
    migration = importlib.import_module(
        "paxcare.sla.migrations.0011_fill_default_policy_names_zh"
    )
    SlaPolicy.objects.update(name_zh="")
    SlaPolicy.objects.filter(name="Urgent: first response in 2 hours").update(
        name="Urgent (VIP desk)"
    )

    # When the data migration runs
    migration.fill(apps, None)

    # Then every default still named as installed has its Chinese name
    assert dict(SlaPolicy.objects.values_list("name", "name_zh")) == {
        "Standard: first response in 24 hours, resolution in 10 working days": (
            "标准：24 小时内首次响应，10 个工作日内解决"
        ),
        "Urgent (VIP desk)": "",
        FLIGHT_POLICY: "航班不正常：5 个工作日内解决",
        "Baggage: resolution in 21 days (the Montreal Convention's loss threshold)": (
            "行李：21 天内解决（《蒙特利尔公约》认定行李丢失的期限）"
        ),
        "Refunds: resolution in 7 working days": "退款：7 个工作日内解决",
        "Inquiries: resolution in 3 working days": "咨询：3 个工作日内解决",
    }
