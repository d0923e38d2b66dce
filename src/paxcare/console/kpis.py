"""Turn the KPI report of ``insights.kpis.compute_kpis`` into dashboard tables."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from paxcare.cases.lifecycle import Status
from paxcare.cases.models import Channel
from paxcare.insights.kpis import rate_percent
from paxcare.sla.models import ClockKind
from paxcare.triage.models import Category


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)


def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return "%s %%" % number_format(rate_percent(value), decimal_pos=1)


def duration(minutes: float | None) -> str:
    """Return minutes as days, hours and minutes, e.g. "1 d 3 h 20 min"."""
    if minutes is None:
        return "—"
    total = int(round(minutes))
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d d") % {"n": days})
    if hours:
        parts.append(_("%(n)d h") % {"n": hours})
    if mins or not parts:
        parts.append(_("%(n)d min") % {"n": mins})
    return " ".join(parts)


def count(value: int | None) -> str:
    return "—" if value is None else number_format(value, force_grouping=True)


def _choice(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def kpi_sections(kpis: dict[str, Any]) -> list[Table]:
    """Return the dashboard's tables, summary first."""
    names = {c.code: c.name for c in Category.objects.all()}
    return [
        _summary(kpis),
        _breakdown(
            _("Cases by category"), _("Category"), kpis.get("by_category"), names.get
        ),
        _breakdown(
            _("Cases by channel"),
            _("Channel"),
            kpis.get("by_channel"),
            lambda v: _choice(Channel, v),
        ),
        _breakdown(
            _("Cases by status"),
            _("Status"),
            kpis.get("by_status"),
            lambda v: _choice(Status, v),
        ),
        _backlog_ages(kpis.get("backlog") or {}),
        _breaches(kpis.get("sla_breaches") or {}),
        *_top_problems(kpis.get("top_problems") or {}, names),
    ]


def _summary(kpis: dict[str, Any]) -> Table:
    first = kpis.get("first_response") or {}
    resolution = kpis.get("resolution") or {}
    backlog = kpis.get("backlog") or {}
    breaches = kpis.get("sla_breaches") or {}
    rows = [
        [_("Cases received"), count(kpis.get("received"))],
        [
            _("First response within 24 hours"),
            "%s (%s / %s)"
            % (
                percent(first.get("rate")),
                count(first.get("within_24h")),
                count(first.get("eligible")),
            ),
        ],
        [_("Median first response time"), duration(first.get("median_minutes"))],
        [_("Cases resolved"), count(resolution.get("resolved"))],
        [_("Median resolution time"), duration(resolution.get("median_minutes"))],
        [_("Handling rate (resolved / received)"), percent(kpis.get("handling_rate"))],
        [_("Backlog (cases still to do)"), count(backlog.get("active"))],
        [_("SLA breaches"), count(breaches.get("total"))],
    ]
    return Table(_("Summary"), [_("Indicator"), _("Value")], rows)


def _breakdown(title: str, header: str, counts: dict | None, label) -> Table:
    rows = [[label(key) or key, count(n)] for key, n in (counts or {}).items()]
    return Table(title, [header, _("Cases")], rows)


AGE_LABELS = {
    "under_1_day": lambda: _("under 1 day"),
    "1_to_3_days": lambda: _("1 to 3 days"),
    "3_to_7_days": lambda: _("3 to 7 days"),
    "over_7_days": lambda: _("over 7 days"),
}


def _backlog_ages(backlog: dict[str, Any]) -> Table:
    ages = backlog.get("age") or {}
    rows = [[AGE_LABELS.get(k, lambda k=k: k)(), count(n)] for k, n in ages.items()]
    return Table(_("Backlog by age"), [_("Age"), _("Cases")], rows)


def _breaches(breaches: dict[str, Any]) -> Table:
    rows = [
        [_choice(ClockKind, kind), count(n)]
        for kind, n in breaches.items()
        if kind != "total"
    ]
    return Table(_("SLA breaches by target"), [_("Target"), _("Breaches")], rows)


def _top_problems(top: dict[str, list], names: dict[str, str]) -> list[Table]:
    titles = {
        "airline": (_("Top problems by airline"), _("Airline")),
        "flight_number": (_("Top problems by flight"), _("Flight")),
        "airport": (_("Top problems by airport"), _("Airport")),
    }
    tables = []
    for dimension, entries in top.items():
        title, header = titles.get(dimension, (dimension, dimension))
        rows = [
            [
                entry.get("value", ""),
                count(entry.get("cases")),
                ", ".join(
                    "%s %s" % (names.get(code, code), count(n))
                    for code, n in list((entry.get("categories") or {}).items())[:3]
                ),
            ]
            for entry in entries
        ]
        tables.append(Table(title, [header, _("Cases"), _("Main categories")], rows))
    return tables
