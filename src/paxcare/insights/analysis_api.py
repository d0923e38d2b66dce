"""``/api/v1/insights/...``: breakdowns, trends, alerts and the latest driver analysis,
over the cases the caller may see, with the definitions of ``docs/kpis.md``."""

from datetime import datetime
from typing import Any, Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from paxcare.cases.schemas import TextSchema
from paxcare.errors import FieldError, InvalidInput
from paxcare.insights import alerts, drivers
from paxcare.insights.breakdowns import breakdown_for
from paxcare.insights.kpis import aware
from paxcare.insights.trends import default_interval, trends_for

router = Router(tags=["insights"])


class Period(TextSchema):
    # TextSchema: a date outside the years PaxCare works with is a field error.

    start: datetime | None = None
    end: datetime | None = None


class BreakdownQuery(Period):
    by: Literal[
        "department", "agent", "category", "channel", "airline", "airport", "flight"
    ] = "department"
    limit: int = 50


class TrendQuery(Period):
    interval: Literal["day", "week", "month"] | None = None


def _bounds(period: Period) -> tuple[datetime | None, datetime]:
    start = aware(period.start) if period.start else None
    end = aware(period.end) if period.end else timezone.now()
    if start and start >= end:
        raise InvalidInput([FieldError("end", _("The end must come after the start."))])
    return start, end


@router.get(
    "/breakdown",
    response=list[dict[str, Any]],
    operation_id="get_kpi_breakdown",
    summary="KPIs per department, agent, category, channel, airline, airport or flight",
)
def get_breakdown(request, query: Query[BreakdownQuery]):
    """Return one row of KPIs per group for ``[start, end)``, largest groups first."""
    start, end = _bounds(query)
    if not 1 <= query.limit <= 500:
        raise InvalidInput([FieldError("limit", _("From 1 to 500."))])
    now = timezone.now()
    return breakdown_for(request.user, query.by, start, end, now, query.limit)


@router.get(
    "/trends",
    response=list[dict[str, Any]],
    operation_id="get_kpi_trends",
    summary="KPIs per day, week or month of a period",
)
def get_trends(request, query: Query[TrendQuery]):
    """Return received, resolved, SLA compliance and CSAT per interval."""
    start, end = _bounds(query)
    interval = query.interval or default_interval(start, end)
    return trends_for(request.user, start, end, timezone.now(), interval)


@router.get(
    "/alerts",
    response=list[dict[str, Any]],
    operation_id="list_alerts",
    summary="Alerts of the caller's departments, newest first",
)
def list_alerts(request):
    """Return the last 100 alerts the caller may see."""
    return [
        {
            "id": alert.pk,
            "kind": alert.kind,
            "department": alert.department.code if alert.department else None,
            "dimension": alert.dimension,
            "value": alert.value,
            "category": alert.category_code,
            "observed": alert.observed,
            "baseline": alert.baseline,
            "cases": alert.cases,
            "detected_at": alert.detected_at,
            "acknowledged_at": alert.acknowledged_at,
            "text": alerts.describe(alert),
        }
        for alert in alerts.alerts_visible_to(request.user)[:100]
    ]


@router.get(
    "/drivers",
    response=dict[str, Any],
    operation_id="get_satisfaction_drivers",
    summary="The latest driver analysis of satisfaction",
)
def get_drivers(request):
    """Return the latest analysis, or ``{"analysis": null}`` when there is none."""
    analysis = drivers.latest_analysis()
    if analysis is None:
        return {"analysis": None}
    return {
        "analysis": {
            "id": analysis.pk,
            "created_at": analysis.created_at,
            "source_name": analysis.source_name,
            **analysis.result,
        }
    }
