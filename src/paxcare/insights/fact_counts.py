"""Count what the KPI facts of a period count for, in as few passes as possible.

``scoped_kpis.py`` builds a report from these counts: the same (measure, value)
keys as ``KpiCount`` (``rollups.contributions``), read from ``CaseFact`` for the
facts dated in a period, and the top-problem pairs (airline, airport or flight by
category) apart, as a ``Counter`` of (measure, value, category code).

The top-problem lists keep ten values each, but a month has some 30,000 flight
pairs and all time 70,000: on PostgreSQL the ranking is done in SQL and only the
pairs of the leading values leave the database. Python ranks the rows it gets
again (``kpis._top_problems``), which changes nothing when they are all the rows
of the leading values.
"""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from paxcare.insights import rollups
from paxcare.insights.kpis import TOP_VALUES
from paxcare.insights.models import CaseFact, KpiCount

ALWAYS = Q(pk__isnull=False)
RATED = Q(rating__isnull=False)
# Anchor field of CaseFact -> the counts dated by it, each with its condition.
ANCHORED: dict[str, dict[str, Q]] = {
    "timed_resolved_at": {
        "measured": Q(airline_seconds__isnull=False),
        "timed_resolved": ALWAYS,
    },
    "first_resolved_at": {
        "first_resolved": ALWAYS,
        "reopened": Q(reopened=True),
        "first_contact": Q(first_contact=True),
    },
    "first_response_met_at": {"met_first_response": ALWAYS},
    "resolution_met_at": {"met_resolution": ALWAYS},
    **{
        field: {f"breached_{kind}": ALWAYS}
        for kind, field in rollups.BREACH_FIELDS.items()
    },
    "answered_at": {
        "responses": RATED,
        "satisfied": RATED & Q(rating__gte=4),
        "scored": RATED & Q(recommend__isnull=False),
        "promoters": RATED & Q(recommend__gte=9),
        "detractors": RATED & Q(recommend__lte=6),
    },
    "invited_at": {"invited": ALWAYS, "answered": Q(answered_at__isnull=False)},
}
# The histograms dated by receipt: measure -> CaseFact field.
HISTOGRAMS = {"fr_bucket": "first_response_bucket", "business": "business_minutes"}
PAIR_MEASURES = tuple(rollups.TOP_FIELDS)
# Rank every value: the adjustments of an all-time report need all their pairs.
EVERY_VALUE = 2**62
# Memory for the sorts and hash tables of one analytic query (``roomy``).
WORK_MEM = "32MB"


def between(field: str, low: datetime | None, high: datetime | None) -> Q:
    """Return ``low <= field < high``, either bound left out when None."""
    condition = Q()
    if low is not None:
        condition &= Q(**{f"{field}__gte": low})
    if high is not None:
        condition &= Q(**{f"{field}__lt": high})
    return condition


def direct(
    facts: QuerySet[CaseFact],
    low: datetime | None,
    high: datetime | None,
    *,
    top: int = EVERY_VALUE,
    dated: bool = True,
    shapes: bool = True,
) -> tuple[Counter, Counter]:
    """Count what the facts dated in ``[low, high)`` count for.

    Return the counts by (measure, value) and the top-problem pairs by (measure,
    value, category code): on PostgreSQL only those of the ``top`` values with
    most cases of each measure (ties by value), elsewhere all of them.
    ``dated=False`` leaves out the counts kept by day (``rollups.DAY_FIELDS``),
    ``shapes=False`` the others (the histograms) and the pairs.
    """
    counts: Counter = Counter()
    received = facts.filter(between("received_at", low, high))
    if connection.vendor == "postgresql":
        pairs = Counter()
        if dated:
            _received_groups_only(received, counts)
        if shapes:
            pairs = _received_in_one_pass(received, counts, top, groups=False)
        _dated_in_one_pass(facts, low, high, counts, flags=dated, buckets=shapes)
    else:
        pairs = _received_groups(received, counts)
        _dated(facts, low, high, counts)
    if not shapes:
        pairs = Counter()
    return _only(counts, dated, shapes), pairs


