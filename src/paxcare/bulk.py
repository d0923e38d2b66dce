"""Fast building and inserting of many rows for the bulk paths (imports, clocks).

``Model.objects.bulk_create`` prepares every value through the whole field machinery
and compiles the statement in Python; on an import that costs more than the database
does. Three helpers take that cost out of the hot loops:

- ``new_row`` builds an unsaved instance from a dict of column values (and related
  objects to cache), without the per-field walk of ``Model.__init__``: a timeline
  event costs 2 µs instead of 15;
- ``fetch_rows`` reads a query's rows into instances the same way (a disrupted
  flight's manifest);
- ``insert_rows`` picks one converter per column up front, then sends the rows with
  ``COPY … FROM STDIN`` on PostgreSQL (primary keys taken from the table's sequence
  first) when there are many, as one ``INSERT … RETURNING id`` otherwise (on
  PostgreSQL its rows as one JSON parameter, see ``_statement``; elsewhere a
  multi-row VALUES list), and sets each object's primary key.

They skip signals and ``save()`` as ``bulk_create`` does: callers pass fully built
objects of models whose fields need no ``pre_init``/``post_init`` hooks.

``frozen_heap`` keeps the garbage collector's full passes off the objects that
already live when bulk work starts (Django's, the classifier's tables, the airports):
on a run of 150,000 disrupted passengers the full passes cost a quarter of the time.
"""

import gc
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from operator import itemgetter
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL

# Column values per statement: SQLite's limit is 32,766 parameters; 500 rows of a
# 30-column case stay well under it, and larger batches gained nothing measurable.
MAX_PARAMS = 15_000
MAX_ROWS = 500

# COPY needs a round trip for the keys before it; below this many rows one INSERT,
# one round trip, is as quick. (From about 4 rows COPY costs less CPU on loopback,
# since psycopg splits a multi-row INSERT of more than 50 values with its Python
# parser on every call; but a lower threshold would make the number of queries of
# a batch depend on its size, which the query-count tests hold constant.)
COPY_MIN_ROWS = 100

_PLAIN = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "EmailField",
    "FloatField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}


# --- Building -------------------------------------------------------------------

_frozen_depth = 0
_frozen_lock = threading.Lock()
# The collector's thresholds outside bulk work, restored when the last one ends.
_thresholds: tuple[int, ...] = ()

