"""KPIs over time: one row per day, week or month of the period, local time.

Each series is one GROUP BY on the truncated time of the event that defines it:
received cases by receipt, resolutions by resolution, SLA outcomes by when they
happened (met: stopped; breached: due), survey answers by answer.

``compute_trends`` is the definition, over the cases table; ``trends_for`` gives
the same series for a user from the KPI facts (``CaseFact``, each date indexed)
once they are built, and the SLA clocks still running past due from the clocks.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Case as Choice
from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from paxcare.cases.models import Case
from paxcare.cases.services import cases_visible_to
from paxcare.insights import rollups
from paxcare.insights.fact_counts import flag, roomy
from paxcare.insights.kpis import FIRST_RESPONSE_TARGET
from paxcare.insights.models import KpiCount
from paxcare.insights.quality import (
    COMPLIANCE_KINDS,
    breached_clock,
    in_period,
    ratio,
)
from paxcare.insights.rollups import BREACH_FIELDS
from paxcare.insights.satisfaction import SATISFIED, answered_in
from paxcare.insights.scoped_kpis import (
    Scope,
    facts_in,
    own_facts,
    running_past_due,
    scope_of,
)
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


# --- From the KPI facts ---------------------------------------------------------


def trends_for(
    user,
    start: datetime | None,
    end: datetime,
    now: datetime,
    interval: str = "day",
) -> list[dict[str, Any]]:
    """Return ``compute_trends`` over the cases ``user`` may see: from the KPI
    facts once they are built (``rollups.is_ready``), else from the cases."""
    if interval not in TRUNCATE:
        raise ValueError(f"Unknown interval {interval!r}: use day, week or month.")
    if rollups.is_ready():
        return fact_trends(scope_of(user), start, end, now, interval)
    return compute_trends(cases_visible_to(user), start, end, now, interval)


def fact_trends(
    scope: Scope,
    start: datetime | None,
    end: datetime,
    now: datetime,
    interval: str = "day",
) -> list[dict[str, Any]]:
    """Return what ``compute_trends`` returns for the cases of ``scope``, from the
    KPI facts: on PostgreSQL one read of the facts dated in the period (GROUPING
    SETS, one per series), elsewhere one GROUP BY per series; the clocks running
    past due from the clocks."""
    facts = facts_in(scope)
    responded = Q(first_response_us__isnull=False)
    overdue = Q(
        first_response_us__isnull=True, received_at__lte=now - FIRST_RESPONSE_TARGET
    )
    flags = {
        "eligible": responded | overdue,
        "within_24h": Q(first_response_us__lte=rollups.DAY_US),
        "satisfied": Q(rating__gte=4),
    }
    series = _series_by_day(scope, facts, start, end, now, interval, flags)
    if series is None:
        series = _fact_series(facts, start, end, interval, flags)
    late = running_past_due(facts, start, end, now, COMPLIANCE_KINDS)
    for row in _by(late, "due_at", interval, n=Count("pk")):
        target = series.setdefault(_day(row["bucket"]), {})
        target["sla_breached"] = target.get("sla_breached", 0) + row["n"]
    return [_row(key, series[key]) for key in sorted(series)]


def _fact_series(facts, start, end, interval, flags) -> dict[date, dict]:
    if connection.vendor == "postgresql":
        return _series_in_one_pass(facts, start, end, interval, flags)
    return _series_by_query(facts, start, end, interval, flags)


# The counts kept by day (``rollups.DAY_FIELDS``) that give a series, by series.
DAY_SERIES = {
    "received": "received",
    "within_24h": "within_24h",
    "timed_resolved": "resolved",
    "met_first_response": "sla_met_first_response",
    "met_resolution": "sla_met_resolution",
    **{f"breached_{kind}": "sla_breached" for kind in COMPLIANCE_KINDS},
    "responses": "responses",
    "satisfied": "satisfied",
}


def _series_by_day(
    scope: Scope, facts, start, end, now, interval, flags
) -> dict[date, dict] | None:
    """Return the series from the counts kept by day for the whole local days of
    the period, and from the facts for the parts of days at either end and for an
    agent's own cases elsewhere; None when the period holds no whole day or the
    days are another time zone's than the buckets'."""
    if timezone.get_current_timezone_name() != settings.TIME_ZONE:
        return None
    days = rollups.whole_days(start, end) if start is not None else None
    if start is not None and days is None:
        return None
    last = rollups.local_day(end) - timedelta(days=1)
    first = days[0] if days else None
    high = rollups.day_start(last + timedelta(days=1))
    low = rollups.day_start(first) if first else None
    rows = KpiCount.objects.filter(day__lte=last, measure__in=list(DAY_SERIES))
    if first is not None:
        rows = rows.filter(day__gte=first)
    if scope.departments is not None:
        rows = rows.filter(department__in=sorted(scope.departments))
    series: dict[date, dict[str, int]] = {}
    totals = rows.values_list("measure", "day").annotate(n=Sum("n")).order_by()
    for measure, day, n in totals:
        if n:
            _add(series, _bucket(day, interval), {DAY_SERIES[measure]: n})
    # Eligible: the received ones less those unanswered and younger than 24 h.
    young = facts_in(Scope(scope.departments)).filter(
        in_period("received_at", low, high),
        first_response_us__isnull=True,
        received_at__gt=now - FIRST_RESPONSE_TARGET,
    )
    for day, n in Counter(
        _bucket(rollups.local_day(moment), interval)
        for moment in young.values_list("received_at", flat=True)
    ).items():
        _add(series, day, {"eligible": -n})
    for values in series.values():
        values["eligible"] = values.get("eligible", 0) + values.get("received", 0)
    parts = [(high, end, facts)]
    if start is not None:
        parts.append((start, low, facts))
    own = own_facts(scope)
    if own is not None:
        parts.append((low, high, own))
    for lo, hi, some in parts:
        if lo is None or lo < hi:
            for bucket, values in _fact_series(some, lo, hi, interval, flags).items():
                _add(series, bucket, values)
    return series


def _add(series: dict[date, dict[str, int]], bucket: date, values: dict) -> None:
    target = series.setdefault(bucket, {})
    for name, n in values.items():
        target[name] = target.get(name, 0) + n


def _bucket(day: date, interval: str) -> date:
    """Return the first day of the day, ISO week or month that holds ``day``."""
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


# The series of the facts: (CaseFact date, condition, name of the count, flags
# counted with it).
FACT_SERIES: tuple[tuple[str, Q, str, tuple[str, ...]], ...] = (
    ("received_at", Q(), "received", ("eligible", "within_24h")),
    ("timed_resolved_at", Q(), "resolved", ()),
    ("first_response_met_at", Q(), "sla_met_first_response", ()),
    ("resolution_met_at", Q(), "sla_met_resolution", ()),
    *((BREACH_FIELDS[kind], Q(), "sla_breached", ()) for kind in COMPLIANCE_KINDS),
    ("answered_at", Q(rating__isnull=False), "responses", ("satisfied",)),
)


def _series_by_query(facts, start, end, interval, flags) -> dict[date, dict]:
    series: dict[date, dict[str, int]] = {}
    for field, condition, name, flagged in FACT_SERIES:
        rows = facts.filter(in_period(field, start, end) & condition)
        counts = {name: Count("pk")}
        counts |= {extra: Count("pk", filter=flags[extra]) for extra in flagged}
        for row in _by(rows, field, interval, **counts):
            target = series.setdefault(_day(row.pop("bucket")), {})
            for key, value in row.items():
                target[key] = target.get(key, 0) + value
    return series


def _series_in_one_pass(facts, start, end, interval, flags) -> dict[date, dict]:
    """Count every series in one read of the facts dated in the period.

    A fact's bucket is found by ``width_bucket`` among the instants at which the
    local days, weeks or months of the period begin (computed here): converting
    seven times per fact to local time to truncate cost seconds at a million.
    """
    bounds = _bucket_starts(facts, start, end, interval)
    if not bounds:
        return {}
    keys, wanted = {}, Q(pk__isnull=True)
    for index, (field, condition, _name, _flagged) in enumerate(FACT_SERIES):
        dated = in_period(field, start, end) & condition
        wanted |= dated
        bucket = Func(
            F(field),
            Value(bounds),
            function="width_bucket",
            output_field=IntegerField(),
        )
        keys[f"key_{index}"] = Choice(When(dated, then=bucket))
    ones = {f"flag_{name}": flag(condition) for name, condition in flags.items()}
    rows = facts.filter(wanted).annotate(**keys, **ones).values(*keys, *ones)
    inner, params = rows.query.sql_with_params()
    columns = ", ".join(keys)
    sums = ", ".join(f"SUM({name})" for name in ones)
    sql = f"SELECT {columns}, COUNT(*), {sums} FROM ({inner}) AS f GROUP BY {columns}"
    series: dict[date, dict[str, int]] = {}
    zone = timezone.get_current_timezone()
    days = [timezone.localtime(bound, zone).date() for bound in bounds]
    # A few thousand combinations of buckets: hashed (the planner cannot tell).
    with roomy(hash_only=True), connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            buckets, n = row[: len(keys)], row[len(keys)]
            totals = dict(zip(flags, row[len(keys) + 1 :], strict=True))
            for (_f, _c, name, flagged), bucket in zip(
                FACT_SERIES, buckets, strict=True
            ):
                if bucket is None:
                    continue
                target = series.setdefault(days[bucket - 1], {})
                target[name] = target.get(name, 0) + n
                for extra in flagged:
                    target[extra] = target.get(extra, 0) + (totals[extra] or 0)
    return series


def _bucket_starts(facts, start, end, interval) -> list[datetime]:
    """Return the instants at which the local days, weeks or months that hold the
    period begin, from the first fact's first date when it has no start."""
    zone = timezone.get_current_timezone()
    if start is None:
        firsts = facts.aggregate(
            **{f"first_{i}": Min(s[0]) for i, s in enumerate(FACT_SERIES)}
        )
        known = [value for value in firsts.values() if value is not None]
        if not known:
            return []
        start = min(known)
    day = timezone.localtime(start, zone).date()
    if interval == "week":
        day -= timedelta(days=day.weekday())
    elif interval == "month":
        day = day.replace(day=1)
    bounds = []
    while True:
        bound = timezone.make_aware(datetime.combine(day, time.min), zone)
        if bound >= end:
            return bounds
        bounds.append(bound)
        day = _next(day, interval)


def _next(day: date, interval: str) -> date:
    if interval == "day":
        return day + timedelta(days=1)
    if interval == "week":
        return day + timedelta(days=7)
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _day(bucket: date | datetime) -> date:
    return bucket.date() if isinstance(bucket, datetime) else bucket