def _only(counts: Counter, dated: bool, shapes: bool) -> Counter:
    """Keep the counts kept by day (``dated``), the others (``shapes``), or both."""
    if dated and shapes:
        return counts
    return Counter(
        {key: n for key, n in counts.items() if (key[0] in rollups.DAY_FIELDS) == dated}
    )


def day_totals(departments: frozenset[int] | None, first: date, last: date) -> Counter:
    """Return the counts kept by day of these departments (None: all) summed over
    the local days ``first`` to ``last``, both included, by (measure, value)."""
    rows = KpiCount.objects.filter(
        day__gte=first, day__lte=last, measure__in=list(rollups.DAY_FIELDS)
    )
    if departments is not None:
        rows = rows.filter(department__in=sorted(departments))
    totals = rows.values_list("measure", "value").annotate(n=Sum("n")).order_by()
    return Counter({(measure, value): n for measure, value, n in totals if n})


def _dated(facts: QuerySet[CaseFact], low, high, counts: Counter) -> None:
    """The counts dated otherwise than by receipt, three queries (any database)."""
    resolved = facts.filter(between("resolved_at", low, high))
    for bucket, n in _per_bucket(resolved, "resolution_bucket"):
        counts["resolved", ""] += n
        counts["res_bucket", str(bucket)] += n
    timed = facts.filter(
        between("timed_resolved_at", low, high), airline_seconds__isnull=False
    )
    for bucket, n in _per_bucket(timed, "airline_bucket"):
        counts["airline_bucket", str(bucket)] += n
    figures, dated = {}, Q(pk__isnull=True)
    for anchor, measures in ANCHORED.items():
        in_range = between(anchor, low, high)
        dated |= in_range
        for measure, condition in measures.items():
            figures[measure] = Count("pk", filter=in_range & condition)
    for measure, n in facts.filter(dated).aggregate(**figures).items():
        counts[measure, ""] += n


def _dated_in_one_pass(
    facts: QuerySet[CaseFact],
    low,
    high,
    counts: Counter,
    *,
    flags: bool = True,
    buckets: bool = True,
) -> None:
    """The counts dated otherwise than by receipt from one read of the facts dated
    in the period (PostgreSQL): grouped by the two histogram buckets, each of its
    own date (``buckets``), every other count a sum of 0/1 flags (``flags``)."""
    resolved = between("resolved_at", low, high)
    timed = between("timed_resolved_at", low, high) & Q(airline_seconds__isnull=False)
    dated = _or(resolved, timed)
    ones: dict[str, Case] = {}
    measures: dict[str, str] = {}
    anchored = ANCHORED.items() if flags else ()
    for anchor, conditions in anchored:
        in_range = between(anchor, low, high)
        dated = _or(dated, in_range)
        for measure, condition in conditions.items():
            name = f"flag_{len(ones)}"
            measures[name] = measure
            ones[name] = flag(in_range & condition)
    if not buckets:
        # The resolutions are counted by a flag of their own, not by bucket.
        measures["flag_resolved"] = "resolved"
        ones["flag_resolved"] = flag(resolved)
        resolved, timed = Q(pk__isnull=True), Q(pk__isnull=True)
    rows = (
        facts.filter(dated)
        .annotate(
            res=Case(When(_when(resolved), then=F("resolution_bucket"))),
            air=Case(When(_when(timed), then=F("airline_bucket"))),
            **ones,
        )
        .values("res", "air", *ones)
    )
    inner, params = rows.query.sql_with_params()
    sums = "".join(f", SUM({name})" for name in ones)
    sql = f"SELECT res, air, COUNT(*){sums} FROM ({inner}) AS f GROUP BY res, air"
    # Some thousands of bucket pairs: hashed (the planner cannot tell how few).
    with _roomy_cursor(hash_only=True) as cursor:
        cursor.execute(sql, params)
        for res, air, n, *flagged in cursor.fetchall():
            if res is not None:
                counts["resolved", ""] += n
                counts["res_bucket", str(res)] += n
            if air is not None:
                counts["airline_bucket", str(air)] += n
            for name, total in zip(ones, flagged, strict=True):
                counts[measures[name], ""] += total or 0