# Allocations between two young collections during bulk work (Python's default is
# 700). A batch of 2,000 disrupted passengers keeps some 150,000 new objects to
# its end: at the default, the collections walked them again and again, a tenth
# of the care's Python CPU (18-25 µs a passenger, 100 flights); at 50,000 they
# cost 3 µs. Garbage cycles are still collected, a few MB later.
BULK_GC_THRESHOLD = 50_000


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Leave the objects alive on entry out of garbage collection until exit.

    A full collection walks every object of the process, a million and more once
    the classifier and the remedies engine are loaded (about 0.2 s each on the
    development machine), and a bulk run triggers one every few batches because its
    rows live long enough to reach the oldest generation. Frozen objects are only
    skipped, not kept: on exit they return to the oldest generation, so garbage
    among them is still collected later. Until exit the young generation also
    collects less often (``BULK_GC_THRESHOLD``), for the rows the work itself keeps.
    """
    global _frozen_depth, _thresholds
    with _frozen_lock:
        if _frozen_depth == 0:
            gc.freeze()
            _thresholds = gc.get_threshold()
            # A threshold of 0 turns automatic collection off: left so.
            if _thresholds[0]:
                young = max(_thresholds[0], BULK_GC_THRESHOLD)
                gc.set_threshold(young, *_thresholds[1:])
        _frozen_depth += 1
    try:
        yield
    finally:
        with _frozen_lock:
            _frozen_depth -= 1
            if _frozen_depth == 0:
                gc.set_threshold(*_thresholds)
                gc.unfreeze()


@cache
def _defaults(model: type[models.Model]) -> tuple[dict, tuple, dict]:
    """Return a model's static defaults, its callable defaults and its relations.

    A relation maps to its column's attname and the attname of the related
    model's primary key, read straight from the related object's ``__dict__``
    (``obj.pk`` walks the model's options on every call).
    """
    static: dict[str, Any] = {}
    dynamic: list[tuple[str, models.Field]] = []
    relations: dict[str, tuple[str, str]] = {}
    for field in model._meta.concrete_fields:
        if field.has_default() and callable(field.default):
            dynamic.append((field.attname, field))
        else:
            static[field.attname] = field.get_default()
        if field.is_relation:
            target = field.target_field.attname
            relations[field.name] = (field.attname, target)
    return static, tuple(dynamic), relations


def new_row(
    model: type[models.Model],
    values: Mapping[str, Any],
    related: Mapping[str, models.Model | None] | None = None,
) -> models.Model:
    """Return an unsaved instance with column ``values`` (by attname) and relations.

    ``related`` maps a foreign key's name to an object: its key is copied now (or at
    insert time, if the object is saved later) and the object is cached, so that
    ``row.case`` costs no query. Fields left out get their defaults.
    """
    static, dynamic, relations = _defaults(model)
    # A copy of the defaults, handed to the instance whole: quicker than filling
    # the instance's own dict key by key.
    attributes = static.copy()
    for attname, field in dynamic:
        if attname not in values:
            attributes[attname] = field.get_default()
    attributes.update(values)
    state = attributes["_state"] = ModelState()
    if related:
        # Set directly: ModelState creates it on first access, through a descriptor.
        state.fields_cache = cached = {}
        for name, other in related.items():
            cached[name] = other
            attname, target = relations[name]
            attributes[attname] = None if other is None else other.__dict__.get(target)
    obj = model.__new__(model)
    obj.__dict__ = attributes
    return obj


def fetch_rows(queryset: models.QuerySet) -> list[models.Model]:
    """Return the rows of ``queryset`` as saved instances, built like ``new_row``.

    Every concrete column is read through ``values_list`` (so each is converted as
    the ORM converts it) and set on an instance without ``Model.__init__``, which
    assigns field by field: for a manifest of thousands of rows that walk cost
    more than the query. No deferred fields, no ``post_init``.
    """
    model = queryset.model
    attnames = tuple(f.attname for f in model._meta.concrete_fields)
    alias = queryset.db
    rows = []
    for values in queryset.values_list(*attnames):
        obj = model.__new__(model)
        obj.__dict__.update(zip(attnames, values, strict=True))
        state = obj._state = ModelState()
        state.adding = False
        state.db = alias
        rows.append(obj)
    return rows


# --- Looking up many values ------------------------------------------------------


def any_of(model: type[models.Model], name: str, values: Iterable[Any]) -> RawSQL:
    """Return a filter: the field ``name`` of ``model`` holds one of ``values``.

    ``.filter(field__in=values)`` with thousands of values writes one placeholder
    each, and psycopg splits such a statement with its Python parser on every
    call (1 to 2 ms for 2,000 values): on PostgreSQL the values go as one array
    parameter (``= ANY(%s)``) instead; elsewhere the filter is an ``IN`` list.
    """
    values = list(values)
    field = model._meta.get_field(name)
    quote = connection.ops.quote_name
    column = f"{quote(model._meta.db_table)}.{quote(field.column)}"
    if connection.vendor == "postgresql":
        sql, param = equals_any(column, values)
        params = [param]
    elif values:
        sql, params = f"{column} IN ({', '.join(['%s'] * len(values))})", values
    else:
        sql, params = "1 = 0", []
    return RawSQL(sql, params, output_field=models.BooleanField())


# The largest integer a bigint holds.
_BIGINT = 2**63 - 1


def equals_any(column: str, values: list[Any]) -> tuple[str, Any]:
    """Return ``column = ANY(…)`` and its one parameter, for PostgreSQL.

    psycopg dumps a list parameter element by element in Python (0.7 ms for
    2,000 keys, 1.2 ms for 2,000 e-mail addresses, several lists a batch): a
    list of only integers or only strings goes instead as the text of an array,
    written here in a tenth of the time and cast by the server. Anything else
    goes as the list.
    """
    if values and all(type(v) is int for v in values):
        if min(values) >= -_BIGINT - 1 and max(values) <= _BIGINT:
            return f"{column} = ANY(%s::bigint[])", _array_text(map(str, values))
    elif values and all(type(v) is str for v in values):
        quoted = (
            '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values
        )
        return f"{column} = ANY(%s::text[])", _array_text(quoted)
    return f"{column} = ANY(%s)", values


def _array_text(elements: Iterable[str]) -> str:
    return "{" + ",".join(elements) + "}"


# --- Inserting ------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """What inserting rows of one model needs, worked out once per process.

    Working the fields, their converters and the statements out again on every
    call went through Django's connection proxy some forty times a call.
    """

    fields: tuple[models.Field, ...]
    attnames: tuple[str, ...]
    stamped: tuple[models.Field, ...]
    relations: tuple[models.Field, ...]
    # Per field: how its values are converted (see ``_converter``); None: as is.
    kinds: tuple[str | None, ...]
    insert_head: str
    row_sql: str
    insert_tail: str
    per_batch: int
    table: str
    copy_statement: str
    # PostgreSQL: the rows as one JSON parameter (see ``_statement``); else "".
    json_head: str
    # The primary key's attname, set as is (``_set_keys``); None: through ``pk``.
    key_attname: str | None


@cache
def _plan(model: type[models.Model], alias: str, vendor: str) -> _Plan:
    # ``alias`` and ``vendor`` only key the cache: the statements are the database's.
    meta = model._meta
    quote = connection.ops.quote_name
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    all_columns = ", ".join(quote(f.column) for f in (meta.pk, *fields))
    json_head = ""
    if vendor == "postgresql" and not any(
        f.get_internal_type() == "BinaryField" for f in fields
    ):
        values = ", ".join(f"(r.v->>{i})::{_read_as(f)}" for i, f in enumerate(fields))
        json_head = (
            f"INSERT INTO {table} ({columns}) SELECT {values}"
            " FROM json_array_elements(%s::json) AS r(v)"
        )
    return _Plan(
        fields=fields,
        attnames=tuple(f.attname for f in fields),
        stamped=tuple(f for f in fields if _pre_save(f)),
        relations=tuple(f for f in fields if f.is_relation),
        kinds=tuple(_kind(f) for f in fields),
        insert_head=f"INSERT INTO {table} ({columns}) VALUES ",
        row_sql="(" + ", ".join(["%s"] * len(fields)) + ")",
        insert_tail=f" RETURNING {quote(meta.pk.column)}",
        per_batch=max(1, min(MAX_ROWS, MAX_PARAMS // len(fields))),
        table=table,
        copy_statement=f"COPY {table} ({all_columns}) FROM STDIN",
        json_head=json_head,
        key_attname=None if meta.parents else meta.pk.attname,
    )


def _read_as(field: models.Field) -> str:
    """Return the type a column's text is cast to when read from JSON.

    Character columns are read as text: an explicit cast to ``varchar(n)`` would
    cut a long value silently, while the insert's own assignment to the column
    refuses it, as a VALUES list does.
    """
    db_type = field.db_type(connection)
    return "text" if db_type.startswith("varchar") else db_type


def _kind(field: models.Field) -> str | None:
    kind = field.get_internal_type()
    if kind in _PLAIN:
        return None
    if kind in ("DateTimeField", "DateField", "DurationField", "JSONField"):
        return kind
    return "other"


def _converter(field: models.Field, kind: str) -> Callable[[Any], Any] | None:
    """Return the function that turns a value into its column value; None: as is."""
    if kind in ("DateTimeField", "DateField") and connection.vendor == "postgresql":
        return date_texts()
    if kind == "DateTimeField":
        return _datetime_converter()
    if kind == "DateField":
        return connection.ops.adapt_datefield_value
    if kind == "JSONField":
        return _json_converter(field)
    return lambda value: field.get_db_prep_save(value, connection)


def _json_converter(field: models.Field) -> Callable[[Any], str | None]:
    """Return a JSON encoder that encodes each distinct object once per call.

    The rows of a batch often share one object (the entitlements of a group of
    like passengers, the words of a notification): it is encoded on its first row
    and its text reused, found by identity. The memo keeps the objects alive, so
    an identity cannot be reused by another object during the call.
    """
    # One encoder for the whole call: json.dumps(cls=...) builds one per value.
    encode = _encoder((json.JSONEncoder if field.encoder is None else field.encoder)())
    memo: dict[int, tuple[Any, str]] = {}

    def convert(value: Any) -> str | None:
        if value is None:
            return None
        found = memo.get(id(value))
        if found is None:
            found = memo[id(value)] = (value, encode(value))
        return found[1]

    return convert


class _Texts(dict):
    """The text of each date and time value, worked out once per call.

    A batch stamps its rows with a few instants (now, the due times), 15 values a
    disrupted passenger: a repeat costs a dictionary look-up. Only the texts
    ``_text_is_shared`` allows are kept. None stays None.
    """

    def __init__(self, to_text: Callable[[date], str]) -> None:
        super().__init__({None: None})
        self.to_text = to_text

    def __missing__(self, value: date) -> str:
        text = self.to_text(value)
        if _text_is_shared(value):
            self[value] = text
        return text


def _text_is_shared(value: date) -> bool:
    """Say whether every value equal to ``value`` has the same text.

    Not so for an aware time in a zone with daylight saving: two such times of one
    zone that differ only by ``fold`` (the repeated hour) are equal in Python, yet
    name different instants.
    """
    zone = getattr(value, "tzinfo", None)
    return zone is None or type(zone) is timezone


def date_texts() -> Callable[[date | None], str | None]:
    """Return a converter of dates and times to the text COPY sends on PostgreSQL.

    psycopg's own dumper sends ``str(value)`` too, but it is looked up and run for
    every value (about 1.3 µs each); the server reads the same text either way.
    Each distinct value is worked out once per converter (``_Texts``): for a
    caller that sends its own COPY rows too.
    """
    return _Texts(str).__getitem__


def _encoder(encoder: json.JSONEncoder) -> Callable[[Any], str]:
    """Return a function that encodes as ``encoder.encode`` does, set up once.

    ``JSONEncoder.encode`` builds its C encoder again for every value: about 2 µs
    of the 5 a case's creation event takes. Built here once per call, with the
    same settings, when the encoder is a plain one (its own ``encode``, no
    indent) and the C speedups are there; otherwise ``encoder.encode`` it is.
    The circular-reference check keeps its own table for the call.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    cls = type(encoder)
    if (
        make is None
        or encoder.indent is not None
        or cls.encode is not json.JSONEncoder.encode
        or cls.iterencode is not json.JSONEncoder.iterencode
    ):
        return encoder.encode
    escape = (
        json.encoder.encode_basestring_ascii
        if encoder.ensure_ascii
        else json.encoder.encode_basestring
    )
    try:
        chunks = make(
            {} if encoder.check_circular else None,
            encoder.default,
            escape,
            None,
            encoder.key_separator,
            encoder.item_separator,
            encoder.sort_keys,
            encoder.skipkeys,
            encoder.allow_nan,
        )
    except TypeError:
        # Another Python's private signature: the public way, as before.
        return encoder.encode
    return lambda value: "".join(chunks(value, 0))


