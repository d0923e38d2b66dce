"""The KPIs of customer care, one definition each, shared by API, command and dashboard.

``docs/kpis.md`` states every definition in words; this module is the only code that
computes them. Everything is aggregated in the database (COUNT with FILTER, GROUP
BY); a median costs one COUNT and one ordered slice of at most two rows.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from paxcare.cases.lifecycle import ACTIVE_STATUSES
from paxcare.cases.models import Case
from paxcare.sla.models import Clock, ClockKind, ClockState

FIRST_RESPONSE_TARGET = timedelta(hours=24)

# Backlog age buckets: (key, lower bound inclusive, upper bound exclusive).
AGE_BUCKETS: tuple[tuple[str, timedelta, timedelta | None], ...] = (
    ("under_1_day", timedelta(0), timedelta(days=1)),
    ("1_to_3_days", timedelta(days=1), timedelta(days=3)),
    ("3_to_7_days", timedelta(days=3), timedelta(days=7)),
    ("over_7_days", timedelta(days=7), None),
)

# Top problems: the dimensions a case carries, and how many values each lists.
PROBLEM_DIMENSIONS = ("airline", "flight_number", "airport")
TOP_VALUES = 10


def parse_period_bound(value: str) -> datetime:
    """Return an aware datetime from ISO text; a date means its midnight, local time.

    Raise ValueError for anything else.
    """
    value = value.strip()
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise ValueError(f"not a date or date-time: {value!r}")
        parsed = datetime.combine(day, time.min)
    return aware(parsed)


def aware(value: datetime | date) -> datetime:
    """Return ``value`` as an aware datetime, reading naive ones in local time."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone())
    return value


def compute_kpis(
    cases_queryset: QuerySet[Case],
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Return every KPI over ``cases_queryset`` for the period ``[start, end)``.

    ``start`` None means from the first case; ``end`` None means the report time.
    """
    now = now or timezone.now()
    end = end or now
    cases = cases_queryset.order_by()
    received = _in_period(cases, "received_at", start, end)
    resolved = _in_period(cases, "resolved_at", start, end)
    counts = _received_counts(received, now)
    return {
        "period": {"start": start, "end": end, "as_of": now},
        "received": counts["received"],
        "by_category": _count_by(received, "category__code"),
        "by_channel": _count_by(received, "channel"),
        "by_status": _count_by(received, "status"),
        "first_response": {
            "eligible": counts["eligible"],
            "within_24h": counts["within_24h"],
            "rate": _ratio(counts["within_24h"], counts["eligible"]),
            "responded": counts["responded"],
            "median_minutes": _median_minutes(received, "first_response_at"),
        },
        "resolution": {
            "resolved": resolved.count(),
            "median_minutes": _median_minutes(resolved, "resolved_at"),
        },
        "handling_rate": _ratio(resolved.count(), counts["received"]),
        "backlog": _backlog(cases, now),
        "sla_breaches": _breaches(cases, start, end, now),
        "top_problems": {
            dimension: _top_problems(received, dimension)
            for dimension in PROBLEM_DIMENSIONS
        },
    }


def _in_period(cases: QuerySet[Case], field: str, start, end) -> QuerySet[Case]:
    cases = cases.filter(**{f"{field}__lt": end})
    if start is not None:
        cases = cases.filter(**{f"{field}__gte": start})
    return cases


def _received_counts(received: QuerySet[Case], now: datetime) -> dict[str, int]:
    responded = Q(first_response_at__isnull=False)
    on_time = Q(first_response_at__lte=F("received_at") + FIRST_RESPONSE_TARGET)
    overdue = Q(
        first_response_at__isnull=True, received_at__lte=now - FIRST_RESPONSE_TARGET
    )
    return received.aggregate(
        received=Count("pk"),
        responded=Count("pk", filter=responded),
        eligible=Count("pk", filter=responded | overdue),
        within_24h=Count("pk", filter=responded & on_time),
    )


def _count_by(cases: QuerySet[Case], field: str) -> dict[str, int]:
    rows = cases.values(field).annotate(n=Count("pk")).order_by("-n", field)
    return {row[field]: row["n"] for row in rows}


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _median_minutes(cases: QuerySet[Case], later: str) -> float | None:
    """Return the median of ``later - received_at`` in minutes, None without any."""
    duration = ExpressionWrapper(
        F(later) - F("received_at"), output_field=DurationField()
    )
    ordered = (
        cases.filter(**{f"{later}__isnull": False})
        .annotate(duration=duration)
        .order_by("duration", "pk")
    )
    n = ordered.count()
    if n == 0:
        return None
    middle = list(ordered.values_list("duration", flat=True)[(n - 1) // 2 : n // 2 + 1])
    median = sum(middle, timedelta()) / len(middle)
    return round(median / timedelta(minutes=1), 1)


def _backlog(cases: QuerySet[Case], now: datetime) -> dict[str, Any]:
    active = cases.filter(status__in=ACTIVE_STATUSES)
    buckets = {}
    for key, low, high in AGE_BUCKETS:
        window = Q(received_at__lte=now - low)
        if high is not None:
            window &= Q(received_at__gt=now - high)
        buckets[key] = Count("pk", filter=window)
    counts = active.aggregate(active=Count("pk"), **buckets)
    return {
        "active": counts.pop("active"),
        "age": {key: counts[key] for key, _low, _high in AGE_BUCKETS},
    }


def _breaches(cases: QuerySet[Case], start, end, now: datetime) -> dict[str, int]:
    breached = Q(state=ClockState.BREACHED) | Q(
        state=ClockState.RUNNING, stopped_at__isnull=True, due_at__lte=now
    )
    clocks = Clock.objects.filter(breached, case__in=cases.values("pk"), due_at__lt=end)
    if start is not None:
        clocks = clocks.filter(due_at__gte=start)
    by_kind = dict(clocks.values_list("kind").annotate(n=Count("pk")).order_by())
    result = {kind: by_kind.get(kind, 0) for kind in ClockKind.values}
    return {"total": sum(result.values()), **result}


def _top_problems(received: QuerySet[Case], dimension: str) -> list[dict[str, Any]]:
    rows = (
        received.exclude(**{dimension: ""})
        .values(dimension, "category__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    groups: dict[str, dict[str, int]] = {}
    for row in rows:
        groups.setdefault(row[dimension], {})[row["category__code"]] = row["n"]
    ranked = sorted(groups.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    return [
        {
            "value": value,
            "cases": sum(categories.values()),
            "categories": dict(
                sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))
            ),
        }
        for value, categories in ranked[:TOP_VALUES]
    ]