@contextmanager
def roomy(*, hash_only: bool = False, no_index_order: bool = False) -> Iterator[None]:
    """Let the queries inside sort and hash in memory (PostgreSQL), with
    ``hash_only`` group by hashing, not sorting, and with ``no_index_order`` not
    walk an index for its order; the settings before are back after, even inside
    a longer transaction.

    A month's GROUPING SETS hold some 40,000 groups (flight by category), about
    10 MB, and a month's breakdown sorts some 100,000 facts for its medians: at the
    default 4 MB of ``work_mem`` PostgreSQL sorts them on disk instead, which took
    up to twice as long at a million cases. Grouping by buckets of dates, the
    planner cannot tell that a million facts make a few thousand groups and sorts
    them: hashing took a third of the time. Grouping a month's facts by assignee,
    it walked the whole index of assignees to have them in order (7.6 s) rather
    than sort the 100,000 facts of the month that it had found by their dates.
    """
    settings = {"work_mem": WORK_MEM}
    if hash_only:
        settings["enable_sort"] = "off"
    if no_index_order:
        settings["enable_indexscan"] = "off"
    with transaction.atomic():
        if connection.vendor != "postgresql":
            yield
            return
        before = _set_locally(settings)
        yield
        # (After an error the transaction or savepoint is rolled back, and the
        # settings with it.)
        _set_locally(before)