def _datetime_converter() -> Callable[[datetime | None], Any]:
    """Return the converter of datetimes on SQLite: text in the connection's zone.

    (PostgreSQL takes ``date_texts``.) Each distinct value is worked out once per
    call (``_Texts``).
    """
    zone = connection.timezone
    adapt = connection.ops.adapt_datetimefield_value

    def to_text(value: datetime) -> str:
        if value.tzinfo is not None and value.utcoffset() is not None:
            return str(value.astimezone(zone).replace(tzinfo=None))
        return adapt(value)

    return _Texts(to_text).__getitem__


def _pre_save(field: models.Field) -> bool:
    return bool(
        getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    )


def insert_rows(objs: Sequence[models.Model]) -> None:
    """Insert unsaved objects of one model; set their primary keys, in order."""
    if not objs:
        return
    plan, converters = _prepare(objs)
    alias = connection.alias
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(objs) >= COPY_MIN_ROWS:
            _copy(cursor, plan, objs, converters)
        else:
            _insert(cursor, plan, objs, converters)
    for obj in objs:
        state = obj._state
        state.adding = False
        state.db = alias


def insert_new_rows(
    objs: Sequence[models.Model], unique: Sequence[str]
) -> list[models.Model]:
    """Insert the objects that clash with no stored row; return those inserted.

    ``unique`` names the columns (attnames) of the unique constraint that tells a
    repeat: a row whose values are stored already, by an earlier call or by a
    concurrent transaction, is skipped (``INSERT … ON CONFLICT DO NOTHING``)
    instead of failing the caller's transaction, and keeps no key. Objects
    repeating a key among themselves are inserted once.

    On PostgreSQL a batch of ``COPY_MIN_ROWS`` or more goes first by COPY inside a
    savepoint: a batch is nearly always new, and only a clash pays for the
    rollback to the savepoint and the careful insert after it.
    """
    if not objs:
        return []
    plan, converters = _prepare(objs)
    meta = type(objs[0])._meta
    pick = itemgetter(*unique)
    keys = map(pick, map(vars, objs))
    if len(unique) == 1:
        keys = ((key,) for key in keys)
    by_key = dict(zip(keys, objs, strict=True))
    objs = list(by_key.values())
    if connection.vendor == "postgresql" and len(objs) >= COPY_MIN_ROWS:
        try:
            with transaction.atomic():
                insert_rows(objs)
            return objs
        except IntegrityError:
            for obj in objs:
                obj.pk = None
    quote = connection.ops.quote_name
    returning = ", ".join(quote(meta.get_field(n).column) for n in unique)
    tail = f" ON CONFLICT DO NOTHING RETURNING {quote(meta.pk.column)}, {returning}"
    inserted = []
    with connection.cursor() as cursor:
        for start in range(0, len(objs), plan.per_batch):
            batch = objs[start : start + plan.per_batch]
            statement, params = _statement(plan, _rows(batch, plan, converters))
            cursor.execute(statement + tail, params)
            for pk, *key in cursor.fetchall():
                obj = by_key[tuple(key)]
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias
                inserted.append(obj)
    return inserted


