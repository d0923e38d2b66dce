"""Keep the KPI facts of every case and the all-time counts per department.

At a million cases an all-time figure cannot be a pass over the cases table in
500 ms. So each case's volume-KPI inputs are copied into ``CaseFact`` (a few dozen
bytes a case), and what each case counts for is summed per department in
``KpiCount``: received, by category, channel and current status, answered, answered
within 24 hours, resolved, the top-problem pairs (airline, airport, flight by
category) and the histograms of the times to first response and to resolution.
``scoped_kpis.py`` reads them.

A histogram bucket is a range of whole minutes: each minute below 128, then 64
buckets for each doubling (128-129, ..., 254-255, 256-259, ...), so that a year of
durations needs about 800 buckets per department and a bucket holds a 64th of the
values near it at most. Integer arithmetic only, the same in Python and in SQL.

The rules that keep the counts exact:

- what a case counts for is a pure function of its fact (``contributions``);
- when a case changes (any event in ``events_recorded``, in the writing
  transaction), its fact is read again from the case, and ``KpiCount`` gets the
  difference of the old and new contributions as rows of +1 and -1: rows are only
  added, so concurrent writers never wait on a shared counter row;
- ``compact`` (every few minutes) folds the rows of each key into one;
- ``rebuild`` recomputes facts and counts from the cases (``paxcare
  rebuild-kpi-rollups``), after a bulk load or a change made outside the
  services, and marks them complete (``KpiRollupState``). Until then the KPIs are
  computed from the cases table.
"""

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from paxcare.cases.events import EventType
from paxcare.cases.models import Case, Event
from paxcare.insights.models import CaseFact, CaseTiming, KpiCount, KpiRollupState
from paxcare.sla.models import Clock, ClockKind, ClockState

logger = logging.getLogger(__name__)

MINUTE_US = 60_000_000
DAY_US = 24 * 60 * MINUTE_US
EXACT_MINUTES = 128
BUCKETS_PER_DOUBLING = 64
# Separates a top-problem value from its category code in KpiCount.value.
PAIR = "|"
TOP_FIELDS = {"airline": "airline", "airport": "airport", "flight": "flight_number"}
CASE_FIELDS = (
    "pk",
    "duplicate_of_id",
    "department_id",
    "assignee_id",
    "received_at",
    "category__code",
    "channel",
    "status",
    "airline",
    "airport",
    "flight_number",
    "first_response_at",
    "resolved_at",
    "reopened_count",
    "timing__first_response_business_minutes",
    "timing__resolved_at",
    "timing__resolution_seconds",
    "timing__first_resolved_at",
    "timing__resolved_on_first_contact",
    "timing__first_response_met_at",
    "timing__resolution_met_at",
    "survey__invited_at",
    "survey__answered_at",
    "survey__rating",
    "survey__recommend",
)
BREACH_FIELDS = {
    ClockKind.FIRST_RESPONSE: "first_response_breached_at",
    ClockKind.RESOLUTION: "resolution_breached_at",
    ClockKind.REGULATORY: "regulatory_breached_at",
}


def microseconds(delta: timedelta) -> int:
    """Return a duration in whole microseconds (exact: timedelta counts them)."""
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def bucket(minutes: int) -> int:
    """Return the first minute of the histogram bucket ``minutes`` falls in."""
    if minutes < EXACT_MINUTES:
        return minutes
    width = 1 << (minutes.bit_length() - BUCKETS_PER_DOUBLING.bit_length())
    return minutes // width * width


def bucket_sql(minutes: str) -> str:
    """Return ``bucket`` as an SQL expression of the integer expression ``minutes``."""
    cases = [f"WHEN {minutes} < {EXACT_MINUTES} THEN {minutes}"]
    low = EXACT_MINUTES
    while low < 1 << 40:
        width = low // BUCKETS_PER_DOUBLING
        cases.append(f"WHEN {minutes} < {2 * low} THEN {minutes} / {width} * {width}")
        low *= 2
    return f"(CASE {' '.join(cases)} END)"


