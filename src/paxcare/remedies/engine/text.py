"""Explanations in English and Simplified Chinese, rendered from rule templates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache

from .memo import remember
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


# Rendered texts by template and values: passengers of one flight, or flights of
# one route, render the same texts again. Filling two templates costs about 15,000
# machine instructions, a lookup a few hundred. 8,192 entries of ~1 KB: about 8 MB
# at most.
RENDER_CACHE_SIZE = 8192
_rendered: dict[tuple, Text] = {}
# Only values of these types make a key: equal ones are of one type and print
# alike (a bool is its own type, so True never stands for 1). Equal floats or
# decimals may not (0.0 and -0.0, 600 and 6E+2), and a ``Text`` value would be
# hashed by Python code, which costs more than a lookup saves when such texts
# seldom repeat (a delay of so many minutes): a template with any other value is
# filled every time.
EXACT_TYPES = frozenset({str, int, type(None)})


def render(template: tuple[str, str], values: Mapping[str, object]) -> Text:
    """Fill an (English, Chinese) template; a ``Text`` value differs per language."""
    if not values:
        return _plain(template)
    if not EXACT_TYPES.issuperset(map(type, values.values())):
        return _fill(template, values)
    key = (template, *values.items())
    found = _rendered.get(key)
    if found is None:
        found = remember(_rendered, key, _fill(template, values), RENDER_CACHE_SIZE)
    return found


def _fill(template: tuple[str, str], values: Mapping[str, object]) -> Text:
    en = zh = values
    for key, value in values.items():
        if type(value) is Text:
            if zh is values:
                en, zh = dict(values), dict(values)
            en[key], zh[key] = value.en, value.zh  # type: ignore[index]
    return Text(template[0].format_map(en), template[1].format_map(zh))


@lru_cache(maxsize=1024)
def _plain(template: tuple[str, str]) -> Text:
    return Text(template[0].format_map({}), template[1].format_map({}))


def join(first: Text, second: Text) -> Text:
    """Append ``second`` to ``first`` in both languages."""
    return Text(first.en + second.en, first.zh + second.zh)


# Amounts by value and currency: the bands, caps and limits of the rule data recur
# in every answer, fares less so. 4,096 entries of ~200 bytes: under 1 MB.
MONEY_CACHE_SIZE = 4096
_money: dict[tuple[Decimal, bool, str], str] = {}


def money(amount: Decimal, currency: str) -> str:
    """Format money for an explanation: ``EUR 600``, ``USD 1,075.50``."""
    # Equal amounts print alike, except zero's sign: -0 stays "-0".
    key = (amount, amount.is_signed(), currency)
    found = _money.get(key)
    if found is None:
        found = remember(_money, key, _format_money(amount, currency), MONEY_CACHE_SIZE)
    return found


def _format_money(amount: Decimal, currency: str) -> str:
    if amount == amount.to_integral_value():
        return f"{currency} {amount:,.0f}"
    return f"{currency} {amount:,.2f}"


def minutes(total: float) -> Text:
    """Format a duration in minutes: ``4 h 10 min`` and ``4小时10分钟``."""
    return _minutes(int(total))


@lru_cache(maxsize=4096)
def _minutes(whole: int) -> Text:
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


# Distances by value: one per pair of airports. 4,096 entries: under 1 MB.
_kilometres: dict[float, str] = {}


def kilometres(km: float) -> str:
    """Format a distance for an explanation: ``6,204``."""
    found = _kilometres.get(km)
    if found is None:
        found = f"{km:,.0f}"
        # -0.0 equals 0.0 but prints as "-0", and NaN equals nothing: keep neither.
        if km > 0:
            remember(_kilometres, km, found, 4096)
    return found
