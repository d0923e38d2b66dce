"""The KPIs of customer care, one definition each, shared by API, command and dashboard.

``docs/kpis.md`` states every definition in words; this module is the only code that
computes them. Everything is aggregated in the database (COUNT with FILTER, GROUP
BY), in as few passes over the cases as the definitions allow: at a million cases
each pass costs a scan. One aggregate gives the received, first-response,
resolution and backlog counts (and on PostgreSQL both medians, with
``percentile_cont``); one GROUP BY gives the counts by category, channel and status.
Elsewhere a median costs one COUNT and one ordered slice of at most two rows.
"""

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from paxcare.cases.lifecycle import ACTIVE_STATUSES
from paxcare.cases.models import Case
from paxcare.insights.figures import extend_kpis
from paxcare.sla.models import Clock, ClockKind, ClockState
from paxcare.years import year_fault

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
    check_year(parsed.year)
    return aware(parsed)


class YearOutOfRange(ValueError):
    """A period bound outside the years PaxCare works with (`paxcare.years`)."""


def check_year(year: int) -> None:
    """Raise YearOutOfRange for a year outside the ones PaxCare works with.

    Local midnight of 0001-01-01 lies before year 1 in UTC, so the far ends cannot
    even be compared with the cases' times.
    """
    fault = year_fault(date(year, 1, 1))
    if fault is not None:
        raise YearOutOfRange(fault)


def aware(value: datetime | date) -> datetime:
    """Return ``value`` as an aware datetime, reading naive ones in local time."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone())
    return value


def rate_percent(rate: float | None) -> Decimal | None:
    """Return a rate as a percentage rounded half up to one decimal.

    The one rounding of every page, report, chart and command: 3 of 7 is the rate
    0.4286 and shows as 42.9 everywhere. Read through ``str``, so that a rate such
    as 0.4285 rounds up as written and not as its binary neighbour.
    """
    if rate is None:
        return None
    return (Decimal(str(rate)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


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
    # A case merged into another (duplicate_of) is counted once, as its original.
    cases = cases_queryset.order_by().filter(duplicate_of__isnull=True)
    received = _in_period(cases, "received_at", start, end)
    counts = _counts(cases, start, end, now)
    groups, problems = _received_groups(received)
    report = {
        "period": {"start": start, "end": end, "as_of": now},
        "received": counts["received"],
        "by_category": _ranked(groups, "category__code"),
        "by_channel": _ranked(groups, "channel"),
        "by_status": _ranked(groups, "status"),
        "first_response": {
            "eligible": counts["eligible"],
            "within_24h": counts["within_24h"],
            "rate": _ratio(counts["within_24h"], counts["eligible"]),
            "responded": counts["responded"],
            "median_minutes": counts["first_response_median"],
        },
        "resolution": {
            "resolved": counts["resolved"],
            "median_minutes": counts["resolution_median"],
        },
        "handling_rate": _ratio(counts["resolved"], counts["received"]),
        "backlog": {
            "active": counts["active"],
            "age": {key: counts[key] for key, _low, _high in AGE_BUCKETS},
        },
        "sla_breaches": _breaches(cases, start, end, now),
        "top_problems": {
            dimension: _top_problems(problems[dimension])
            for dimension in PROBLEM_DIMENSIONS
        },
    }
    return extend_kpis(report, cases, start, end, now)


def _in_period(cases: QuerySet[Case], field: str, start, end) -> QuerySet[Case]:
    return cases.filter(_period(field, start, end))


def _period(field: str, start, end) -> Q:
    condition = Q(**{f"{field}__lt": end})
    if start is not None:
        condition &= Q(**{f"{field}__gte": start})
    return condition


def _counts(cases: QuerySet[Case], start, end, now: datetime) -> dict[str, Any]:
    """Return the received, first-response, resolution and backlog counts, and the
    medians, from one aggregate over the cases any of them counts."""
    received = _period("received_at", start, end)
    resolved = _period("resolved_at", start, end)
    active = Q(status__in=ACTIVE_STATUSES)
    responded = Q(first_response_at__isnull=False)
    on_time = Q(first_response_at__lte=F("received_at") + FIRST_RESPONSE_TARGET)
    overdue = Q(
        first_response_at__isnull=True, received_at__lte=now - FIRST_RESPONSE_TARGET
    )
    figures = {
        "received": Count("pk", filter=received),
        "responded": Count("pk", filter=received & responded),
        "eligible": Count("pk", filter=received & (responded | overdue)),
        "within_24h": Count("pk", filter=received & responded & on_time),
        "resolved": Count("pk", filter=resolved),
        "active": Count("pk", filter=active),
    }
    for key, low, high in AGE_BUCKETS:
        window = Q(received_at__lte=now - low)
        if high is not None:
            window &= Q(received_at__gt=now - high)
        figures[key] = Count("pk", filter=active & window)
    exact_medians = connection.vendor == "postgresql"
    if exact_medians:
        figures["first_response_median"] = _Median(
            _duration("first_response_at"), filter=received & responded
        )
        figures["resolution_median"] = _Median(
            _duration("resolved_at"), filter=resolved
        )
    counts = cases.filter(received | resolved | active).aggregate(**figures)
    if exact_medians:
        for key in ("first_response_median", "resolution_median"):
            counts[key] = _minutes(counts[key])
    else:
        counts["first_response_median"] = _median_minutes(
            cases.filter(received), "first_response_at"
        )
        counts["resolution_median"] = _median_minutes(
            cases.filter(resolved), "resolved_at"
        )
    return counts


class _Median(Aggregate):
    """PostgreSQL's median of a duration: the mean of the two middle values of an
    even count, as the definition asks."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _duration(later: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(later) - F("received_at"), output_field=DurationField())