def fact_from_values(row: dict, breaches: dict[str, datetime]) -> CaseFact:
    """Return the (unsaved) fact of a case from its ``CASE_FIELDS`` values and the
    due times of its breached clocks (``breached_clocks``)."""
    received = row["received_at"]
    fact = CaseFact(
        case_id=row["pk"],
        counted=row["duplicate_of_id"] is None,
        department_id=row["department_id"],
        assignee_id=row["assignee_id"],
        received_at=received,
        category_code=row["category__code"] or "",
        channel=row["channel"],
        status=row["status"],
        airline=row["airline"],
        airport=row["airport"],
        flight_number=row["flight_number"],
        resolved_at=row["resolved_at"],
    )
    if row["first_response_at"] is not None:
        fact.first_response_us = microseconds(row["first_response_at"] - received)
        fact.first_response_bucket = bucket(fact.first_response_us // MINUTE_US)
    if row["resolved_at"] is not None:
        fact.resolution_us = microseconds(row["resolved_at"] - received)
        fact.resolution_bucket = bucket(fact.resolution_us // MINUTE_US)
    _add_timing(fact, row)
    for field in BREACH_FIELDS.values():
        setattr(fact, field, breaches.get(field))
    fact.invited_at = row["survey__invited_at"]
    fact.answered_at = row["survey__answered_at"]
    fact.rating = row["survey__rating"]
    fact.recommend = row["survey__recommend"]
    return fact


def _add_timing(fact: CaseFact, row: dict) -> None:
    fact.business_minutes = row["timing__first_response_business_minutes"]
    fact.timed_resolved_at = row["timing__resolved_at"]
    fact.airline_seconds = row["timing__resolution_seconds"]
    if fact.airline_seconds is not None:
        fact.airline_bucket = bucket(fact.airline_seconds // 60)
    fact.first_resolved_at = row["timing__first_resolved_at"]
    fact.reopened = row["reopened_count"] > 0
    fact.first_contact = (
        row["reopened_count"] == 0 and row["timing__resolved_on_first_contact"] is True
    )
    fact.first_response_met_at = row["timing__first_response_met_at"]
    fact.resolution_met_at = row["timing__resolution_met_at"]


def breached_clocks(case_ids: list[int]) -> dict[int, dict[str, datetime]]:
    """Return case id -> {CaseFact field: due time} of the clocks marked breached."""
    found: dict[int, dict[str, datetime]] = {}
    clocks = Clock.objects.filter(
        case_id__in=case_ids, state=ClockState.BREACHED
    ).values_list("case_id", "kind", "due_at")
    for case_id, kind, due_at in clocks:
        if kind in BREACH_FIELDS:
            found.setdefault(case_id, {})[BREACH_FIELDS[kind]] = due_at
    return found


def contributions(fact: CaseFact | None) -> Counter:
    """Return the (department, measure, value) keys a case counts once for."""
    keys: Counter = Counter()
    if fact is None or not fact.counted:
        return keys
    department = fact.department_id or 0
    code = fact.category_code
    found = [
        ("received", ""),
        ("category", code),
        ("channel", fact.channel),
        ("status", fact.status),
    ]
    for measure, field in TOP_FIELDS.items():
        value = getattr(fact, field)
        if value:
            found.append((measure, f"{value}{PAIR}{code}"))
    if fact.first_response_us is not None:
        found.append(("responded", ""))
        if fact.first_response_us <= DAY_US:
            found.append(("within_24h", ""))
        found.append(("fr_bucket", str(fact.first_response_bucket)))
    if fact.resolved_at is not None:
        found.append(("resolved", ""))
        found.append(("res_bucket", str(fact.resolution_bucket)))
    found += _quality_keys(fact)
    for measure, value in found:
        keys[(department, measure, value)] += 1
    return keys


def _quality_keys(fact: CaseFact) -> list[tuple[str, str]]:
    """The keys of the service-quality and satisfaction figures."""
    found = []
    if fact.business_minutes is not None:
        found.append(("business", str(fact.business_minutes)))
    if fact.timed_resolved_at is not None and fact.airline_seconds is not None:
        found += [("measured", ""), ("airline_bucket", str(fact.airline_bucket))]
    if fact.first_resolved_at is not None:
        found.append(("first_resolved", ""))
        if fact.reopened:
            found.append(("reopened", ""))
        if fact.first_contact:
            found.append(("first_contact", ""))
    for kind, field in (
        ("first_response", "first_response_met_at"),
        ("resolution", "resolution_met_at"),
    ):
        if getattr(fact, field) is not None:
            found.append((f"met_{kind}", ""))
    for kind, field in BREACH_FIELDS.items():
        if getattr(fact, field) is not None:
            found.append((f"breached_{kind}", ""))
    if fact.answered_at is not None and fact.rating is not None:
        found.append(("responses", ""))
        if fact.rating >= 4:
            found.append(("satisfied", ""))
        if fact.recommend is not None:
            found.append(("scored", ""))
            if fact.recommend >= 9:
                found.append(("promoters", ""))
            if fact.recommend <= 6:
                found.append(("detractors", ""))
    if fact.invited_at is not None:
        found.append(("invited", ""))
        if fact.answered_at is not None:
            found.append(("answered", ""))
    return found


# --- Live changes ---------------------------------------------------------------


# Events that change nothing a fact holds: a clock starts running (a breach is its
# own event), a warning, a note, a file, priority and kind. Any other event, those
# of other apps included, reads the case's fact again.
UNCHANGING = frozenset(
    {
        EventType.SLA_STARTED,
        EventType.SLA_WARNING,
        EventType.NOTE_ADDED,
        EventType.ATTACHMENT_ADDED,
        EventType.PRIORITY_CHANGED,
        EventType.KIND_CHANGED,
    }
)


def on_events_recorded(sender, events: Sequence[Event], **kwargs) -> None:
    """Bring the facts and counts of the cases of these events up to date."""
    refresh_facts({e.case_id for e in events if e.type not in UNCHANGING})


def refresh_facts(case_ids: Iterable[int]) -> int:
    """Read the facts of these cases again and correct the counts; return how many
    facts changed. Runs in the caller's transaction."""
    ids = sorted(set(case_ids))
    if not ids:
        return 0
    with transaction.atomic(savepoint=False):
        old = {
            fact.case_id: fact
            for fact in CaseFact.objects.select_for_update().filter(case_id__in=ids)
        }
        rows = Case.objects.filter(pk__in=ids).values(*CASE_FIELDS)
        breaches = breached_clocks(ids)
        new = {
            row["pk"]: fact_from_values(row, breaches.get(row["pk"], {}))
            for row in rows
        }
        delta: Counter = Counter()
        changed = []
        for case_id, fact in new.items():
            before = old.get(case_id)
            if before is not None and _same(before, fact):
                continue
            delta.update(contributions(fact))
            delta.subtract(contributions(before))
            changed.append(fact)
        _add_counts(delta)
        if changed:
            CaseFact.objects.bulk_create(
                changed,
                update_conflicts=True,
                unique_fields=["case"],
                update_fields=[f.attname for f in _FACT_FIELDS],
            )
    return len(changed)


_FACT_FIELDS = [f for f in CaseFact._meta.concrete_fields if not f.primary_key]


def _same(a: CaseFact, b: CaseFact) -> bool:
    return all(getattr(a, f.attname) == getattr(b, f.attname) for f in _FACT_FIELDS)


def _add_counts(delta: Counter) -> None:
    rows = [
        KpiCount(department=department, measure=measure, value=value, n=n)
        for (department, measure, value), n in sorted(delta.items())
        if n
    ]
    if rows:
        KpiCount.objects.bulk_create(rows)


# --- Compaction and rebuild ---------------------------------------------------


def compact() -> int:
    """Fold the rows of each count into one; return how many rows were folded."""
    last = KpiCount.objects.aggregate(last=Max("pk"))["last"]
    if last is None:
        return 0
    table = KpiCount._meta.db_table
    columns = "department, measure, value"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement, one snapshot: a row is folded only if it was deleted.
            cursor.execute(
                f"WITH moved AS (DELETE FROM {table} WHERE id <= %s "
                f"RETURNING {columns}, n) "
                f"INSERT INTO {table} ({columns}, n) "
                f"SELECT {columns}, SUM(n) FROM moved GROUP BY {columns} "
                f"HAVING SUM(n) <> 0",
                [last],
            )
        else:
            # SQLite has one writer at a time: nothing commits between the two.
            cursor.execute(
                f"INSERT INTO {table} ({columns}, n) "
                f"SELECT {columns}, SUM(n) FROM {table} WHERE id <= %s "
                f"GROUP BY {columns} HAVING SUM(n) <> 0",
                [last],
            )
            cursor.execute(f"DELETE FROM {table} WHERE id <= %s", [last])
        folded = cursor.rowcount
    return folded


def is_ready() -> bool:
    """Whether the facts and counts have been built and may be read."""
    return KpiRollupState.objects.exists()


def rebuild(batch: int = 20_000) -> int:
    """Recompute every fact and count from the cases; return the number of cases.

    Writers that change a case wait until it is done (the facts table is locked on
    PostgreSQL; SQLite has one writer anyway).
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"LOCK TABLE {CaseFact._meta.db_table}, "
                    f"{KpiCount._meta.db_table} IN EXCLUSIVE MODE"
                )
        KpiCount.objects.all().delete()
        CaseFact.objects.all().delete()
        if connection.vendor == "postgresql":
            _insert_facts_postgresql()
        else:
            _insert_facts_in_batches(batch)
        _insert_counts()
        cases = CaseFact.objects.count()
        KpiRollupState.objects.all().delete()
        KpiRollupState.objects.create(built_at=timezone.now(), cases=cases)
    logger.info("insights: KPI facts rebuilt for %d cases", cases)
    return cases


def _insert_facts_in_batches(batch: int) -> None:
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        some = ids[start : start + batch]
        rows = Case.objects.filter(pk__in=some).values(*CASE_FIELDS)
        breaches = breached_clocks(some)
        CaseFact.objects.bulk_create(
            [fact_from_values(row, breaches.get(row["pk"], {})) for row in rows]
        )


def _insert_facts_postgresql() -> None:
    """The same facts as ``fact_from_values``, computed by the server."""
    micro = "(EXTRACT(EPOCH FROM ({later} - c.received_at)) * 1000000)::bigint"
    first = bucket_sql(f"FLOOR(first_us / {MINUTE_US}.0)::bigint")
    resolved = bucket_sql(f"FLOOR(resolved_us / {MINUTE_US}.0)::bigint")
    airline = bucket_sql("FLOOR(airline_seconds / 60.0)::bigint")
    breached = ", ".join(
        f"MAX(due_at) FILTER (WHERE kind = '{kind}') AS {field}"
        for kind, field in BREACH_FIELDS.items()
    )
    sql = f"""
        INSERT INTO {CaseFact._meta.db_table} (
            case_id, counted, department_id, assignee_id, received_at,
            category_code, channel, status, airline, airport, flight_number,
            first_response_us, first_response_bucket, resolved_at, resolution_us,
            resolution_bucket, business_minutes, timed_resolved_at,
            airline_seconds, airline_bucket, first_resolved_at, reopened,
            first_contact, first_response_met_at, resolution_met_at,
            {", ".join(BREACH_FIELDS.values())},
            invited_at, answered_at, rating, recommend
        )
        SELECT id, counted, department_id, assignee_id, received_at, code, channel,
            status, airline, airport, flight_number,
            first_us, {first}, resolved_at, resolved_us, {resolved},
            business_minutes, timed_resolved_at, airline_seconds,
            CASE WHEN airline_seconds IS NOT NULL THEN {airline} END,
            first_resolved_at, reopened, first_contact, first_response_met_at,
            resolution_met_at, {", ".join(BREACH_FIELDS.values())},
            invited_at, answered_at, rating, recommend
        FROM (
            SELECT c.id, c.duplicate_of_id IS NULL AS counted, c.department_id,
                c.assignee_id, c.received_at, COALESCE(cat.code, '') AS code,
                c.channel, c.status, c.airline, c.airport, c.flight_number,
                {micro.format(later="c.first_response_at")} AS first_us,
                c.resolved_at, {micro.format(later="c.resolved_at")} AS resolved_us,
                t.first_response_business_minutes AS business_minutes,
                t.resolved_at AS timed_resolved_at,
                t.resolution_seconds AS airline_seconds,
                t.first_resolved_at, c.reopened_count > 0 AS reopened,
                (c.reopened_count = 0 AND t.resolved_on_first_contact IS TRUE)
                    AS first_contact,
                t.first_response_met_at, t.resolution_met_at,
                {", ".join(f"k.{field}" for field in BREACH_FIELDS.values())},
                s.invited_at, s.answered_at, s.rating, s.recommend
            FROM {Case._meta.db_table} c
            LEFT JOIN triage_category cat ON cat.id = c.category_id
            LEFT JOIN {CaseTiming._meta.db_table} t ON t.case_id = c.id
            LEFT JOIN surveys_survey s ON s.case_id = c.id
            LEFT JOIN (
                SELECT case_id, {breached} FROM {Clock._meta.db_table}
                WHERE state = '{ClockState.BREACHED}' GROUP BY case_id
            ) k ON k.case_id = c.id
        ) AS facts
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)


def _insert_counts() -> None:
    """Sum the contributions of every fact into KpiCount, one SELECT per measure."""
    table = CaseFact._meta.db_table
    department = "COALESCE(department_id, 0)"
    answered = "first_response_us IS NOT NULL"
    NO_VALUE = "''"
    selects = [
        ("received", NO_VALUE, "TRUE"),
        ("category", "category_code", "TRUE"),
        ("channel", "channel", "TRUE"),
        ("status", "status", "TRUE"),
        ("responded", NO_VALUE, answered),
        ("within_24h", NO_VALUE, f"first_response_us <= {DAY_US}"),
        (
            "fr_bucket",
            "CAST(first_response_bucket AS TEXT)",
            "first_response_us IS NOT NULL",
        ),
        ("resolved", NO_VALUE, "resolved_at IS NOT NULL"),
        ("res_bucket", "CAST(resolution_bucket AS TEXT)", "resolved_at IS NOT NULL"),
    ]
    rated = "answered_at IS NOT NULL AND rating IS NOT NULL"
    timed = "timed_resolved_at IS NOT NULL AND airline_seconds IS NOT NULL"
    first = "first_resolved_at IS NOT NULL"
    selects += [
        ("business", "CAST(business_minutes AS TEXT)", "business_minutes IS NOT NULL"),
        ("measured", NO_VALUE, timed),
        ("airline_bucket", "CAST(airline_bucket AS TEXT)", timed),
        ("first_resolved", NO_VALUE, first),
        ("reopened", NO_VALUE, f"{first} AND reopened"),
        ("first_contact", NO_VALUE, f"{first} AND first_contact"),
        ("met_first_response", NO_VALUE, "first_response_met_at IS NOT NULL"),
        ("met_resolution", NO_VALUE, "resolution_met_at IS NOT NULL"),
        ("responses", NO_VALUE, rated),
        ("satisfied", NO_VALUE, f"{rated} AND rating >= 4"),
        ("scored", NO_VALUE, f"{rated} AND recommend IS NOT NULL"),
        ("promoters", NO_VALUE, f"{rated} AND recommend >= 9"),
        ("detractors", NO_VALUE, f"{rated} AND recommend <= 6"),
        ("invited", NO_VALUE, "invited_at IS NOT NULL"),
        ("answered", NO_VALUE, "invited_at IS NOT NULL AND answered_at IS NOT NULL"),
    ]
    for kind, field in BREACH_FIELDS.items():
        selects.append((f"breached_{kind}", NO_VALUE, f"{field} IS NOT NULL"))
    for measure, field in TOP_FIELDS.items():
        selects.append(
            (measure, f"{field} || '{PAIR}' || category_code", f"{field} <> ''")
        )
    union = " UNION ALL ".join(
        f"SELECT {department}, '{measure}', {value}, COUNT(*) FROM {table} "
        f"WHERE counted AND {condition} "
        f"GROUP BY {department}{'' if value == NO_VALUE else ', ' + value}"
        for measure, value, condition in selects
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {KpiCount._meta.db_table} (department, measure, value, n) "
            f"{union}"
        )
