"""The charts of the insight pages, each with the table and CSV of its numbers.

A chart is data only: labels, series and the same numbers as table rows (formatted)
and CSV rows (raw). The page always shows the table; the browser draws the chart
from the JSON next to it when the vendored chart library is there.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from paxcare.console.kpis import count, percent
from paxcare.insights.breakdowns import breakdown_for
from paxcare.insights.kpis import rate_percent
from paxcare.insights.presentation import points, received_label, resolved_label
from paxcare.insights.scoped_kpis import kpis_for
from paxcare.insights.trends import default_interval, trends_for
from paxcare.triage.models import Category

CHART_NAMES = ("trend", "pareto", "sla", "satisfaction", "airports")


@dataclass
class Series:
    label: str
    values: list[float | int | None]
    kind: str = "line"  # or "bar"
    axis: str = "count"  # or "percent"


@dataclass
class Chart:
    name: str
    title: str
    description: str
    labels: list[str] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    csv_headers: list[str] = field(default_factory=list)
    csv_rows: list[list[Any]] = field(default_factory=list)
    drawn: bool = True

    @property
    def data_id(self) -> str:
        return f"chart-data-{self.name}"

    def spec(self) -> dict[str, Any]:
        """Return what the browser needs to draw the chart."""
        return {
            "labels": self.labels,
            "series": [
                {"label": s.label, "values": s.values, "kind": s.kind, "axis": s.axis}
                for s in self.series
            ],
        }


def _pct(value: float | None) -> float | None:
    return None if value is None else float(rate_percent(value))


def trend_chart(trends: list[dict[str, Any]]) -> Chart:
    labels = [row["bucket"].isoformat() for row in trends]
    return Chart(
        name="trend",
        title=_("Cases received and resolved"),
        description=_("Per day, week or month of the period, local time."),
        labels=labels,
        series=[
            Series(received_label(), [row["received"] for row in trends]),
            Series(resolved_label(), [row["resolved"] for row in trends]),
        ],
        headers=[_("Period"), received_label(), resolved_label()],
        rows=[
            [label, count(row["received"]), count(row["resolved"])]
            for label, row in zip(labels, trends, strict=True)
        ],
        csv_headers=["period", "received", "resolved"],
        csv_rows=[
            [label, row["received"], row["resolved"]]
            for label, row in zip(labels, trends, strict=True)
        ],
    )


def sla_chart(trends: list[dict[str, Any]]) -> Chart:
    labels = [row["bucket"].isoformat() for row in trends]
    return Chart(
        name="sla",
        title=_("SLA compliance over time"),
        description=_(
            "Share of SLA targets met among those met or breached in each period, "
            "and the share of cases answered within 24 hours."
        ),
        labels=labels,
        series=[
            Series(
                _("SLA compliance (%)"),
                [_pct(row["sla_compliance"]) for row in trends],
                axis="percent",
            ),
            Series(
                _("First response within 24 hours (%)"),
                [_pct(row["first_response_rate"]) for row in trends],
                axis="percent",
            ),
        ],
        headers=[
            _("Period"),
            _("Met"),
            _("Breached"),
            _("SLA compliance"),
            _("First response within 24 hours"),
        ],
        rows=[
            [
                label,
                count(row["sla_met"]),
                count(row["sla_breached"]),
                percent(row["sla_compliance"]),
                percent(row["first_response_rate"]),
            ]
            for label, row in zip(labels, trends, strict=True)
        ],
        csv_headers=[
            "period",
            "sla_met",
            "sla_breached",
            "sla_compliance",
            "first_response_within_24h_rate",
        ],
        csv_rows=[
            [
                label,
                row["sla_met"],
                row["sla_breached"],
                row["sla_compliance"],
                row["first_response_rate"],
            ]
            for label, row in zip(labels, trends, strict=True)
        ],
    )


def pareto_chart(by_category: dict[str, int], names: dict[str, str]) -> Chart:
    total = sum(by_category.values())
    running, cumulative = 0, []
    for n in by_category.values():
        running += n
        cumulative.append(round(running / total, 4) if total else None)
    codes = list(by_category)
    return Chart(
        name="pareto",
        title=_("Pareto of problems"),
        description=_(
            "Cases received by category, largest first, with the cumulative share: "
            "the few categories left of 80 % are most of the work."
        ),
        labels=[names.get(code, code) for code in codes],
        series=[
            Series(_("Cases"), list(by_category.values()), kind="bar"),
            Series(
                _("Cumulative share (%)"), [_pct(v) for v in cumulative], axis="percent"
            ),
        ],
        headers=[_("Category"), _("Cases"), _("Cumulative share")],
        rows=[
            [names.get(code, code), count(n), percent(share)]
            for code, n, share in zip(
                codes, by_category.values(), cumulative, strict=True
            )
        ],
        csv_headers=["category", "cases", "cumulative_share"],
        csv_rows=[
            [code, n, share]
            for code, n, share in zip(
                codes, by_category.values(), cumulative, strict=True
            )
        ],
    )


def satisfaction_chart(rows: list[dict[str, Any]]) -> Chart:
    answered = [row for row in rows if row["responses"]]
    answered.sort(
        key=lambda row: (
            row["csat"] if row["csat"] is not None else 2,
            str(row["label"]),
        )
    )
    return Chart(
        name="satisfaction",
        title=_("Satisfaction by category"),
        description=_(
            "CSAT (share of answers rating 4 or 5) of the answers given in "
            "the period, lowest first."
        ),
        labels=[str(row["label"]) for row in answered],
        series=[
            Series(
                _("CSAT (%)"),
                [_pct(row["csat"]) for row in answered],
                kind="bar",
                axis="percent",
            )
        ],
        headers=[_("Category"), _("Answers"), _("CSAT"), _("NPS")],
        rows=[
            [
                str(row["label"]),
                count(row["responses"]),
                percent(row["csat"]),
                points(row["nps"]),
            ]
            for row in answered
        ],
        csv_headers=["category", "answers", "csat", "nps"],
        csv_rows=[
            [row["value"], row["responses"], row["csat"], row["nps"]]
            for row in answered
        ],
    )


def airport_table(rows: list[dict[str, Any]]) -> Chart:
    return Chart(
        name="airports",
        title=_("By airport"),
        description=_("The airports with most cases in the period; no map needed."),
        drawn=False,
        headers=[
            _("Airport"),
            received_label(),
            resolved_label(),
            _("SLA compliance"),
            _("CSAT"),
            _("Backlog"),
        ],
        rows=[
            [
                row["label"] or "—",
                count(row["received"]),
                count(row["resolved"]),
                percent(row["sla_compliance"]),
                percent(row["csat"]),
                count(row["backlog"]),
            ]
            for row in rows
        ],
        csv_headers=[
            "airport",
            "received",
            "resolved",
            "sla_compliance",
            "csat",
            "backlog",
        ],
        csv_rows=[
            [
                row["value"],
                row["received"],
                row["resolved"],
                row["sla_compliance"],
                row["csat"],
                row["backlog"],
            ]
            for row in rows
        ],
    )


def build_charts(
    user,
    start: datetime | None,
    end: datetime,
    now: datetime,
    only: str | None = None,
    kpis: dict[str, Any] | None = None,
) -> dict[str, Chart]:
    """Return the charts of the overview page (or only the one named), over the
    cases ``user`` may see.

    ``kpis``, when the caller has them for the same user and period, saves
    computing them again for the Pareto chart.
    """
    wanted = set(CHART_NAMES if only is None else [only])
    charts: dict[str, Chart] = {}
    if wanted & {"trend", "sla"}:
        trends = trends_for(user, start, end, now, default_interval(start, end))
        charts["trend"] = trend_chart(trends)
        charts["sla"] = sla_chart(trends)
    if "pareto" in wanted:
        names = {c.code: c.name for c in Category.objects.all()}
        kpis = kpis or kpis_for(user, start, end, now=now)
        by_category = kpis["by_category"]
        charts["pareto"] = pareto_chart(by_category, names)
    if "satisfaction" in wanted:
        rows = breakdown_for(
            user, "category", start, end, now, limit=100, parts=["satisfaction"]
        )
        charts["satisfaction"] = satisfaction_chart(rows)
    if "airports" in wanted:
        parts = ["received", "resolved", "sla", "satisfaction", "backlog"]
        # The table shows no median: leaving them out saves sorting the facts.
        rows = breakdown_for(user, "airport", start, end, now, 30, parts, medians=False)
        charts["airports"] = airport_table([r for r in rows if r["value"]])
    return {
        name: charts[name] for name in CHART_NAMES if name in charts and name in wanted
    }
