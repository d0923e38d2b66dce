"""Fast building and inserting of many rows for the bulk paths (imports, clocks).

``Model.objects.bulk_create`` prepares every value through the whole field machinery
and compiles the statement in Python; on an import that costs more than the database
does. Two helpers take that cost out of the hot loops:

- ``new_row`` builds an unsaved instance from a dict of column values (and related
  objects to cache), without the per-field walk of ``Model.__init__``: a timeline
  event costs 2 µs instead of 15;
- ``insert_rows`` picks one converter per column up front, then sends the rows with
  ``COPY … FROM STDIN`` on PostgreSQL (primary keys taken from the table's sequence
  first) when there are many, as multi-row ``INSERT … RETURNING id`` otherwise, and
  sets each object's primary key.

Both skip signals and ``save()`` like ``bulk_create`` does: callers pass fully built
objects of models whose fields need no ``pre_init``/``post_init`` hooks.
"""

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import cache
from operator import itemgetter
from typing import Any

from django.db import connection, models
from django.db.models.base import ModelState

# Column values per statement: SQLite's limit is 32,766 parameters; 500 rows of a
# 30-column case stay well under it, and larger batches gained nothing measurable.
MAX_PARAMS = 15_000
MAX_ROWS = 500

# COPY needs a round trip for the keys before it; below this many rows one INSERT,
# one round trip, is as quick.
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
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}


# --- Building -------------------------------------------------------------------


@cache
def _defaults(model: type[models.Model]) -> tuple[dict, tuple, dict]:
    """Return a model's static defaults, its callable defaults and its relations."""
    static: dict[str, Any] = {}
    dynamic: list[tuple[str, models.Field]] = []
    relations: dict[str, str] = {}
    for field in model._meta.concrete_fields:
        if field.has_default() and callable(field.default):
            dynamic.append((field.attname, field))
        else:
            static[field.attname] = field.get_default()
        if field.is_relation:
            relations[field.name] = field.attname
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
    obj = model.__new__(model)
    attributes = obj.__dict__
    attributes.update(static)
    for attname, field in dynamic:
        if attname not in values:
            attributes[attname] = field.get_default()
    attributes.update(values)
    state = obj._state = ModelState()
    if related:
        cached = state.fields_cache
        for name, other in related.items():
            cached[name] = other
            attributes[relations[name]] = other.pk if other is not None else None
    return obj


# --- Inserting ------------------------------------------------------------------


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """Return the function that turns a value into its column value; None: as is."""
    kind = field.get_internal_type()
    ops = connection.ops
    if kind in _PLAIN:
        return None
    if kind == "DateTimeField":
        return _datetime_converter()
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "JSONField":
        encoder = field.encoder
        return lambda value: None if value is None else json.dumps(value, cls=encoder)
    return lambda value: field.get_db_prep_save(value, connection)


def _datetime_converter() -> Callable[[datetime | None], Any]:
    """Return a converter for datetimes; on SQLite, text in the connection's zone.

    An import stamps a whole batch with the same few instants (now, the due times),
    so the text of each instant is worked out once per call.
    """
    if connection.features.supports_timezones:
        return lambda value: value
    zone = connection.timezone
    adapt = connection.ops.adapt_datetimefield_value
    texts: dict[datetime, str] = {}

    def convert(value: datetime | None) -> str | None:
        if value is None:
            return None
        text = texts.get(value)
        if text is None:
            if value.tzinfo is not None and value.utcoffset() is not None:
                text = str(value.astimezone(zone).replace(tzinfo=None))
            else:
                text = adapt(value)
            texts[value] = text
        return text

    return convert


def _pre_save(field: models.Field) -> bool:
    return bool(
        getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    )


def insert_rows(objs: Sequence[models.Model]) -> None:
    """Insert unsaved objects of one model; set their primary keys, in order."""
    if not objs:
        return
    meta = type(objs[0])._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    stamped = [f for f in fields if _pre_save(f)]
    relations = [f for f in fields if f.is_relation]
    for obj in objs:
        for field in stamped:
            field.pre_save(obj, add=True)
        _fill_foreign_keys(obj, relations)
    converters = [_converter(f) for f in fields]
    attnames = [f.attname for f in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(objs) >= COPY_MIN_ROWS:
            _copy(cursor, meta, fields, objs, converters, attnames)
        else:
            _insert(cursor, meta, fields, objs, converters, attnames)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def _rows(batch, converters, attnames) -> list[list[Any]]:
    """Return the column values of each object, converted where a column needs it."""
    pick = itemgetter(*attnames)
    converting = [(i, c) for i, c in enumerate(converters) if c is not None]
    rows = []
    for obj in batch:
        row = list(pick(obj.__dict__)) if len(attnames) > 1 else [pick(obj.__dict__)]
        for index, convert in converting:
            row[index] = convert(row[index])
        rows.append(row)
    return rows


def _insert(cursor, meta, fields, objs, converters, attnames) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_batch = max(1, min(MAX_ROWS, MAX_PARAMS // len(fields)))
    head = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "
    tail = f" RETURNING {quote(meta.pk.column)}"
    for start in range(0, len(objs), per_batch):
        batch = objs[start : start + per_batch]
        params = [value for row in _rows(batch, converters, attnames) for value in row]
        cursor.execute(head + ", ".join([row_sql] * len(batch)) + tail, params)
        # Both SQLite and PostgreSQL return the rows of a VALUES list in order;
        # Django's own bulk_create relies on the same.
        for obj, (pk,) in zip(batch, cursor.fetchall(), strict=True):
            obj.pk = pk


def _copy(cursor, meta, fields, objs, converters, attnames) -> None:
    """Send the rows with COPY, their keys drawn from the table's sequence first.

    COPY parses no statement and binds no parameters: on an import it costs a third
    of the multi-row INSERT it replaces.
    """
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [table, meta.pk.column, len(objs)],
    )
    keys = sorted(pk for (pk,) in cursor.fetchall())
    columns = ", ".join(quote(f.column) for f in [meta.pk, *fields])
    rows = _rows(objs, converters, attnames)
    # Errors of COPY come from psycopg itself: translate them into Django's (an
    # IntegrityError retries an intake batch).
    statement = f"COPY {table} ({columns}) FROM STDIN"
    with connection.wrap_database_errors, cursor.copy(statement) as copy:
        for pk, row in zip(keys, rows, strict=True):
            copy.write_row([pk, *row])
    for obj, pk in zip(objs, keys, strict=True):
        obj.pk = pk


def _fill_foreign_keys(obj: models.Model, relations: list[models.Field]) -> None:
    """Copy the keys of related objects that were saved after being assigned."""
    for field in relations:
        if obj.__dict__.get(field.attname) is not None or not field.is_cached(obj):
            continue
        related = field.get_cached_value(obj)
        if related is None:
            continue
        if related.pk is None:
            raise ValueError(
                f"{type(obj).__name__}.{field.name} points at an unsaved row"
            )
        obj.__dict__[field.attname] = related.pk
