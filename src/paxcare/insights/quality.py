"""Service-quality KPIs beside the volume figures of ``kpis.py``.

Working-hours first response, resolution time, SLA compliance, reopen rate and
first-contact resolution; each one aggregate query over the cases (joined to their
``CaseTiming`` or SLA clocks). ``docs/kpis.md`` defines each figure in words.
"""

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from paxcare.cases.models import Case
from paxcare.insights.aggregates import Median
from paxcare.sla.models import Clock, ClockKind, ClockState

# The targets SLA compliance counts; their "met" times are kept on CaseTiming.
COMPLIANCE_KINDS = {
    ClockKind.FIRST_RESPONSE: "first_response_met_at",
    ClockKind.RESOLUTION: "resolution_met_at",
}


def in_period(field: str, start: datetime | None, end: datetime) -> Q:
    """Return ``start <= field < end`` (no lower bound when ``start`` is None)."""
    condition = Q(**{f"{field}__lt": end})
    if start is not None:
        condition &= Q(**{f"{field}__gte": start})
    return condition


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def minutes(value: float | None, per_minute: int = 1) -> float | None:
    return None if value is None else round(value / per_minute, 1)


def business_first_response(
    cases: QuerySet[Case], start: datetime | None, end: datetime
) -> dict[str, Any]:
    """Working minutes to the first response of the cases received in the period."""
    row = cases.filter(
        in_period("received_at", start, end),
        timing__first_response_business_minutes__isnull=False,
    ).aggregate(
        measured=Count("pk"), median=Median("timing__first_response_business_minutes")
    )
    return {"measured": row["measured"], "median_minutes": minutes(row["median"])}


def timing_row(
    cases: QuerySet[Case], start: datetime | None, end: datetime
) -> dict[str, Any]:
    """Return the CaseTiming counts and medians of the period, in one query.

    The cases that were resolved, first resolved or met an SLA target in the period
    are found through CaseTiming's indexed times, then counted with a FILTER each.
    """
    resolved = in_period("timing__resolved_at", start, end)
    first = in_period("timing__first_resolved_at", start, end)
    met = {
        kind: in_period(f"timing__{field}", start, end)
        for kind, field in COMPLIANCE_KINDS.items()
    }
    any_of = resolved | first
    for condition in met.values():
        any_of |= condition
    measured = resolved & Q(timing__resolution_seconds__isnull=False)
    first_contact = first & Q(reopened_count=0, timing__resolved_on_first_contact=True)
    return cases.filter(any_of).aggregate(
        measured=Count("pk", filter=measured),
        resolution_median=Median("timing__resolution_seconds", filter=measured),
        first_resolved=Count("pk", filter=first),
        reopened=Count("pk", filter=first & Q(reopened_count__gt=0)),
        first_contact=Count("pk", filter=first_contact),
        **{f"met_{kind}": Count("pk", filter=q) for kind, q in met.items()},
    )


def resolution_time(row: dict[str, Any]) -> dict[str, Any]:
    """Median minutes with the airline, over the cases resolved in the period."""
    return {
        "measured": row["measured"],
        "median_minutes": minutes(row["resolution_median"], 60),
    }


def breached_clock(now: datetime) -> Q:
    """A clock that breached: marked so, or still running unstopped past due."""
    return Q(state=ClockState.BREACHED) | Q(
        state=ClockState.RUNNING, stopped_at__isnull=True, due_at__lte=now
    )


def sla_compliance(
    row: dict[str, Any],
    cases: QuerySet[Case],
    start: datetime | None,
    end: datetime,
    now: datetime,
) -> dict[str, Any]:
    """Met over met-or-breached SLA clocks whose outcome fell in the period.

    Met clocks are counted through CaseTiming's indexed times (``timing_row``),
    breached ones through the clocks' ``due_at`` index: no query reads every clock.
    """
    result = {}
    breached = breaches_by_kind(cases, start, end, now)
    for kind in COMPLIANCE_KINDS:
        result[kind] = _compliance(row[f"met_{kind}"], breached.get(kind, 0))
    total_met = sum(v["met"] for v in result.values())
    total_breached = sum(v["breached"] for v in result.values())
    result["total"] = _compliance(total_met, total_breached)
    return result


def breaches_by_kind(
    cases: QuerySet[Case], start: datetime | None, end: datetime, now: datetime
) -> dict[str, int]:
    """Return the clocks of the compliance targets breached in the period, by kind."""
    clocks = Clock.objects.filter(
        breached_clock(now),
        in_period("due_at", start, end),
        kind__in=list(COMPLIANCE_KINDS),
        case__in=cases.values("pk"),
    )
    return dict(clocks.values_list("kind").annotate(n=Count("pk")).order_by())


def _compliance(met: int, breached: int) -> dict[str, Any]:
    return {"met": met, "breached": breached, "rate": ratio(met, met + breached)}


def first_resolution_cohort(row: dict[str, Any]) -> dict[str, Any]:
    """Reopen rate and first-contact resolution of the cases first resolved then."""
    whole = row["first_resolved"]
    return {
        "reopen_rate": {
            "first_resolved": whole,
            "reopened": row["reopened"],
            "rate": ratio(row["reopened"], whole),
        },
        "first_contact_resolution": {
            "first_resolved": whole,
            "resolved_first_contact": row["first_contact"],
            "rate": ratio(row["first_contact"], whole),
        },
    }
