"""Keep the KPI facts of every case and the all-time counts per department.

At a million cases an all-time figure cannot be a pass over the cases table in
500 ms. So each case's volume-KPI inputs are copied into ``CaseFact`` (a few dozen
bytes a case), and what each case counts for is summed per department in
``KpiCount``: received, by category, channel and current status, answered, answered
within 24 hours, resolved, the top-problem pairs (airline, airport, flight by
category) and the histograms of the times to first response and to resolution.
``scoped_kpis.py`` reads them. Every count but the histograms and the pairs is
kept per local day of the date it is dated by (``DAY_FIELDS``), so that a period
of whole days sums its days' rows instead of reading its facts; an all-time count
sums its days.

A histogram bucket is a range of whole minutes: each minute below 128, then 64
buckets for each doubling (128-129, ..., 254-255, 256-259, ...), so that a year of
durations needs about 800 buckets per department and a bucket holds a 64th of the
values near it at most. Integer arithmetic only, the same in Python and in SQL.

The rules that keep the counts exact:

- what a case counts for is a pure function of its fact (``contributions``);
- when a case changes (an event in ``events_recorded``, in the writing
  transaction), its fact is read again from the case, and ``KpiCount`` gets the
  difference of the old and new contributions as rows of +1 and -1: rows are only
  added, so concurrent writers never wait on a shared counter row;
- a case intake has just opened gets its fact from the object in hand, inserted
  with what it counts for (``add_new_facts``): it has nothing to read back yet,
  and an import or a disrupted flight opens thousands in a batch;
- an event that provably changes no fact (``UNCHANGING``) reads nothing;
- ``compact`` (every few minutes) folds the rows of each key into one;
- ``rebuild`` recomputes facts and counts from the cases (``paxcare
  rebuild-kpi-rollups``), after a bulk load or a change made outside the
  services, and marks them complete (``KpiRollupState``). Until then the KPIs are
  computed from the cases table.
"""

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from operator import itemgetter

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from paxcare.bulk import MAX_PARAMS, MAX_ROWS, date_texts, insert_rows, new_row
from paxcare.cases.events import EventType
from paxcare.cases.lifecycle import Status
from paxcare.cases.models import Case, Event
from paxcare.comms.events import CommsEvent
from paxcare.disruptions.timeline import DisruptionEvent
from paxcare.insights.models import CaseFact, CaseTiming, KpiCount, KpiRollupState
from paxcare.sla.models import Clock, ClockKind, ClockState
from paxcare.surveys.events import SurveyEvent

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
_RECEIPT = ("received", "category", "channel", "status", "responded", "within_24h")
_ANSWER = ("responses", "satisfied", "scored", "promoters", "detractors")
# Measure -> the CaseFact date it is dated by: its rows carry that date's local day,
# so that a period of whole days sums the rows of its days. The histograms and the
# top-problem pairs have no day: per day they would be nearly as many rows as facts.
DAY_FIELDS: dict[str, str] = {
    **dict.fromkeys(_RECEIPT, "received_at"),
    "resolved": "resolved_at",
    "measured": "timed_resolved_at",
    "timed_resolved": "timed_resolved_at",
    **dict.fromkeys(
        ("first_resolved", "reopened", "first_contact"), "first_resolved_at"
    ),
    "met_first_response": "first_response_met_at",
    "met_resolution": "resolution_met_at",
    **{f"breached_{kind}": field for kind, field in BREACH_FIELDS.items()},
    **dict.fromkeys(_ANSWER, "answered_at"),
    "invited": "invited_at",
    "answered": "invited_at",
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


def local_day(moment: datetime) -> date:
    """Return the day of ``moment`` in the default time zone (``TIME_ZONE``)."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def day_start(day: date) -> datetime:
    """Return the first instant of a local day (its midnight; when midnight does
    not exist, the instant the clocks jump past it)."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def whole_days(start: datetime, end: datetime) -> tuple[date, date] | None:
    """Return the first and last local day lying wholly in ``[start, end)``, or
    None when no day does."""
    first = local_day(start)
    if day_start(first) < start:
        first += timedelta(days=1)
    last = local_day(end) - timedelta(days=1)
    return (first, last) if first <= last else None


def fact_from_values(row: dict) -> CaseFact:
    """Return the (unsaved) fact of a case from its ``case_values`` row."""
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
        setattr(fact, field, row[field])
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


def case_values(case_ids: list[int]) -> list[dict]:
    """Return the ``CASE_FIELDS`` of these cases with the due time of each clock
    marked breached (a case has one clock of a kind), in one query."""
    breaches = {
        field: Subquery(
            Clock.objects.filter(
                case_id=OuterRef("pk"), kind=kind, state=ClockState.BREACHED
            ).values("due_at")[:1]
        )
        for kind, field in BREACH_FIELDS.items()
    }
    return list(
        Case.objects.filter(pk__in=case_ids)
        .annotate(**breaches)
        .values(*CASE_FIELDS, *breaches)
    )


def contributions(fact: CaseFact | None) -> Counter:
    """Return the (department, measure, value, day) keys a case counts once for
    (``day`` None for the measures kept for all time only, see ``DAY_FIELDS``)."""
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
    days: dict[str, date] = {}
    for measure, value in found:
        field = DAY_FIELDS.get(measure)
        day = None
        if field is not None:
            day = days.get(field)
            if day is None:
                day = days[field] = local_day(getattr(fact, field))
        keys[(department, measure, value, day)] += 1
    return keys


def _quality_keys(fact: CaseFact) -> list[tuple[str, str]]:
    """The keys of the service-quality and satisfaction figures."""
    found = []
    if fact.business_minutes is not None:
        found.append(("business", str(fact.business_minutes)))
    if fact.timed_resolved_at is not None:
        # The resolutions of the trends (CaseTiming.resolved_at).
        found.append(("timed_resolved", ""))
        if fact.airline_seconds is not None:
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


# Events that change nothing a fact holds. For each, the code that records it
# changes no input of a fact in its transaction, or records that change with an
# event of its own (after the change) that is not listed here:
# - a clock starts running or warns (a breach is its own event); a note, a file,
#   priority and kind;
# - a passenger's message: it is no first response, and the reopen it causes is a
#   status change of its own;
# - a survey created (not sent yet), reminded, answered a second time (never
#   applied), and its follow-ups;
# - the notifications and mail of comms, and a disruption linked to a case or
#   updated on it: they write their own rows, never the case's.
# Any other event, those of other apps included, reads the case's fact again.
UNCHANGING = frozenset(
    {
        EventType.SLA_STARTED,
        EventType.SLA_WARNING,
        EventType.NOTE_ADDED,
        EventType.ATTACHMENT_ADDED,
        EventType.PRIORITY_CHANGED,
        EventType.KIND_CHANGED,
        EventType.MESSAGE_RECEIVED,
        SurveyEvent.CREATED,
        SurveyEvent.REMINDED,
        SurveyEvent.SECOND_ANSWER,
        SurveyEvent.FOLLOW_UP_OPENED,
        SurveyEvent.FOLLOW_UP_CLOSED,
        CommsEvent.NOTIFICATION_SENT,
        CommsEvent.NOTIFICATION_ATTEMPT_FAILED,
        CommsEvent.NOTIFICATION_FAILED,
        CommsEvent.NOTIFICATION_DELIVERED,
        CommsEvent.NOTIFICATION_SUPPRESSED,
        CommsEvent.CONTACT_FLAGGED,
        CommsEvent.MAIL_FILED,
        CommsEvent.MAIL_PARTS_DROPPED,
        CommsEvent.MAIL_IGNORED,
        CommsEvent.MAIL_FOLLOW_UP,
        CommsEvent.MAIL_FOLLOWED_UP,
        DisruptionEvent.LINKED,
        DisruptionEvent.UPDATED,
    }
)
# The events with which intake announces the cases it has just opened.
OPENING = frozenset({EventType.CREATED, EventType.DUPLICATE_FLAGGED})


def on_events_recorded(sender, events: Sequence[Event], **kwargs) -> None:
    """Bring the facts and counts of the cases of these events up to date."""
    opened, changed = _sort(events)
    if opened:
        changed |= add_new_facts(opened)
    refresh_facts(changed)


def _sort(events: Sequence[Event]) -> tuple[list[Case], set[int]]:
    """Return the cases just opened (in hand) and the ids of the cases to read."""
    opened: dict[int, Case] = {}
    created: set[int] = set()
    changed: set[int] = set()
    for event in events:
        kind = event.type
        if kind in UNCHANGING:
            continue
        if kind in OPENING:
            case = _opened_case(event)
            if case is not None and opened.setdefault(case.id, case) is case:
                if kind == EventType.CREATED:
                    created.add(case.id)
                continue
        changed.add(event.case_id)
    # A case with any other change, or flagged without its creation, is read.
    changed.update(opened.keys() - created)
    return [case for pk, case in opened.items() if pk not in changed], changed


def _opened_case(event: Event) -> Case | None:
    """Return the case an opening event carries, if it is in hand and looks new.

    Intake caches the case on its events: the object it has just inserted, with
    the department, assignee and duplicate flag it gave it before the insert.
    Anything else (an event read back, a case with a reply or a resolution) is
    left to the read path.
    """
    if not Event.case.is_cached(event):
        return None
    case = event.case
    if case is None or case._state.adding or case.id != event.case_id:
        return None
    if (
        case.status != Status.NEW
        or case.first_response_at is not None
        or case.resolved_at is not None
        or case.reopened_count
    ):
        return None
    if event.type == EventType.DUPLICATE_FLAGGED and case.duplicate_of_id is None:
        return None
    return case


def add_new_facts(cases: Sequence[Case]) -> set[int]:
    """Insert the facts of cases opened in this transaction, built from the objects
    in hand, and add what they count for; return the ids left to ``refresh_facts``.

    A case just opened has no fact to lock or correct, no timing and no survey
    (both follow a reply or a status change), and no breached clock: intake starts
    its clocks running, and a breach is marked later, with an event of its own.
    Left to the read path: a case whose category is not in hand, and one whose
    fact exists already (written by an earlier receiver of this transaction).
    """
    facts, left = [], set()
    for case in cases:
        code = _category_code(case)
        if code is None:
            left.add(case.id)
        else:
            facts.append(_new_fact(case, code))
    if not facts:
        return left
    with transaction.atomic(savepoint=False):
        inserted = _insert_new_facts(facts)
        _add_counts(_new_contributions(inserted))
    if len(inserted) < len(facts):
        done = {fact.case_id for fact in inserted}
        left.update(fact.case_id for fact in facts if fact.case_id not in done)
    return left


def _category_code(case: Case) -> str | None:
    """Return the code of the case's category object in hand; None if not in hand."""
    if case.category_id is None:
        return ""
    if not Case.category.is_cached(case):
        return None
    category = case.category
    if category is None or category.id != case.category_id:
        return None
    return category.code


def _new_fact(case: Case, code: str) -> CaseFact:
    """Return the fact ``fact_from_values`` gives a case just opened."""
    values = {
        "case_id": case.id,
        "counted": case.duplicate_of_id is None,
        "department_id": case.department_id,
        "assignee_id": case.assignee_id,
        "received_at": case.received_at,
        "category_code": code,
        "channel": case.channel,
        "status": case.status,
        "airline": case.airline,
        "airport": case.airport,
        "flight_number": case.flight_number,
    }
    # Every other field keeps its default: empty, not reopened, no first contact.
    return new_row(CaseFact, values)


def _new_contributions(facts: Sequence[CaseFact]) -> Counter:
    """Return the summed ``contributions`` of new facts, worked out once per kind.

    New facts differ only in these fields, their day of receipt, and in those
    ``contributions`` does not read (the case, its assignee, the time of day): the
    passengers of a disrupted flight are a few kinds of fact.
    """
    kinds: dict[tuple, list] = {}
    # A batch's facts share a few instants of receipt: each local day is worked
    # out once (keyed with the offset too: two times in a zone's repeated hour
    # are equal in Python, yet different instants).
    days: dict[tuple, date] = {}
    for fact in facts:
        received_at = fact.received_at
        moment = (received_at, received_at.utcoffset())
        day = days.get(moment)
        if day is None:
            day = days[moment] = local_day(received_at)
        key = (
            day,
            fact.counted,
            fact.department_id,
            fact.category_code,
            fact.channel,
            fact.status,
            fact.airline,
            fact.airport,
            fact.flight_number,
        )
        found = kinds.get(key)
        if found is None:
            kinds[key] = [fact, 1]
        else:
            found[1] += 1
    delta: Counter = Counter()
    for fact, n in kinds.values():
        for key, times in contributions(fact).items():
            delta[key] += times * n
    return delta


_FACT_COLUMNS = list(CaseFact._meta.concrete_fields)
_pick_fact = itemgetter(*[f.attname for f in _FACT_COLUMNS])
_RECEIVED_AT = [f.attname for f in _FACT_COLUMNS].index("received_at")


# On PostgreSQL, from this many facts a COPY in a savepoint costs less CPU than one
# INSERT, which psycopg parses on every call when it has more than 50 values (33 a
# fact). Measured on loopback, CPU per call, COPY against INSERT: 1 fact 0.5 ms
# against 0.3, 4 facts 0.4 against 0.5, 8 facts 0.4 to 0.8 against 0.8 to 0.9.
COPY_FACTS_FROM = 4


def _insert_new_facts(facts: list[CaseFact]) -> list[CaseFact]:
    """Insert the facts whose case has none yet; return those inserted.

    On PostgreSQL several go by COPY in a savepoint (a new case has no fact: the
    careful insert after a rollback is for the exception).
    """
    if connection.vendor == "postgresql" and len(facts) >= COPY_FACTS_FROM:
        try:
            with transaction.atomic():
                _copy_facts(facts)
            return facts
        except IntegrityError:
            logger.warning("insights: a new case had a KPI fact already")
    return _insert_facts_once(facts)


def _copy_facts(facts: list[CaseFact]) -> None:
    # The time of receipt as text, once per instant (``bulk.date_texts``): the
    # facts of a batch share a few. The other times, empty on a new fact, go as
    # they are.
    text = date_texts()
    quote = connection.ops.quote_name
    table = quote(CaseFact._meta.db_table)
    columns = ", ".join(quote(f.column) for f in _FACT_COLUMNS)
    statement = f"COPY {table} ({columns}) FROM STDIN"
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.copy(statement) as copy,
    ):
        for fact in facts:
            row = list(_pick_fact(fact.__dict__))
            row[_RECEIVED_AT] = text(row[_RECEIVED_AT])
            copy.write_row(row)