def _set_locally(settings: dict[str, str]) -> dict[str, str]:
    """Set these settings for the transaction; return what they were."""
    calls = ", ".join(
        "current_setting(%s), set_config(%s, %s, true)" for _name in settings
    )
    params = [p for name, value in settings.items() for p in (name, name, value)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {calls}", params)
        row = cursor.fetchone()
    return dict(zip(settings, row[::2], strict=True))


@contextmanager
def _roomy_cursor(*, hash_only: bool = False) -> Iterator:
    with roomy(hash_only=hash_only), connection.cursor() as cursor:
        yield cursor


def _when(condition: Q) -> Q:
    """A condition ``When`` accepts (an empty one is always true)."""
    return condition or Q(pk__isnull=False)


def _or(a: Q, b: Q) -> Q:
    return _when(a) | _when(b)


def flag(condition: Q) -> Case:
    """Return 1 where ``condition`` holds, else 0 (to be summed)."""
    return Case(
        When(_when(condition), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def _received_groups(received: QuerySet[CaseFact], counts: Counter) -> Counter:
    """The received counts, one GROUP BY per grouping (any database)."""
    _received_groups_only(received, counts)
    pairs: Counter = Counter()
    for measure, field in rollups.TOP_FIELDS.items():
        rows = (
            received.exclude(**{field: ""})
            .values_list(field, "category_code")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for value, code, n in rows:
            pairs[measure, value, code] += n
    for measure, field in HISTOGRAMS.items():
        values = received.filter(**{f"{field}__isnull": False})
        for value, n in _per_bucket(values, field):
            counts[measure, str(value)] += n
    return pairs


# The columns of the one-pass GROUPING SETS query, and its groupings.
_COLUMNS = (
    "category_code",
    "channel",
    "status",
    "airline",
    "airport",
    "flight_number",
    "first_response_bucket",
    "business_minutes",
)
_SETS = {
    "groups": ("category_code", "channel", "status"),
    **{
        measure: (field, "category_code")
        for measure, field in rollups.TOP_FIELDS.items()
    },
    **{measure: (field,) for measure, field in HISTOGRAMS.items()},
}


def _mask(columns: tuple[str, ...], grouped: tuple[str, ...] = _COLUMNS) -> int:
    """Return what GROUPING(grouped) gives for a grouping set: a bit per column
    left out of it, the first column's bit the highest."""
    last = len(grouped) - 1
    return sum(1 << (last - i) for i, c in enumerate(grouped) if c not in columns)


def _received_groups_only(received: QuerySet[CaseFact], counts: Counter) -> None:
    """The received counts by category, channel and status (one GROUP BY)."""
    groups = (
        received.values_list("category_code", "channel", "status")
        .annotate(
            n=Count("pk"),
            responded=Count("pk", filter=Q(first_response_us__isnull=False)),
            within=Count("pk", filter=Q(first_response_us__lte=rollups.DAY_US)),
        )
        .order_by()
    )
    for code, channel, status, n, responded, within in groups:
        _add_group(counts, code, channel, status, n, responded, within)


def _received_in_one_pass(
    received: QuerySet[CaseFact], counts: Counter, top: int, *, groups: bool = True
) -> Counter:
    """The received counts from one read of the facts (PostgreSQL GROUPING SETS),
    the pairs of the ``top`` leading values of each measure ranked in SQL; with
    ``groups=False`` only the pairs and the histograms."""
    inner, params = received.values(
        *_COLUMNS, "first_response_us"
    ).query.sql_with_params()
    chosen = {
        name: columns for name, columns in _SETS.items() if groups or name != "groups"
    }
    # GROUPING() takes only columns that some grouping set has.
    grouped = tuple(c for c in _COLUMNS if any(c in cs for cs in chosen.values()))
    masks = {name: _mask(columns, grouped) for name, columns in chosen.items()}
    pair_masks = ", ".join(str(masks[m]) for m in PAIR_MEASURES)
    value_of = " ".join(
        f"WHEN {masks[m]} THEN {rollups.TOP_FIELDS[m]}" for m in PAIR_MEASURES
    )
    sets = ", ".join(f"({', '.join(columns)})" for columns in chosen.values())
    columns = ", ".join(c if c in grouped else f"NULL AS {c}" for c in _COLUMNS)
    sql = f"""
        WITH g AS MATERIALIZED (
            SELECT {columns}, GROUPING({", ".join(grouped)}) AS gs, COUNT(*) AS n,
                COUNT(first_response_us) AS responded,
                COUNT(*) FILTER (WHERE first_response_us <= {rollups.DAY_US})
                    AS within
            FROM ({inner}) AS f
            GROUP BY GROUPING SETS ({sets})
        ), p AS (
            SELECT gs, CASE gs {value_of} END AS top, category_code, n
            FROM g WHERE gs IN ({pair_masks})
        ), r AS (
            SELECT gs, top, ROW_NUMBER() OVER (
                PARTITION BY gs ORDER BY SUM(n) DESC, top COLLATE "C"
            ) AS rank
            FROM p WHERE top <> '' GROUP BY gs, top
        )
        SELECT gs, category_code, channel, status, first_response_bucket,
            business_minutes, NULL, n, responded, within
        FROM g WHERE gs NOT IN ({pair_masks})
        UNION ALL
        SELECT p.gs, p.category_code, NULL, NULL, NULL, NULL, p.top, p.n, 0, 0
        FROM p JOIN r ON r.gs = p.gs AND r.top = p.top WHERE r.rank <= %s
    """
    measure_of = {masks[m]: m for m in PAIR_MEASURES}
    pairs: Counter = Counter()
    with _roomy_cursor() as cursor:
        cursor.execute(sql, (*params, top))
        for (
            gs,
            code,
            channel,
            status,
            fr,
            business,
            value,
            n,
            *answered,
        ) in cursor.fetchall():
            if gs == masks.get("groups"):
                _add_group(counts, code, channel, status, n, *answered)
            elif gs == masks["fr_bucket"]:
                if fr is not None:
                    counts["fr_bucket", str(fr)] += n
            elif gs == masks["business"]:
                if business is not None:
                    counts["business", str(business)] += n
            else:
                pairs[measure_of[gs], value, code] += n
    return pairs


def _add_group(counts: Counter, code, channel, status, n, responded, within) -> None:
    counts["received", ""] += n
    counts["category", code] += n
    counts["channel", channel] += n
    counts["status", status] += n
    counts["responded", ""] += responded
    counts["within_24h", ""] += within


def _per_bucket(facts: QuerySet[CaseFact], field: str):
    return facts.values_list(field).annotate(n=Count("pk")).order_by()


def all_time_pairs(departments: frozenset[int] | None, adjust: Counter) -> Counter:
    """Return the all-time top-problem pairs of the departments plus ``adjust``:
    every pair of the ten leading values of each measure, and of any value that
    ``adjust`` (facts to take away or add, by (measure, value, code)) touches.

    A value that ``adjust`` leaves alone keeps its total; if it is among the ten
    leading values after the adjustment, at most the touched values rank above it
    that did not before, so it is among the ``10 + touched`` leading ones before.
    """
    touched = {value for (_m, value, _c), n in adjust.items() if n}
    pairs = Counter()
    if departments is None or departments:
        pairs.update(_ranked_counts(departments, TOP_VALUES + len(touched), touched))
    pairs.update(adjust)
    return pairs


def _ranked_counts(
    departments: frozenset[int] | None, top: int, touched: set[str]
) -> Counter:
    """Return the pairs of the ``top`` values with most cases of each measure (ties
    by value) and of the ``touched`` values, from the all-time counts.

    The values are ranked first (a few thousand groups: a hash table in memory),
    then only their pairs are summed; grouping the 70,000 pairs of a million cases
    first spills the hash table to disk at PostgreSQL's default ``work_mem``.
    """
    # The separator as an SQL literal, so that GROUP BY sees the same expression.
    pair = "'" + rollups.PAIR.replace("'", "''") + "'"
    if connection.vendor == "postgresql":
        value, collate = f"split_part(k.value, {pair}, 1)", ' COLLATE "C"'
    else:
        value, collate = f"substr(k.value, 1, instr(k.value, {pair}) - 1)", ""
    where, where_params = _pair_rows_of(departments)
    also = f" OR top IN ({', '.join(['%s'] * len(touched))})" if touched else ""
    sql = f"""
        WITH tops AS (
            SELECT measure, top FROM (
                SELECT k.measure, {value} AS top, ROW_NUMBER() OVER (
                    PARTITION BY k.measure ORDER BY SUM(k.n) DESC, {value}{collate}
                ) AS rank
                FROM {KpiCount._meta.db_table} k WHERE {where}
                GROUP BY k.measure, {value} HAVING SUM(k.n) <> 0
            ) AS ranked
            WHERE rank <= %s{also}
        )
        SELECT k.measure, k.value, SUM(k.n) FROM {KpiCount._meta.db_table} k
        JOIN tops t ON t.measure = k.measure AND t.top = {value}
        WHERE {where}
        GROUP BY k.measure, k.value HAVING SUM(k.n) <> 0
    """
    params = [*where_params, top, *sorted(touched), *where_params]
    pairs: Counter = Counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for measure, pair_value, n in cursor.fetchall():
            value_of, _sep, code = pair_value.partition(rollups.PAIR)
            pairs[measure, value_of, code] += int(n)
    return pairs


def _pair_rows_of(departments: frozenset[int] | None) -> tuple[str, list]:
    """The condition on ``KpiCount k`` of the pair rows of the departments."""
    where = f"k.measure IN ({', '.join(['%s'] * len(PAIR_MEASURES))})"
    params: list = list(PAIR_MEASURES)
    if departments is not None:
        where += f" AND k.department IN ({', '.join(['%s'] * len(departments))})"
        params += sorted(departments)
    return where, params
