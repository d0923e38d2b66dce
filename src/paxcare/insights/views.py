"""The console's insight pages: charts, breakdowns, alerts, follow-ups, drivers and
reports. Each view reads its form, calls the insight services over the cases the
user may see, and renders; every chart's numbers are also a table and a CSV.
"""

import csv
import logging
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from paxcare.cases.services import cases_visible_to
from paxcare.console.access import console_view
from paxcare.errors import InvalidInput, NotFound
from paxcare.errors import PermissionDenied as ServiceDenied
from paxcare.insights import alerts as alert_service
from paxcare.insights import drivers
from paxcare.insights.breakdowns import DIMENSIONS, breakdown_for, dimension_titles
from paxcare.insights.charts import CHART_NAMES, build_charts
from paxcare.insights.forms import (
    BreakdownForm,
    DriverUploadForm,
    FollowUpCloseForm,
    InsightPeriodForm,
    ReportForm,
)
from paxcare.insights.presentation import breakdown_table, insight_sections
from paxcare.insights.reports import build_report, render_html
from paxcare.insights.scoped_kpis import kpis_for
from paxcare.surveys import services as surveys

logger = logging.getLogger(__name__)

CHART_LIBRARY = "vendor/chart.umd.min.js"
DEFAULT_DAYS = 30


def chart_library_available() -> bool:
    """Whether the vendored chart library is there; pages show tables without it."""
    return finders.find(CHART_LIBRARY) is not None


def period_of(form) -> tuple[datetime | None, datetime]:
    """Return [start, end) of a period form: whole local days, the last 30 if empty."""
    data = form.cleaned_data if form.is_valid() else {}
    first, last = data.get("start"), data.get("end")
    if first is None and last is None:
        today = timezone.localdate()
        first, last = today - timedelta(days=DEFAULT_DAYS - 1), today
    start = _midnight(first) if first else None
    end = _midnight(last + timedelta(days=1)) if last else timezone.now()
    return start, end


def _midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@console_view
def overview(request: HttpRequest) -> HttpResponse:
    form = InsightPeriodForm(request.GET)
    if not form.is_valid():
        # No figures for a period that cannot be: zeros would look like an answer.
        context = {"form": form, "sections": [], "charts": [], "alerts": []}
        return render(request, "insights/overview.html", context, status=400)
    start, end = period_of(form)
    now = timezone.now()
    kpis = kpis_for(request.user, start, end, now=now)
    charts = build_charts(request.user, start, end, now, kpis=kpis)
    context = {
        "form": form,
        "kpis": kpis,
        "sections": insight_sections(kpis),
        "charts": list(charts.values()),
        "alerts": _alert_rows(request.user),
        "query": request.GET.urlencode(),
        "chart_library": chart_library_available(),
        "dimensions": dimension_titles(),
    }
    return render(request, "insights/overview.html", context)


def _alert_rows(user) -> list[dict]:
    return [
        {"alert": alert, "text": alert_service.describe(alert)}
        for alert in alert_service.open_alerts(user)
    ]


@console_view
def chart_csv(request: HttpRequest, name: str) -> HttpResponse:
    if name not in CHART_NAMES:
        raise Http404
    form = InsightPeriodForm(request.GET)
    if not form.is_valid():
        # The figures of another period would be taken for those asked for.
        return _form_errors(form)
    start, end = period_of(form)
    chart = build_charts(request.user, start, end, timezone.now(), only=name)[name]
    return _csv(f"paxcare-{name}.csv", chart.csv_headers, chart.csv_rows)


def _form_errors(form) -> HttpResponse:
    """Answer 400 with the errors of each field, one line each, as plain text."""
    lines = [
        f"{form.fields[name].label}: {message}" if name in form.fields else message
        for name, messages in form.errors.items()
        for message in messages
    ]
    return HttpResponse(
        "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8", status=400
    )


def _csv(filename: str, headers: list[str], rows: list[list]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A byte-order mark: spreadsheet programs then read Chinese names as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(headers)
    writer.writerows(["" if cell is None else cell for cell in row] for row in rows)
    return response


@console_view
def breakdown(request: HttpRequest) -> HttpResponse:
    form = BreakdownForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "by": "", "table": None, "query": ""}
        return render(request, "insights/breakdown.html", context, status=400)
    by = form.cleaned_data.get("by") or "department"
    start, end = period_of(form)
    rows = breakdown_for(request.user, by, start, end, timezone.now())
    if request.GET.get("format") == "csv":
        headers = (
            ["value", "label", *[k for k in rows[0] if k not in ("value", "label")]]
            if rows
            else ["value"]
        )
        return _csv(
            f"paxcare-by-{by}.csv",
            headers,
            [[row.get(h) for h in headers] for row in rows],
        )
    context = {
        "form": form,
        "by": by,
        "table": breakdown_table(by, rows),
        "dimensions": DIMENSIONS,
        "query": request.GET.urlencode(),
    }
    return render(request, "insights/breakdown.html", context)


@console_view
def alert_list(request: HttpRequest) -> HttpResponse:
    alerts = alert_service.alerts_visible_to(request.user)[:100]
    rows = [{"alert": a, "text": alert_service.describe(a)} for a in alerts]
    return render(request, "insights/alerts.html", {"rows": rows})


@console_view
@require_POST
def acknowledge_alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        alert_service.acknowledge(alert_id, actor=request.user)
    except NotFound as error:
        raise Http404 from error
    return redirect("insights:alerts")


@console_view
def follow_ups(request: HttpRequest) -> HttpResponse:
    items = surveys.follow_ups_visible_to(request.user)[:200]
    context = {
        "items": items,
        "may_close": surveys.may_close_follow_ups(request.user),
        "form": FollowUpCloseForm(),
    }
    return render(request, "insights/follow_ups.html", context)


@console_view
@require_POST
def close_follow_up(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    form = FollowUpCloseForm(request.POST)
    outcome = form.cleaned_data["outcome"] if form.is_valid() else ""
    try:
        surveys.close_follow_up(follow_up_id, outcome, actor=request.user)
    except NotFound as error:
        raise Http404 from error
    except ServiceDenied as error:
        raise PermissionDenied from error
    except InvalidInput as error:
        messages.error(request, " ".join(str(f.message) for f in error.fields))
    else:
        messages.success(request, _("Follow-up closed."))
    return redirect("insights:follow_ups")


@console_view
def driver_page(request: HttpRequest) -> HttpResponse:
    may_upload = drivers.may_analyse(request.user)
    form = DriverUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not may_upload:
            raise PermissionDenied
        if form.is_valid():
            try:
                drivers.analyse_upload(form.cleaned_data["file"], actor=request.user)
            except InvalidInput as error:
                form.add_error("file", " ".join(str(f.message) for f in error.fields))
            else:
                messages.success(request, _("Analysis done."))
                return redirect("insights:drivers")
    analysis = drivers.latest_analysis()
    context = {
        "form": form,
        "may_upload": may_upload,
        "analysis": analysis,
        "rows": drivers.result_rows(analysis) if analysis else [],
        "chart_library": chart_library_available(),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "insights/drivers.html", context, status=status)


@console_view
def report_page(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.GET or None)
    if not form.is_valid():
        return render(request, "insights/reports.html", {"form": form})
    period, language = form.cleaned_data["period"], form.cleaned_data["language"]
    report = build_report(period, cases=cases_visible_to(request.user))
    if form.cleaned_data["output"] == "pdf":
        from paxcare.insights.pdf import render_pdf

        response = HttpResponse(render_pdf(report, language), "application/pdf")
        filename = f"paxcare-{report['label']}-{language}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return HttpResponse(render_html(report, language))