def _insert_facts_once(facts: list[CaseFact]) -> list[CaseFact]:
    """Insert with ``ON CONFLICT DO NOTHING``; return the facts inserted."""
    quote = connection.ops.quote_name
    key = quote(CaseFact._meta.pk.column)
    columns = ", ".join(quote(f.column) for f in _FACT_COLUMNS)
    head = f"INSERT INTO {quote(CaseFact._meta.db_table)} ({columns}) VALUES "
    tail = f" ON CONFLICT ({key}) DO NOTHING RETURNING {key}"
    row_sql = "(" + ", ".join(["%s"] * len(_FACT_COLUMNS)) + ")"
    per_statement = max(1, min(MAX_ROWS, MAX_PARAMS // len(_FACT_COLUMNS)))
    convert = _converters()
    inserted: set[int] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(facts), per_statement):
            some = facts[start : start + per_statement]
            params = [
                value if adapt is None or value is None else adapt(value)
                for fact in some
                for value, adapt in zip(_pick_fact(fact.__dict__), convert, strict=True)
            ]
            cursor.execute(head + ", ".join([row_sql] * len(some)) + tail, params)
            inserted.update(pk for (pk,) in cursor.fetchall())
    return [fact for fact in facts if fact.case_id in inserted]


def _converters() -> list:
    """Return per fact column the function that makes its value a parameter."""
    if connection.features.supports_timezones:
        return [None] * len(_FACT_COLUMNS)
    # SQLite keeps datetimes as text in the connection's time zone.
    adapt = connection.ops.adapt_datetimefield_value
    return [
        adapt if f.get_internal_type() == "DateTimeField" else None
        for f in _FACT_COLUMNS
    ]


def refresh_facts(case_ids: Iterable[int]) -> int:
    """Read the facts of these cases again and correct the counts; return how many
    facts changed. Runs in the caller's transaction."""
    ids = sorted(set(case_ids))
    if not ids:
        return 0
    with transaction.atomic(savepoint=False):
        # Locked first, then read: a concurrent change of the same case waits, and
        # this one then reads the case as that one left it.
        old = {
            fact.case_id: fact
            for fact in CaseFact.objects.select_for_update().filter(case_id__in=ids)
        }
        new = {row["pk"]: fact_from_values(row) for row in case_values(ids)}
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
        new_row(
            KpiCount,
            {
                "department": department,
                "measure": measure,
                "value": value,
                "day": day,
                "n": n,
            },
        )
        for (department, measure, value, day), n in sorted(delta.items(), key=_order)
        if n
    ]
    insert_rows(rows)


