"""The KPIs of ``docs/kpis.md`` for whoever asks, from the KPI facts and counts.

``kpis.compute_kpis`` defines every figure over a queryset of cases; this module
gives the same figures for a user's scope (their departments and their own cases,
or every case) faster, from ``rollups.py``'s tables:

- from the first case (no start): the department's all-time counts, less the few
  cases received (or resolved) at or after the end, read from ``CaseFact``;
- a period with a start: a pass over the ``CaseFact`` rows of the period (indexed
  by receipt and by resolution), a few dozen bytes each;
- a median: the histogram gives the bucket of minutes the middle values lie in,
  and the exact values of that bucket are read from ``CaseFact`` (indexed by it).

Cases assigned to an agent outside their departments are read from ``CaseFact``
directly. Until the tables have been built (``rollups.is_ready``), or when they
disagree with themselves, the figures come from ``compute_kpis``.
"""

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from paxcare.cases.lifecycle import ACTIVE_STATUSES
from paxcare.cases.models import Case
from paxcare.cases.services import cases_visible_to, sees_every_case
from paxcare.insights import fact_counts, kpis, quality, rollups
from paxcare.insights.compensation import compensation
from paxcare.insights.models import CaseFact, KpiCount
from paxcare.insights.satisfaction import from_counts
from paxcare.routing.services import agent_profile
from paxcare.sla.models import Clock, ClockKind, ClockState

logger = logging.getLogger(__name__)


class StaleCounts(Exception):
    """The counts and the facts disagree: the tables need ``rebuild``."""


@dataclass(frozen=True)
class Scope:
    """The cases someone may see: ``departments`` (None: all) and their own."""

    departments: frozenset[int] | None
    assignee_id: int | None = None


def scope_of(user) -> Scope:
    """Return the scope of ``cases_visible_to(user)``, as department ids."""
    if sees_every_case(user):
        return Scope(None)
    profile = agent_profile(user)
    if profile is None or not user.is_active:
        return Scope(frozenset())
    departments = frozenset(profile.departments.values_list("pk", flat=True))
    return Scope(departments, user.pk)


