"""The KPIs of ``docs/kpis.md`` per department, agent, category, channel, airline,
airport or flight: the same definitions, each a GROUP BY query.

``compute_breakdown`` is the definition, over the cases table: six queries per
breakdown, whatever the number of groups (cases received, cases resolved, SLA
clocks, the first-resolution cohort, survey answers and the backlog).
``breakdown_for`` gives the same rows for a user from the KPI facts (``CaseFact``,
a few dozen bytes a case) once they are built: one GROUP BY over the facts dated
in the period or active, each figure a FILTER, and one query for the SLA clocks
still running past due (not marked breached yet).
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from paxcare.cases.lifecycle import ACTIVE_STATUSES
from paxcare.cases.models import Case, Channel
from paxcare.cases.services import cases_visible_to
from paxcare.insights import rollups
from paxcare.insights.aggregates import Median, SecondsBetween
from paxcare.insights.fact_counts import roomy
from paxcare.insights.kpis import FIRST_RESPONSE_TARGET
from paxcare.insights.quality import (
    COMPLIANCE_KINDS,
    breached_clock,
    in_period,
    minutes,
    ratio,
)
from paxcare.insights.rollups import BREACH_FIELDS
from paxcare.insights.satisfaction import answer_counts, answered_in, from_counts
from paxcare.insights.scoped_kpis import Scope, facts_in, running_past_due, scope_of
from paxcare.routing.models import Department
from paxcare.sla.models import Clock
from paxcare.triage.models import Category

# Dimension -> the case field its groups are made by.
DIMENSIONS: dict[str, str] = {
    "department": "department__code",
    "agent": "assignee_id",
    "category": "category__code",
    "channel": "channel",
    "airline": "airline",
    "airport": "airport",
    "flight": "flight_number",
}
DEFAULT_LIMIT = 50
PARTS = ("received", "resolved", "sla", "cohort", "satisfaction", "backlog")


def dimension_titles() -> dict[str, str]:
    return {
        "department": _("Department"),
        "agent": _("Agent"),
        "category": _("Category"),
        "channel": _("Channel"),
        "airline": _("Airline"),
        "airport": _("Airport"),
        "flight": _("Flight"),
    }


def compute_breakdown(
    cases_queryset: QuerySet[Case],
    by: str,
    start: datetime | None,
    end: datetime,
    now: datetime,
    limit: int = DEFAULT_LIMIT,
    parts: Iterable[str] = PARTS,
) -> list[dict[str, Any]]:
    """Return one row of figures per group, the groups with most cases first.

    ``parts`` names the queries to run (all by default); the figures of the others
    come out as zero or None. Raise ValueError for an unknown dimension.
    """
    if by not in DIMENSIONS:
        raise ValueError(
            f"Unknown dimension {by!r}: use one of {', '.join(DIMENSIONS)}."
        )
    field = DIMENSIONS[by]
    cases = cases_queryset.order_by().filter(duplicate_of__isnull=True)
    queries = {
        "received": lambda: _received(cases, field, start, end, now),
        "resolved": lambda: _resolved(cases, field, start, end),
        "sla": lambda: _sla(cases, field, start, end, now),
        "cohort": lambda: _cohort(cases, field, start, end),
        "satisfaction": lambda: _satisfaction(cases, field, start, end),
        "backlog": lambda: _backlog(cases, field),
    }
    groups: dict[Any, dict[str, Any]] = {}
    for name in parts:
        for key, values in queries[name]().items():
            groups.setdefault(key, {}).update(values)
    return _rows(by, groups, limit)


def _grouped(queryset, field: str, **aggregates) -> dict[Any, dict[str, Any]]:
    rows = queryset.values(field).annotate(**aggregates).order_by()
    return {row.pop(field): row for row in rows}


def _received(cases, field, start, end, now) -> dict:
    received = cases.filter(in_period("received_at", start, end))
    responded = Q(first_response_at__isnull=False)
    on_time = Q(first_response_at__lte=F("received_at") + FIRST_RESPONSE_TARGET)
    overdue = Q(
        first_response_at__isnull=True, received_at__lte=now - FIRST_RESPONSE_TARGET
    )
    return _grouped(
        received,
        field,
        received=Count("pk"),
        eligible=Count("pk", filter=responded | overdue),
        within_24h=Count("pk", filter=responded & on_time),
        first_response_seconds=Median(
            SecondsBetween("first_response_at", "received_at")
        ),
        first_response_business=Median("timing__first_response_business_minutes"),
    )


def _resolved(cases, field, start, end) -> dict:
    return _grouped(
        cases.filter(in_period("timing__resolved_at", start, end)),
        field,
        resolved=Count("pk"),
        resolution_seconds=Median("timing__resolution_seconds"),
    )


def _sla(cases, field, start, end, now) -> dict:
    """Met targets through CaseTiming, breached ones through the clocks."""
    met: dict = {}
    for kind_field in COMPLIANCE_KINDS.values():
        counts = _grouped(
            cases.filter(in_period(f"timing__{kind_field}", start, end)),
            field,
            n=Count("pk"),
        )
        for key, row in counts.items():
            met[key] = met.get(key, 0) + row["n"]
    clocks = Clock.objects.filter(
        breached_clock(now),
        in_period("due_at", start, end),
        kind__in=list(COMPLIANCE_KINDS),
        case__in=cases.values("pk"),
    )
    breached = _grouped(clocks, f"case__{field}", n=Count("pk"))
    return {
        key: {
            "sla_met": met.get(key, 0),
            "sla_breached": breached.get(key, {}).get("n", 0),
        }
        for key in met.keys() | breached.keys()
    }


def _cohort(cases, field, start, end) -> dict:
    first_contact = Q(reopened_count=0, timing__resolved_on_first_contact=True)
    return _grouped(
        cases.filter(in_period("timing__first_resolved_at", start, end)),
        field,
        first_resolved=Count("pk"),
        reopened=Count("pk", filter=Q(reopened_count__gt=0)),
        first_contact=Count("pk", filter=first_contact),
    )


def _satisfaction(cases, field, start, end) -> dict:
    return _grouped(answered_in(cases, start, end), field, **answer_counts())


def _backlog(cases, field) -> dict:
    return _grouped(
        cases.filter(status__in=ACTIVE_STATUSES), field, backlog=Count("pk")
    )


def _row(key, values: dict[str, Any]) -> dict[str, Any]:
    get = values.get
    received, resolved = get("received", 0), get("resolved", 0)
    met, breached = get("sla_met", 0), get("sla_breached", 0)
    first_resolved = get("first_resolved", 0)
    answers = from_counts(
        {
            k: get(k, 0)
            for k in ("responses", "satisfied", "scored", "promoters", "detractors")
        }
    )
    return {
        "value": key if key is not None else "",
        "received": received,
        "first_response_rate": ratio(get("within_24h", 0), get("eligible", 0)),
        "first_response_median_minutes": minutes(get("first_response_seconds"), 60),
        "first_response_business_median_minutes": minutes(
            get("first_response_business")
        ),
        "resolved": resolved,
        "resolution_time_median_minutes": minutes(get("resolution_seconds"), 60),
        "handling_rate": ratio(resolved, received),
        "sla_met": met,
        "sla_breached": breached,
        "sla_compliance": ratio(met, met + breached),
        "reopen_rate": ratio(get("reopened", 0), first_resolved),
        "first_contact_resolution": ratio(get("first_contact", 0), first_resolved),
        "responses": answers["responses"],
        "csat": answers["csat"],
        "nps": answers["nps"],
        "backlog": get("backlog", 0),
    }


def _labels(by: str, values: list) -> dict[Any, str]:
    if by == "department":
        return {d.code: d.name for d in Department.objects.filter(code__in=values)}
    if by == "category":
        return {c.code: c.name for c in Category.objects.filter(code__in=values)}
    if by == "channel":
        return {value: str(label) for value, label in Channel.choices}
    if by == "agent":
        users = get_user_model().objects.filter(pk__in=[v for v in values if v])
        return {u.pk: u.get_full_name() or u.get_username() for u in users}
    return {}


# --- From the KPI facts ---------------------------------------------------------

# Dimension -> the CaseFact field its groups are made by.
FACT_FIELDS: dict[str, str] = {
    "department": "department_id",
    "agent": "assignee_id",
    "category": "category_code",
    "channel": "channel",
    "airline": "airline",
    "airport": "airport",
    "flight": "flight_number",
}
BREACHED_FIELDS = {kind: BREACH_FIELDS[kind] for kind in COMPLIANCE_KINDS}


def breakdown_for(
    user,
    by: str,
    start: datetime | None,
    end: datetime,
    now: datetime,
    limit: int = DEFAULT_LIMIT,
    parts: Iterable[str] = PARTS,
    *,
    medians: bool = True,
) -> list[dict[str, Any]]:
    """Return ``compute_breakdown`` over the cases ``user`` may see: from the KPI
    facts once they are built (``rollups.is_ready``), else from the cases.

    ``medians=False`` may leave the medians out (None), for a caller that shows
    none: without them the facts are grouped by hashing, not sorted.
    """
    if by not in DIMENSIONS:
        raise ValueError(
            f"Unknown dimension {by!r}: use one of {', '.join(DIMENSIONS)}."
        )
    if rollups.is_ready():
        scope = scope_of(user)
        return fact_breakdown(scope, by, start, end, now, limit, parts, medians=medians)
    cases = cases_visible_to(user)
    return compute_breakdown(cases, by, start, end, now, limit, parts)


def fact_breakdown(
    scope: Scope,
    by: str,
    start: datetime | None,
    end: datetime,
    now: datetime,
    limit: int = DEFAULT_LIMIT,
    parts: Iterable[str] = PARTS,
    *,
    medians: bool = True,
) -> list[dict[str, Any]]:
    """Return what ``compute_breakdown`` returns for the cases of ``scope``, from
    the KPI facts (the medians None with ``medians=False``)."""
    field = FACT_FIELDS[by]
    facts = facts_in(scope)
    parts = set(parts)
    figures, wanted = _fact_figures(parts, start, end, now)
    if not medians:
        figures = {k: v for k, v in figures.items() if not isinstance(v, Median)}
    groups: dict[Any, dict[str, Any]] = {}
    with roomy(no_index_order=True):
        rows = list(facts.filter(wanted).values(field).annotate(**figures).order_by())
    for row in rows:
        key = row.pop(field)
        for outcome in ("met", "breached"):
            row[f"sla_{outcome}"] = sum(
                row.pop(f"{outcome}_{kind}", 0) for kind in COMPLIANCE_KINDS
            )
        groups[key] = row
    if "sla" in parts:
        for key, n in _running_past_due(facts, field, start, end, now).items():
            groups.setdefault(key, {"sla_met": 0, "sla_breached": 0})
            groups[key]["sla_breached"] += n
    if by == "department":
        codes = dict(Department.objects.values_list("pk", "code"))
        groups = {codes.get(key): values for key, values in groups.items()}
    elif by == "category":
        # The cases table gives no category as None.
        groups = {key or None: values for key, values in groups.items()}
    return _rows(by, groups, limit)


def _fact_figures(
    parts: set[str], start: datetime | None, end: datetime, now: datetime
) -> tuple[dict[str, Any], Q]:
    """Return the FILTERed aggregates of the parts, and the facts they read."""
    received = in_period("received_at", start, end)
    resolved = in_period("timed_resolved_at", start, end)
    first = in_period("first_resolved_at", start, end)
    answered = in_period("answered_at", start, end) & Q(rating__isnull=False)
    met = {k: in_period(f, start, end) for k, f in COMPLIANCE_KINDS.items()}
    late = {k: in_period(f, start, end) for k, f in BREACHED_FIELDS.items()}
    active = Q(status__in=ACTIVE_STATUSES)
    responded = Q(first_response_us__isnull=False)
    overdue = Q(
        first_response_us__isnull=True, received_at__lte=now - FIRST_RESPONSE_TARGET
    )
    seconds = Cast("first_response_us", FloatField()) / Value(1_000_000.0)
    figures: dict[str, Any] = {}
    wanted = Q(pk__isnull=True)
    if "received" in parts:
        wanted |= received
        figures.update(
            received=Count("pk", filter=received),
            eligible=Count("pk", filter=received & (responded | overdue)),
            within_24h=Count(
                "pk", filter=received & Q(first_response_us__lte=rollups.DAY_US)
            ),
            first_response_seconds=Median(seconds, filter=received),
            first_response_business=Median("business_minutes", filter=received),
        )
    if "resolved" in parts:
        wanted |= resolved
        figures.update(
            resolved=Count("pk", filter=resolved),
            resolution_seconds=Median("airline_seconds", filter=resolved),
        )
    if "sla" in parts:
        for name, conditions in (("met", met), ("breached", late)):
            for kind, condition in conditions.items():
                wanted |= condition
                figures[f"{name}_{kind}"] = Count("pk", filter=condition)
    if "cohort" in parts:
        wanted |= first
        figures.update(
            first_resolved=Count("pk", filter=first),
            reopened=Count("pk", filter=first & Q(reopened=True)),
            first_contact=Count("pk", filter=first & Q(first_contact=True)),
        )
    if "satisfaction" in parts:
        wanted |= answered
        figures.update(
            responses=Count("pk", filter=answered),
            satisfied=Count("pk", filter=answered & Q(rating__gte=4)),
            scored=Count("pk", filter=answered & Q(recommend__isnull=False)),
            promoters=Count("pk", filter=answered & Q(recommend__gte=9)),
            detractors=Count("pk", filter=answered & Q(recommend__lte=6)),
        )
    if "backlog" in parts:
        wanted |= active
        figures["backlog"] = Count("pk", filter=active)
    return figures, wanted


def _running_past_due(
    facts, field: str, start: datetime | None, end: datetime, now: datetime
) -> dict[Any, int]:
    """SLA clocks of the compliance targets running unstopped past their due time
    in the period (not marked breached yet), by group of their case."""
    group = facts.filter(case_id=OuterRef("case_id")).values(field)[:1]
    clocks = running_past_due(facts, start, end, now, COMPLIANCE_KINDS)
    rows = clocks.annotate(key=Subquery(group)).values("key").annotate(n=Count("pk"))
    return {row["key"]: row["n"] for row in rows.order_by()}


def _rows(by: str, groups: dict[Any, dict[str, Any]], limit: int) -> list[dict]:
    rows = [_row(key, values) for key, values in groups.items()]
    rows.sort(key=lambda r: (-r["received"], -r["resolved"], str(r["value"])))
    labels = _labels(by, [row["value"] for row in rows[:limit]])
    for row in rows[:limit]:
        row["label"] = labels.get(row["value"], row["value"] or "—")
    return rows[:limit]