def _prepare(objs: Sequence[models.Model]) -> tuple[_Plan, list]:
    """Stamp and link the objects; return their model's plan and converters."""
    plan = _plan(type(objs[0]), connection.alias, connection.vendor)
    for field in plan.stamped:
        for obj in objs:
            field.pre_save(obj, add=True)
    for field in plan.relations:
        _fill_foreign_keys(objs, field)
    # Kinds the driver takes as they are: timedeltas on PostgreSQL (SQLite stores
    # them as microseconds). Dates and times go as text everywhere (``_Texts``).
    native = set()
    if connection.features.has_native_duration_field:
        native.add("DurationField")
    converters = [
        (index, _converter(field, kind))
        for index, (field, kind) in enumerate(zip(plan.fields, plan.kinds, strict=True))
        if kind is not None and kind not in native
    ]
    return plan, converters


def _rows(batch, plan: _Plan, converters) -> list[list[Any]]:
    """Return the column values of each object, converted where a column needs it."""
    attnames = plan.attnames
    pick = itemgetter(*attnames)
    single = len(attnames) == 1
    rows = []
    for obj in batch:
        row = [pick(obj.__dict__)] if single else list(pick(obj.__dict__))
        for index, convert in converters:
            row[index] = convert(row[index])
        rows.append(row)
    return rows