def _order(item: tuple) -> tuple:
    (department, measure, value, day), _n = item
    return department, measure, value, day or date.min


# --- Compaction and rebuild ---------------------------------------------------


def compact() -> int:
    """Fold the rows of each count into one; return how many rows were folded."""
    last = KpiCount.objects.aggregate(last=Max("pk"))["last"]
    if last is None:
        return 0
    table = KpiCount._meta.db_table
    columns = "department, measure, value, day"
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
    """Whether the facts and counts have been built, in the days of the current
    time zone, and may be read."""
    return KpiRollupState.objects.filter(time_zone=settings.TIME_ZONE).exists()


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
            _insert_counts()
        else:
            _insert_facts_in_batches(batch)
            _add_counts_of_facts(batch)
        cases = CaseFact.objects.count()
        KpiRollupState.objects.all().delete()
        KpiRollupState.objects.create(
            built_at=timezone.now(), cases=cases, time_zone=settings.TIME_ZONE
        )
    logger.info("insights: KPI facts rebuilt for %d cases", cases)
    return cases


def _insert_facts_in_batches(batch: int) -> None:
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        some = ids[start : start + batch]
        CaseFact.objects.bulk_create(
            [fact_from_values(row) for row in case_values(some)]
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


def _add_counts_of_facts(batch: int) -> None:
    """Sum the ``contributions`` of every fact into KpiCount (any database)."""
    total: Counter = Counter()
    for fact in CaseFact.objects.filter(counted=True).iterator(chunk_size=batch):
        total.update(contributions(fact))
    _add_counts(total)


def _insert_counts() -> None:
    """Sum the contributions of every fact into KpiCount, one SELECT per measure
    (PostgreSQL: the local day of a date is worked out by the server)."""
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
        ("fr_bucket", "CAST(first_response_bucket AS TEXT)", answered),
        ("resolved", NO_VALUE, "resolved_at IS NOT NULL"),
        ("res_bucket", "CAST(resolution_bucket AS TEXT)", "resolved_at IS NOT NULL"),
    ]
    rated = "answered_at IS NOT NULL AND rating IS NOT NULL"
    timed = "timed_resolved_at IS NOT NULL AND airline_seconds IS NOT NULL"
    first = "first_resolved_at IS NOT NULL"
    selects += [
        ("business", "CAST(business_minutes AS TEXT)", "business_minutes IS NOT NULL"),
        ("measured", NO_VALUE, timed),
        ("timed_resolved", NO_VALUE, "timed_resolved_at IS NOT NULL"),
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
    zone = "'" + settings.TIME_ZONE.replace("'", "''") + "'"
    union = " UNION ALL ".join(
        f"SELECT {department}, '{measure}', {value}, {day}, COUNT(*) FROM {table} "
        f"WHERE counted AND {condition} "
        f"GROUP BY {department}{'' if value == NO_VALUE else ', ' + value}"
        f"{'' if day == 'NULL::date' else ', ' + day}"
        for measure, value, condition in selects
        for day in [_day_sql(measure, zone)]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {KpiCount._meta.db_table} "
            f"(department, measure, value, day, n) {union}"
        )


def _day_sql(measure: str, zone: str) -> str:
    """The local day of the date ``measure`` is dated by, as SQL (PostgreSQL)."""
    field = DAY_FIELDS.get(measure)
    if field is None:
        return "NULL::date"
    return f"({field} AT TIME ZONE {zone})::date"