def _minutes(duration: timedelta | None) -> float | None:
    if duration is None:
        return None
    return round(duration / timedelta(minutes=1), 1)


def _received_groups(received: QuerySet[Case]) -> tuple[list[dict], dict]:
    """Return the received cases counted by (category, channel, status), and for
    each problem dimension by (value, category) without blank values.

    On PostgreSQL one GROUP BY GROUPING SETS reads the cases once for all four
    groupings; elsewhere each grouping is its own GROUP BY.
    """
    if connection.vendor == "postgresql":
        return _grouping_sets(received)
    groups = list(
        received.values("category__code", "channel", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    problems = {
        dimension: [
            (row[dimension], row["category__code"], row["n"])
            for row in received.exclude(**{dimension: ""})
            .values(dimension, "category__code")
            .annotate(n=Count("pk"))
            .order_by()
        ]
        for dimension in PROBLEM_DIMENSIONS
    }
    return groups, problems


def _grouping_sets(received: QuerySet[Case]) -> tuple[list[dict], dict]:
    columns = ("code", "channel", "status", *PROBLEM_DIMENSIONS)
    rows = received.annotate(code=F("category__code")).values(*columns)
    inner, params = rows.query.sql_with_params()
    sets = ["(code, channel, status)"] + [
        f"({dimension}, code)" for dimension in PROBLEM_DIMENSIONS
    ]
    sql = (
        f"SELECT {', '.join(columns)}, COUNT(*), "
        f"GROUPING({', '.join(PROBLEM_DIMENSIONS)}) "
        f"FROM ({inner}) AS received GROUP BY GROUPING SETS ({', '.join(sets)})"
    )
    groups: list[dict] = []
    problems: dict[str, list] = {dimension: [] for dimension in PROBLEM_DIMENSIONS}
    # GROUPING(airline, airport, flight_number) sets the bit of each dimension that
    # is not in the row's grouping set, the first dimension's bit the highest.
    every = (1 << len(PROBLEM_DIMENSIONS)) - 1
    only = {
        every ^ (1 << (len(PROBLEM_DIMENSIONS) - 1 - index)): dimension
        for index, dimension in enumerate(PROBLEM_DIMENSIONS)
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for *values, n, grouping in cursor.fetchall():
            row = dict(zip(columns, values, strict=True))
            dimension = only.get(grouping)
            if dimension is None:
                groups.append(
                    {
                        "category__code": row["code"],
                        "channel": row["channel"],
                        "status": row["status"],
                        "n": n,
                    }
                )
            elif row[dimension]:
                problems[dimension].append((row[dimension], row["code"], n))
    return groups, problems


def _ranked(groups: list[dict[str, Any]], field: str) -> dict[str, int]:
    """Return the counts of one field over the groups, largest first, ties by value."""
    totals: dict[str, int] = {}
    for group in groups:
        totals[group[field]] = totals.get(group[field], 0) + group["n"]
    return dict(sorted(totals.items(), key=lambda item: (-item[1], item[0])))


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _median_minutes(cases: QuerySet[Case], later: str) -> float | None:
    """Return the median of ``later - received_at`` in minutes, None without any."""
    ordered = (
        cases.filter(**{f"{later}__isnull": False})
        .annotate(duration=_duration(later))
        .order_by("duration", "pk")
    )
    n = ordered.count()
    if n == 0:
        return None
    middle = list(ordered.values_list("duration", flat=True)[(n - 1) // 2 : n // 2 + 1])
    return _minutes(sum(middle, timedelta()) / len(middle))


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


def _top_problems(rows: list[tuple[str, str, int]]) -> list[dict[str, Any]]:
    """Rank (value, category code, cases) rows: the values with most cases first."""
    groups: dict[str, dict[str, int]] = {}
    for value, code, n in rows:
        groups.setdefault(value, {})[code] = n
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
