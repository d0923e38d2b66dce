"""Weekly and monthly management reports: volumes, KPIs against target, the top
problems and what changed, compensation paid. HTML for mail and the console, PDF
for filing (``insights.pdf``), in English or Simplified Chinese.

A report is built from ``compute_kpis`` over the period and over the period before
it, so its figures are the dashboard's and the API's, never a second definition.
"""

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from paxcare.cases.models import Case
from paxcare.insights.kpis import YearOutOfRange, check_year, compute_kpis
from paxcare.routing.models import Role
from paxcare.triage.models import Category

logger = logging.getLogger(__name__)

TARGETS_FILE = Path(__file__).with_name("targets.json")
TOP_CATEGORIES = 10
LANGUAGES = ("en", "zh-hans")


@dataclass(frozen=True)
class ReportPeriod:
    kind: str  # "week" or "month"
    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        return _local_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        return _local_midnight(self.last_day + timedelta(days=1))

    def previous(self) -> "ReportPeriod":
        if self.kind == "week":
            return week_period(self.first_day - timedelta(days=7))
        before = self.first_day - timedelta(days=1)
        return month_period(before.year, before.month)

    @property
    def label(self) -> str:
        if self.kind == "week":
            year, week, _day = self.first_day.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first_day:%Y-%m}"


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def month_period(year: int, month: int) -> ReportPeriod:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return ReportPeriod("month", first, following - timedelta(days=1))


def week_period(day: date) -> ReportPeriod:
    """Return the ISO week (Monday to Sunday) that contains ``day``."""
    monday = day - timedelta(days=day.weekday())
    return ReportPeriod("week", monday, monday + timedelta(days=6))


def parse_period(kind: str, value: str) -> ReportPeriod:
    """Parse ``2026-11`` (month) or ``2026-W47`` (week); raise ValueError if bad."""
    try:
        if kind == "month":
            year, month = (int(part) for part in value.split("-"))
            check_year(year)
            return month_period(year, month)
        if kind == "week":
            year, week = value.upper().split("-W")
            check_year(int(year))
            return week_period(date.fromisocalendar(int(year), int(week), 1))
    except YearOutOfRange:
        raise
    except (TypeError, ValueError) as error:
        raise ValueError(f"not a {kind}: {value!r}") from error
    raise ValueError(f"unknown period {kind!r}: use week or month")


def last_complete(kind: str, today: date | None = None) -> ReportPeriod:
    """Return the last week or month that has ended before ``today``."""
    today = today or timezone.localdate()
    if kind == "week":
        return week_period(today - timedelta(days=7))
    before = today.replace(day=1) - timedelta(days=1)
    return month_period(before.year, before.month)


# --- Targets ---------------------------------------------------------------------


@cache
def _target_versions() -> list[dict[str, Any]]:
    data = json.loads(TARGETS_FILE.read_text(encoding="utf-8"))
    return sorted(data["versions"], key=lambda v: v["effective_from"])


def targets_on(day: date) -> list[dict[str, Any]]:
    """Return the targets in force on ``day`` (the latest version begun by then)."""
    in_force = [
        v for v in _target_versions() if date.fromisoformat(v["effective_from"]) <= day
    ]
    return in_force[-1]["targets"] if in_force else []


def _figure(kpis: dict[str, Any], key: str) -> Any:
    value: Any = kpis
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def target_rows(kpis: dict, previous: dict, targets: list[dict]) -> list[dict]:
    rows = []
    for target in targets:
        value = _figure(kpis, target["key"])
        met = None
        if value is not None:
            higher = target["better"] == "higher"
            met = value >= target["target"] if higher else value <= target["target"]
        rows.append(
            {
                "key": target["key"],
                "value": value,
                "previous": _figure(previous, target["key"]),
                "target": target["target"],
                "better": target["better"],
                "met": met,
            }
        )
    return rows


# --- Building --------------------------------------------------------------------


def build_report(
    period: ReportPeriod,
    cases: QuerySet[Case] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Return the figures of a report, language-neutral (codes and numbers)."""
    now = now or timezone.now()
    cases = cases if cases is not None else Case.objects.all()
    kpis = compute_kpis(cases, period.start, period.end, now=now)
    previous = compute_kpis(cases, period.previous().start, period.start, now=now)
    return {
        "kind": period.kind,
        "label": period.label,
        "first_day": period.first_day,
        "last_day": period.last_day,
        "generated_at": now,
        "kpis": kpis,
        "previous": previous,
        "targets": target_rows(kpis, previous, targets_on(period.first_day)),
        "categories": _category_changes(kpis, previous),
    }


def _category_changes(kpis: dict, previous: dict) -> list[dict[str, Any]]:
    now_counts, before = kpis["by_category"], previous["by_category"]
    codes = sorted(now_counts, key=lambda code: (-now_counts[code], code))
    return [
        {
            "code": code,
            "cases": now_counts[code],
            "previous": before.get(code, 0),
            "change": now_counts[code] - before.get(code, 0),
            "share": round(now_counts[code] / kpis["received"], 4),
        }
        for code in codes[:TOP_CATEGORIES]
    ]


# --- Rendering and sending ----------------------------------------------------------


def render_html(report: dict[str, Any], language: str) -> str:
    """Return the report as a stand-alone HTML page (mail body and console page)."""
    with translation.override(language):
        return render_to_string("insights/report.html", report_context(report))


def report_context(report: dict[str, Any]) -> dict[str, Any]:
    """Return what the HTML and PDF renderings show, in the active language."""
    from paxcare.insights.presentation import report_sections

    names = {c.code: c.name for c in Category.objects.all()}
    title = (
        _("Weekly care report %(label)s")
        if report["kind"] == "week"
        else _("Monthly care report %(label)s")
    ) % {"label": report["label"]}
    return {
        "title": title,
        "report": report,
        "sections": report_sections(report, names),
    }


def recipients() -> list[tuple[str, str]]:
    """Return (address, language) of everyone who gets the reports.

    Supervisors, auditors and administrators with an e-mail address; Chinese for
    those whose first working language is Chinese.
    """
    from paxcare.routing.models import Agent

    found = []
    agents = Agent.objects.select_related("user").filter(
        role__in=[Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN], user__is_active=True
    )
    for agent in agents.order_by("pk"):
        if agent.user.email:
            languages = list(agent.languages or [])
            zh = bool(languages) and str(languages[0]).startswith("zh")
            found.append((agent.user.email, "zh-hans" if zh else "en"))
    return found


def send_report(period: ReportPeriod, now: datetime | None = None) -> int:
    """Mail the report to every recipient in their language, PDF attached."""
    from paxcare.insights.pdf import render_pdf

    people = recipients()
    if not people:
        return 0
    report = build_report(period, now=now)
    sent = 0
    for language in LANGUAGES:
        addresses = [address for address, lang in people if lang == language]
        if not addresses:
            continue
        html = render_html(report, language)
        with translation.override(language):
            subject = report_context(report)["title"]
            text = _("The report is attached as a PDF and shown below.")
        message = EmailMultiAlternatives(subject, text, to=addresses)
        message.attach_alternative(html, "text/html")
        message.attach(
            f"paxcare-{report['label']}-{language}.pdf",
            render_pdf(report, language),
            "application/pdf",
        )
        message.send()
        sent += len(addresses)
    logger.info(
        "insights: %s report %s sent to %d people", period.kind, period.label, sent
    )
    return sent