def kpis_for(
    user,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Return every KPI of the cases ``user`` may see, for ``[start, end)``."""
    return _scoped_or_direct(
        lambda: scope_of(user), cases_visible_to(user), start, end, now
    )


def all_kpis(
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Return every KPI of every case, for ``[start, end)`` (the command's view)."""
    return _scoped_or_direct(lambda: Scope(None), Case.objects.all(), start, end, now)


def _scoped_or_direct(scope, cases, start, end, now) -> dict[str, Any]:
    now = now or timezone.now()
    if rollups.is_ready():
        try:
            return compute_scoped_kpis(scope(), cases, start, end, now)
        except StaleCounts:
            logger.warning("insights: KPI counts disagree with the facts; rebuild")
    return kpis.compute_kpis(cases, start, end, now=now)


def compute_scoped_kpis(
    scope: Scope,
    cases: QuerySet[Case],
    start: datetime | None,
    end: datetime | None,
    now: datetime,
) -> dict[str, Any]:
    """Return what ``compute_kpis(cases, ...)`` returns, ``cases`` being the scope's."""
    end = end or now
    facts = facts_in(scope)
    counts, tops = _period_counts(scope, facts, start, end)
    received_in = facts.filter(kpis._period("received_at", start, end))
    resolved_in = facts.filter(kpis._period("resolved_at", start, end))
    grouped = _grouped(counts)
    received = counts["received", ""]
    responded = counts["responded", ""]
    within = counts["within_24h", ""]
    too_young = received_in.filter(
        first_response_us__isnull=True,
        received_at__gt=now - kpis.FIRST_RESPONSE_TARGET,
    ).count()
    resolved = counts["resolved", ""]
    report = {
        "period": {"start": start, "end": end, "as_of": now},
        "received": received,
        "by_category": _ranked(grouped, "category"),
        "by_channel": _ranked(grouped, "channel"),
        "by_status": _ranked(grouped, "status"),
        "first_response": {
            "eligible": received - too_young,
            "within_24h": within,
            "rate": kpis._ratio(within, received - too_young),
            "responded": responded,
            "median_minutes": _median(
                _histogram(grouped, "fr_bucket"), received_in, "first_response"
            ),
        },
        "resolution": {
            "resolved": resolved,
            "median_minutes": _median(
                _histogram(grouped, "res_bucket"), resolved_in, "resolution"
            ),
        },
        "handling_rate": kpis._ratio(resolved, received),
        "backlog": _backlog(scope, facts, now),
        "sla_breaches": None,
        "top_problems": {
            dimension: kpis._top_problems(tops.get(measure, []))
            for dimension, measure in (
                ("airline", "airline"),
                ("flight_number", "flight"),
                ("airport", "airport"),
            )
        },
    }
    timed_in = facts.filter(
        kpis._period("timed_resolved_at", start, end), airline_seconds__isnull=False
    )
    breached = _breached(counts, facts, start, end, now)
    report["sla_breaches"] = {"total": sum(breached.values()), **breached}
    report["first_response_business"] = {
        "measured": sum(_histogram(grouped, "business").values()),
        "median_minutes": quality.minutes(
            _exact_median(_histogram(grouped, "business"))
        ),
    }
    middle = _middle_values(
        _histogram(grouped, "airline_bucket"),
        timed_in,
        "airline_bucket",
        "airline_seconds",
    )
    report["resolution_time"] = {
        "measured": counts["measured", ""],
        "median_minutes": quality.minutes(
            sum(middle) / len(middle) if middle else None, 60
        ),
    }
    report["sla_compliance"] = _compliance(counts, breached)
    report.update(
        quality.first_resolution_cohort(
            {
                key: counts[key, ""]
                for key in ("first_resolved", "reopened", "first_contact")
            }
        )
    )
    report["satisfaction"] = _satisfaction(counts)
    original = cases.order_by().filter(duplicate_of__isnull=True)
    report["compensation"] = compensation(original, start, end)
    return report


def _breached(
    counts: Counter, facts: QuerySet[CaseFact], start, end, now: datetime
) -> dict[str, int]:
    """Clocks breached in the period by kind: marked so (counted), or running
    unstopped past due (the sweep has not marked them yet: read from the clocks)."""
    running = running_past_due(facts, start, end, now)
    late = dict(running.values_list("kind").annotate(n=Count("pk")).order_by())
    return {
        kind: counts[f"breached_{kind}", ""] + late.get(kind, 0)
        for kind in ClockKind.values
    }


def running_past_due(
    facts: QuerySet[CaseFact],
    start: datetime | None,
    end: datetime,
    now: datetime,
    kinds: Iterable[str] | None = None,
) -> QuerySet[Clock]:
    """Return the clocks of the cases of ``facts`` (of ``kinds``, None: all) running
    unstopped past their due time in ``[start, end)``: breached, not marked so yet."""
    clocks = Clock.objects.filter(
        kpis._period("due_at", start, end),
        state=ClockState.RUNNING,
        stopped_at__isnull=True,
        due_at__lte=now,
        case_id__in=facts.values("case_id"),
    )
    if kinds is not None:
        clocks = clocks.filter(kind__in=list(kinds))
    return clocks


def _compliance(counts: Counter, breached: dict[str, int]) -> dict[str, Any]:
    result = {}
    for kind in quality.COMPLIANCE_KINDS:
        result[kind] = quality._compliance(counts[f"met_{kind}", ""], breached[kind])
    met = sum(v["met"] for v in result.values())
    late = sum(v["breached"] for v in result.values())
    result["total"] = quality._compliance(met, late)
    return result


def _satisfaction(counts: Counter) -> dict[str, Any]:
    names = ("responses", "satisfied", "scored", "promoters", "detractors")
    invited, answered = counts["invited", ""], counts["answered", ""]
    return {
        **from_counts({name: counts[name, ""] for name in names}),
        "invited": invited,
        "answered": answered,
        "response_rate": quality.ratio(answered, invited),
    }


def facts_in(scope: Scope) -> QuerySet[CaseFact]:
    """Return the counted facts of the cases of ``scope`` (merged cases left out)."""
    facts = CaseFact.objects.filter(counted=True)
    if scope.departments is None:
        return facts
    visible = Q(department_id__in=scope.departments)
    if scope.assignee_id is not None:
        visible |= Q(assignee_id=scope.assignee_id)
    return facts.filter(visible)


def _period_counts(
    scope: Scope, facts: QuerySet[CaseFact], start: datetime | None, end: datetime
) -> tuple[Counter, dict[str, list]]:
    """Return the (measure, value) counts of the period over the scope, and the
    top-problem rows (value, category code, cases) of each measure."""
    if start is not None:
        days = rollups.whole_days(start, end)
        if days is None:
            counts, pairs = fact_counts.direct(facts, start, end, top=kpis.TOP_VALUES)
            return counts, _pair_rows(pairs)
        return _counts_by_day(scope, facts, start, end, days)
    # From the first case: the all-time counts less what came at or after the end.
    counts = _totals(scope.departments)
    adjust: Counter = Counter()
    in_departments = facts_in(Scope(scope.departments))
    # Usually nothing is dated at or after the end (the report time): one query
    # over the date indexes says so.
    later = in_departments.filter(_any_dated(end, None))
    if later.exists():
        later_counts, later_pairs = fact_counts.direct(later, end, None)
        counts.subtract(later_counts)
        adjust.subtract(later_pairs)
    own = own_elsewhere(scope)
    if own is not None and own.exists():
        own_counts, own_pairs = fact_counts.direct(own, None, end)
        counts.update(own_counts)
        adjust.update(own_pairs)
    return counts, _pair_rows(fact_counts.all_time_pairs(scope.departments, adjust))


def _counts_by_day(
    scope: Scope,
    facts: QuerySet[CaseFact],
    start: datetime,
    end: datetime,
    days: tuple[date, date],
) -> tuple[Counter, dict[str, list]]:
    """The counts of a period that holds whole local days: the counts kept by day
    summed over those days, the parts of days at either end from the facts; the
    histograms and the top-problem pairs from the facts of the whole period."""
    first, last = days
    low, high = rollups.day_start(first), rollups.day_start(last + timedelta(days=1))
    counts, pairs = fact_counts.direct(
        facts, start, end, top=kpis.TOP_VALUES, dated=False
    )
    counts.update(fact_counts.day_totals(scope.departments, first, last))
    own = own_facts(scope)
    if own is not None:
        counts.update(fact_counts.direct(own, low, high, shapes=False)[0])
    for lo, hi in ((start, low), (high, end)):
        if lo < hi:
            counts.update(fact_counts.direct(facts, lo, hi, shapes=False)[0])
    return counts, _pair_rows(pairs)


def _pair_rows(pairs: Counter) -> dict[str, list[tuple[str, str | None, int]]]:
    rows: dict[str, list] = {}
    for (measure, value, code), n in pairs.items():
        if n:
            rows.setdefault(measure, []).append((value, _code(code), n))
    return rows


def _any_dated(low: datetime | None, high: datetime | None) -> Q:
    """A fact with any of the dates its counts use in ``[low, high)``."""
    condition = Q(pk__isnull=True)
    for anchor in ("received_at", "resolved_at", *fact_counts.ANCHORED):
        condition |= fact_counts.between(anchor, low, high)
    return condition


def _totals(departments: frozenset[int] | None) -> Counter:
    # The top-problem pairs (70,000 of 80,000 rows at a million cases) are ranked
    # in SQL apart (fact_counts.all_time_pairs).
    rows = KpiCount.objects.exclude(measure__in=fact_counts.PAIR_MEASURES)
    if departments is not None:
        rows = rows.filter(department__in=list(departments))
    totals = rows.values_list("measure", "value").annotate(n=Sum("n")).order_by()
    return Counter({(measure, value): n for measure, value, n in totals})


def _grouped(counts: Counter) -> dict[str, dict[str, int]]:
    """Return measure -> value -> count, without the zeros (one pass)."""
    grouped: dict[str, dict[str, int]] = {}
    for (measure, value), n in counts.items():
        if n:
            grouped.setdefault(measure, {})[value] = n
    return grouped


def _ranked(grouped: dict, measure: str) -> dict[Any, int]:
    values = grouped.get(measure, {})
    if measure == "category":
        values = {_code(value): n for value, n in values.items()}
    return dict(sorted(values.items(), key=lambda item: (-item[1], item[0] or "")))


def _code(value: str) -> str | None:
    return value or None


def _histogram(grouped: dict, measure: str) -> dict[int, int]:
    return {int(value): n for value, n in grouped.get(measure, {}).items()}


def _median(
    histogram: dict[int, int], facts: QuerySet[CaseFact], duration: str
) -> float | None:
    """Return the median duration in minutes: the histogram finds the buckets of
    the middle values, the facts of those buckets give their exact values."""
    middle = _middle_values(histogram, facts, f"{duration}_bucket", f"{duration}_us")
    if not middle:
        return None
    total = sum((timedelta(microseconds=us) for us in middle), timedelta())
    return kpis._minutes(total / len(middle))


def _middle_values(
    histogram: dict[int, int], facts: QuerySet[CaseFact], by: str, value: str
) -> list[int]:
    """Return the one or two middle values of ``value`` (an empty list for none)."""
    n = sum(histogram.values())
    if n == 0:
        return []
    wanted = sorted({(n - 1) // 2, n // 2})
    middle: list[int] = []
    seen = 0
    for bucket in sorted(histogram):
        count = histogram[bucket]
        ranks = [rank - seen for rank in wanted if seen <= rank < seen + count]
        if ranks:
            values = sorted(facts.filter(**{by: bucket}).values_list(value, flat=True))
            if len(values) != count:
                raise StaleCounts(value)
            middle += [values[rank] for rank in ranks]
        seen += count
    return middle


def _exact_median(histogram: dict[int, int]) -> float | None:
    """Return the median of values that are their own histogram keys."""
    n = sum(histogram.values())
    if n == 0:
        return None
    wanted = sorted({(n - 1) // 2, n // 2})
    middle, seen = [], 0
    for value in sorted(histogram):
        count = histogram[value]
        middle += [value for rank in wanted if seen <= rank < seen + count]
        seen += count
    return sum(middle) / len(middle)


def _backlog(scope: Scope, facts: QuerySet[CaseFact], now: datetime) -> dict:
    """Active cases now, by age: the active total from the status counts, the
    buckets under 7 days from the facts received since, the oldest by difference."""
    active = Q(status__in=ACTIVE_STATUSES)
    statuses = KpiCount.objects.filter(measure="status", value__in=ACTIVE_STATUSES)
    if scope.departments is not None:
        statuses = statuses.filter(department__in=list(scope.departments))
    total = statuses.aggregate(n=Sum("n"))["n"] or 0
    own = own_elsewhere(scope)
    if own is not None:
        total += own.filter(active).count()
    figures = {"ahead": Count("pk", filter=Q(received_at__gt=now))}
    for key, low, high in kpis.AGE_BUCKETS:
        if high is not None:
            window = Q(received_at__lte=now - low, received_at__gt=now - high)
            figures[key] = Count("pk", filter=window)
    oldest = kpis.AGE_BUCKETS[-1][1]
    young = facts.filter(active, received_at__gt=now - oldest).aggregate(**figures)
    ahead = young.pop("ahead")
    age = {**young, kpis.AGE_BUCKETS[-1][0]: total - ahead - sum(young.values())}
    return {"active": total, "age": age}


def own_facts(scope: Scope) -> QuerySet[CaseFact] | None:
    """Return an agent's own cases outside their departments by their ids (None
    when there are none), so that a query over them reads them by key.

    Filtered by assignee inside a query over dates, the planner walks the date
    indexes looking for them: a MIN over an agent's none took 6 s at a million.
    """
    own = own_elsewhere(scope)
    if own is None:
        return None
    ids = list(own.values_list("case_id", flat=True))
    return CaseFact.objects.filter(case_id__in=ids) if ids else None


def own_elsewhere(scope: Scope) -> QuerySet[CaseFact] | None:
    """An agent's own cases outside their departments (None for a whole-airline
    scope)."""
    if scope.departments is None or scope.assignee_id is None:
        return None
    own = CaseFact.objects.filter(counted=True, assignee_id=scope.assignee_id)
    return own.filter(
        ~Q(department_id__in=scope.departments) | Q(department_id__isnull=True)
    )
