"""KPIs over time: one row per day, week or month of the period, local time.

Each series is one GROUP BY on the truncated time of the event that defines it:
received cases by receipt, resolutions by resolution, SLA outcomes by when they
happened (met: stopped; breached: due), survey answers by answer.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from paxcare.cases.models import Case
from paxcare.insights.kpis import FIRST_RESPONSE_TARGET
from paxcare.insights.quality import (
    COMPLIANCE_KINDS,
    breached_clock,
    in_period,
    ratio,
)
from paxcare.insights.satisfaction import SATISFIED, answered_in
from paxcare.sla.models import Clock

TRUNCATE = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def default_interval(start: datetime | None, end: datetime) -> str:
    """Return the interval that gives a readable number of points for the period."""
    if start is None or end - start > timedelta(days=400):
        return "month"
    if end - start > timedelta(days=62):
        return "week"
    return "day"


def compute_trends(
    cases_queryset: QuerySet[Case],
    start: datetime | None,
    end: datetime,
    now: datetime,
    interval: str = "day",
) -> list[dict[str, Any]]:
    """Return the series of the period, oldest bucket first.

    Raise ValueError for an interval other than day, week or month.
    """
    if interval not in TRUNCATE:
        raise ValueError(f"Unknown interval {interval!r}: use day, week or month.")
    cases = cases_queryset.order_by().filter(duplicate_of__isnull=True)
    series: dict[date, dict[str, int]] = {}

    def add(rows, **renames) -> None:
        for row in rows:
            bucket = row.pop("bucket")
            if bucket is None:
                continue
            key = bucket.date() if isinstance(bucket, datetime) else bucket
            target = series.setdefault(key, {})
            for name, value in row.items():
                target[renames.get(name, name)] = value

    add(_received(cases, start, end, now, interval))
    add(
        _by(
            cases.filter(in_period("timing__resolved_at", start, end)),
            "timing__resolved_at",
            interval,
            resolved=Count("pk"),
        )
    )
    for name, field in (
        ("sla_met_first_response", "timing__first_response_met_at"),
        ("sla_met_resolution", "timing__resolution_met_at"),
    ):
        met = cases.filter(in_period(field, start, end))
        add(_by(met, field, interval, **{name: Count("pk")}))
    breached = Clock.objects.filter(
        breached_clock(now),
        in_period("due_at", start, end),
        kind__in=list(COMPLIANCE_KINDS),
        case__in=cases.values("pk"),
    )
    add(_by(breached, "due_at", interval, sla_breached=Count("pk")))
    add(
        _by(
            answered_in(cases, start, end),
            "survey__answered_at",
            interval,
            responses=Count("pk"),
            satisfied=Count("pk", filter=SATISFIED),
        )
    )
    return [_row(key, series[key]) for key in sorted(series)]


def _by(queryset, field: str, interval: str, **aggregates):
    zone = timezone.get_current_timezone()
    bucket = TRUNCATE[interval](field, tzinfo=zone)
    return (
        queryset.annotate(bucket=bucket)
        .values("bucket")
        .annotate(**aggregates)
        .order_by()
    )


def _received(cases, start, end, now, interval):
    responded = Q(first_response_at__isnull=False)
    on_time = Q(first_response_at__lte=F("received_at") + FIRST_RESPONSE_TARGET)
    overdue = Q(
        first_response_at__isnull=True, received_at__lte=now - FIRST_RESPONSE_TARGET
    )
    return _by(
        cases.filter(in_period("received_at", start, end)),
        "received_at",
        interval,
        received=Count("pk"),
        eligible=Count("pk", filter=responded | overdue),
        within_24h=Count("pk", filter=responded & on_time),
    )


def _row(bucket: date, values: dict[str, int]) -> dict[str, Any]:
    get = values.get
    met = get("sla_met_first_response", 0) + get("sla_met_resolution", 0)
    breached = get("sla_breached", 0)
    return {
        "bucket": bucket,
        "received": get("received", 0),
        "resolved": get("resolved", 0),
        "first_response_rate": ratio(get("within_24h", 0), get("eligible", 0)),
        "sla_met": met,
        "sla_breached": breached,
        "sla_compliance": ratio(met, met + breached),
        "responses": get("responses", 0),
        "csat": ratio(get("satisfied", 0), get("responses", 0)),
    }