def _insert(cursor, plan: _Plan, objs, converters) -> None:
    per_batch = plan.per_batch
    for start in range(0, len(objs), per_batch):
        batch = objs[start : start + per_batch]
        statement, params = _statement(plan, _rows(batch, plan, converters))
        cursor.execute(statement + plan.insert_tail, params)
        # Both SQLite and PostgreSQL return the rows of a VALUES list in order,
        # and PostgreSQL those of json_array_elements too; Django's own
        # bulk_create relies on the same (with unnest).
        _set_keys(plan, batch, [pk for (pk,) in cursor.fetchall()])


def _statement(plan: _Plan, rows: list[list[Any]]) -> tuple[str, list[Any]]:
    """Return the insert of ``rows`` (no RETURNING yet) and its parameters.

    On PostgreSQL the rows go as one JSON array of arrays, encoded by the json
    module's C encoder, and are read back by the server, each column cast from
    its text: the statement's text and its one parameter do not grow with the
    rows, so psycopg neither splits a VALUES list of hundreds of placeholders
    nor quotes each value in Python (together a fifth of a web worker's CPU on
    API intake). Elsewhere, a multi-row VALUES list.
    """
    if plan.json_head:
        return plan.json_head, [_encode_rows(rows)]
    params = [value for row in rows for value in row]
    return plan.insert_head + ", ".join([plan.row_sql] * len(rows)), params


