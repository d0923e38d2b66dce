"""Explanations in English and Simplified Chinese, rendered from rule templates."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import lru_cache

from .types import Cause, Text

CAUSE_TEXT: dict[Cause | None, Text] = {
    Cause.TECHNICAL: Text("a technical fault", "技术故障"),
    Cause.CREW_SHORTAGE: Text("a shortage of crew", "机组短缺"),
    Cause.OWN_STAFF_STRIKE: Text(
        "a strike of the carrier's own staff", "承运人自身员工罢工"
    ),
    Cause.OTHER_CONTROLLABLE: Text(
        "a reason within the carrier's control", "承运人可控原因"
    ),
    Cause.SAFETY_REQUIRED_CONTROLLABLE: Text(
        "a measure within the carrier's control required for safety",
        "承运人可控但为安全所必需的措施",
    ),
    Cause.WEATHER: Text("weather", "天气"),
    Cause.AIR_TRAFFIC_CONTROL: Text("air traffic control", "空中交通管制"),
    Cause.AIRPORT_CLOSURE: Text("an airport closure", "机场关闭"),
    Cause.SECURITY: Text("a security risk", "安全保卫风险"),
    Cause.POLITICAL_INSTABILITY: Text("political instability", "政治动荡"),
    Cause.MEDICAL_EMERGENCY: Text("a medical emergency", "医疗紧急情况"),
    Cause.BIRD_STRIKE: Text("a bird strike", "鸟击"),
    Cause.THIRD_PARTY_STRIKE: Text("a strike of third parties", "第三方罢工"),
    None: Text("an unstated cause", "未说明的原因"),
}


def render(template: tuple[str, str], **values: object) -> Text:
    """Fill an (English, Chinese) template; a ``Text`` value differs per language."""
    if not values:
        return _plain(template)
    en: dict[str, object] = {}
    zh: dict[str, object] = {}
    for key, value in values.items():
        if isinstance(value, Text):
            en[key], zh[key] = value.en, value.zh
        else:
            en[key] = zh[key] = value
    return Text(template[0].format_map(en), template[1].format_map(zh))


@lru_cache(maxsize=1024)
def _plain(template: tuple[str, str]) -> Text:
    return Text(template[0].format_map({}), template[1].format_map({}))


def join(first: Text, second: Text) -> Text:
    """Append ``second`` to ``first`` in both languages."""
    return Text(first.en + second.en, first.zh + second.zh)


def money(amount: Decimal, currency: str) -> str:
    """Format money for an explanation: ``EUR 600``, ``USD 1,075.50``."""
    if amount == amount.to_integral_value():
        return f"{currency} {amount:,.0f}"
    return f"{currency} {amount:,.2f}"


def minutes(total: float) -> Text:
    """Format a duration in minutes: ``4 h 10 min`` and ``4小时10分钟``."""
    whole = int(total)
    hours, mins = divmod(abs(whole), 60)
    sign = "-" if whole < 0 else ""
    if hours and mins:
        return Text(f"{sign}{hours} h {mins} min", f"{sign}{hours}小时{mins}分钟")
    if hours:
        return Text(f"{sign}{hours} h", f"{sign}{hours}小时")
    return Text(f"{sign}{mins} min", f"{sign}{mins}分钟")


def period(delta: timedelta) -> Text:
    """Format a notice period: whole days when a day or more, else hours and minutes."""
    days = delta.days
    if days >= 1:
        return Text(f"{days} days" if days != 1 else "1 day", f"{days}天")
    return minutes(delta.total_seconds() / 60)


def kilometres(km: float) -> str:
    """Format a distance for an explanation: ``6,204``."""
    return f"{km:,.0f}"
