"""Turn KPI figures into the tables people read: dashboard, insight pages, reports.

Numbers are formatted in the active language here, once; templates and the PDF only
lay the tables out.
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from paxcare.console.kpis import Table, count, duration, percent
from paxcare.insights.breakdowns import dimension_titles


def signed(value: int | None) -> str:
    if value is None:
        return "—"
    return f"+{count(value)}" if value > 0 else count(value)


def points(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def received_label() -> str:
    """Return the heading of a count of cases received (not the time received)."""
    return pgettext("case count", "Received")


def resolved_label() -> str:
    """Return the heading of a count of cases resolved (not the time resolved)."""
    return pgettext("case count", "Resolved")


def kpi_label(key: str) -> str:
    labels = {
        "first_response.rate": _("First response within 24 hours"),
        "sla_compliance.total.rate": _("SLA compliance"),
        "satisfaction.csat": _("Satisfaction (CSAT, share rating 4-5)"),
        "satisfaction.nps": _("Net promoter score (NPS)"),
        "satisfaction.response_rate": _("Survey response rate"),
        "first_contact_resolution.rate": _("First-contact resolution"),
        "reopen_rate.rate": _("Reopen rate"),
        "handling_rate": _("Handling rate (resolved / received)"),
    }
    return labels.get(key, key)


def format_kpi(key: str, value: Any) -> str:
    if key == "satisfaction.nps":
        return points(value)
    return percent(value)


def insight_sections(kpis: dict[str, Any]) -> list[Table]:
    """Return the dashboard tables of service quality, satisfaction and compensation."""
    return [_quality(kpis), _satisfaction(kpis), _compensation(kpis)]


def _quality(kpis: dict[str, Any]) -> Table:
    business = kpis.get("first_response_business") or {}
    resolution = kpis.get("resolution_time") or {}
    sla = (kpis.get("sla_compliance") or {}).get("total") or {}
    reopen = kpis.get("reopen_rate") or {}
    fcr = kpis.get("first_contact_resolution") or {}
    rows = [
        [
            _("Median first response in working hours"),
            duration(business.get("median_minutes")),
        ],
        [
            _("Median resolution time (waiting on the passenger left out)"),
            duration(resolution.get("median_minutes")),
        ],
        [
            _("SLA compliance"),
            "%s (%s / %s)"
            % (
                percent(sla.get("rate")),
                count(sla.get("met")),
                count((sla.get("met") or 0) + (sla.get("breached") or 0)),
            ),
        ],
        [_("Reopen rate"), percent(reopen.get("rate"))],
        [_("First-contact resolution"), percent(fcr.get("rate"))],
    ]
    return Table(_("Service quality"), [_("Indicator"), _("Value")], rows)


def _satisfaction(kpis: dict[str, Any]) -> Table:
    s = kpis.get("satisfaction") or {}
    rows = [
        [_("Survey answers"), count(s.get("responses"))],
        [_("Satisfaction (CSAT, share rating 4-5)"), percent(s.get("csat"))],
        [_("Net promoter score (NPS)"), points(s.get("nps"))],
        [
            _("Survey response rate"),
            "%s (%s / %s)"
            % (
                percent(s.get("response_rate")),
                count(s.get("answered")),
                count(s.get("invited")),
            ),
        ],
    ]
    return Table(_("Satisfaction"), [_("Indicator"), _("Value")], rows)


def _compensation(kpis: dict[str, Any]) -> Table:
    money = kpis.get("compensation") or {}
    rows = [
        [currency, amount] for currency, amount in (money.get("paid") or {}).items()
    ]
    return Table(_("Compensation paid"), [_("Currency"), _("Amount")], rows)


def breakdown_table(by: str, rows: list[dict[str, Any]]) -> Table:
    """Return a breakdown (``breakdowns.compute_breakdown``) as a table."""
    headers = [
        dimension_titles()[by],
        received_label(),
        _("First response within 24 hours"),
        _("Median first response"),
        resolved_label(),
        _("Median resolution time"),
        _("SLA compliance"),
        _("Reopen rate"),
        _("CSAT"),
        _("NPS"),
        _("Backlog"),
    ]
    body = [
        [
            str(row["label"]),
            count(row["received"]),
            percent(row["first_response_rate"]),
            duration(row["first_response_median_minutes"]),
            count(row["resolved"]),
            duration(row["resolution_time_median_minutes"]),
            percent(row["sla_compliance"]),
            percent(row["reopen_rate"]),
            percent(row["csat"]),
            points(row["nps"]),
            count(row["backlog"]),
        ]
        for row in rows
    ]
    return Table(_("By %(dimension)s") % {"dimension": headers[0]}, headers, body)


def report_sections(report: dict[str, Any], names: dict[str, str]) -> list[Table]:
    """Return the tables of a management report, in the active language."""
    kpis, previous = report["kpis"], report["previous"]
    return [
        _volumes(kpis, previous),
        _targets(report["targets"]),
        _problems(report["categories"], names),
        *_places(kpis),
        _satisfaction(kpis),
        _compensation(kpis),
    ]


def _volumes(kpis: dict, previous: dict) -> Table:
    def row(label: str, now: int, before: int) -> list[str]:
        return [label, count(now), count(before), signed(now - before)]

    rows = [
        row(_("Cases received"), kpis["received"], previous["received"]),
        row(
            _("Cases resolved"),
            kpis["resolution"]["resolved"],
            previous["resolution"]["resolved"],
        ),
    ]
    rows.append([_("Backlog at report time"), count(kpis["backlog"]["active"]), "", ""])
    headers = [
        _("Volume"),
        _("This period"),
        _("Period before"),
        pgettext("report column", "Change"),
    ]
    return Table(_("Volumes"), headers, rows)


def _targets(targets: list[dict[str, Any]]) -> Table:
    rows = []
    for target in targets:
        met = target["met"]
        if met is None:
            verdict = "—"
        elif met:
            verdict = pgettext("report target", "met")
        else:
            verdict = pgettext("report target", "missed")
        rows.append(
            [
                kpi_label(target["key"]),
                format_kpi(target["key"], target["value"]),
                ("≥ " if target["better"] == "higher" else "≤ ")
                + format_kpi(target["key"], target["target"]),
                format_kpi(target["key"], target["previous"]),
                verdict,
            ]
        )
    headers = [
        _("Indicator"),
        _("This period"),
        pgettext("report column", "Target"),
        _("Period before"),
        _("Result"),
    ]
    return Table(_("KPIs against target"), headers, rows)


def _problems(categories: list[dict[str, Any]], names: dict[str, str]) -> Table:
    rows = [
        [
            names.get(entry["code"], entry["code"]),
            count(entry["cases"]),
            percent(entry["share"]),
            count(entry["previous"]),
            signed(entry["change"]),
        ]
        for entry in categories
    ]
    headers = [
        _("Category"),
        _("Cases"),
        _("Share"),
        _("Period before"),
        pgettext("report column", "Change"),
    ]
    return Table(_("Top problems and what changed"), headers, rows)


def _places(kpis: dict) -> list[Table]:
    titles = {
        "airport": (_("Top airports"), _("Airport")),
        "flight_number": (_("Top flights"), _("Flight")),
    }
    tables = []
    for dimension, (title, header) in titles.items():
        entries = (kpis.get("top_problems") or {}).get(dimension) or []
        rows = [[entry["value"], count(entry["cases"])] for entry in entries]
        tables.append(Table(title, [header, _("Cases")], rows))
    return tables