def _as_text(value: Any) -> str:
    """Return the text the server reads a value of a non-JSON type from."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return f"{value.total_seconds()!r} seconds"
    return str(value)


_encode_rows = json.JSONEncoder(default=_as_text, ensure_ascii=False).encode


def _copy(cursor, plan: _Plan, objs, converters) -> None:
    """Send the rows with COPY, their keys drawn from the table's sequence first.

    COPY parses no statement and binds no parameters: on an import it costs a third
    of the multi-row INSERT it replaces.
    """
    meta = type(objs[0])._meta
    # The sequence is named once (a materialised CTE): written inside nextval()
    # it was looked up in the catalogue for every key, 2 µs of server CPU each.
    cursor.execute(
        "WITH s AS MATERIALIZED"
        " (SELECT pg_get_serial_sequence(%s, %s)::regclass AS sequence)"
        " SELECT nextval(s.sequence) FROM s, generate_series(1, %s)",
        [plan.table, meta.pk.column, len(objs)],
    )
    keys = sorted(pk for (pk,) in cursor.fetchall())
    rows = _rows(objs, plan, converters)
    # Errors of COPY come from psycopg itself: translate them into Django's (an
    # IntegrityError retries an intake batch).
    with connection.wrap_database_errors, cursor.copy(plan.copy_statement) as copy:
        for pk, row in zip(keys, rows, strict=True):
            copy.write_row([pk, *row])
    _set_keys(plan, objs, keys)


def _set_keys(plan: _Plan, objs: Sequence[models.Model], keys: list[Any]) -> None:
    """Set the objects' primary keys, in order.

    Straight into each instance's dict when the model has no parent model: the
    ``pk`` property costs a Python call a row (a child of a multi-table parent
    needs it, to set its parents' keys too).
    """
    attname = plan.key_attname
    if attname is None:
        for obj, pk in zip(objs, keys, strict=True):
            obj.pk = pk
        return
    for obj, pk in zip(objs, keys, strict=True):
        obj.__dict__[attname] = pk


def _fill_foreign_keys(objs: Sequence[models.Model], field: models.Field) -> None:
    """Copy the keys of related objects that were saved after being assigned."""
    attname, name = field.attname, field.cache_name
    for obj in objs:
        attributes = obj.__dict__
        if attributes.get(attname) is not None:
            continue
        related = obj._state.fields_cache.get(name)
        if related is None:
            continue
        if related.pk is None:
            raise ValueError(
                f"{type(obj).__name__}.{field.name} points at an unsaved row"
            )
        attributes[attname] = related.pk
