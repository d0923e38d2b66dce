"""Fast multi-row inserts for the bulk paths (imports, proactive cases, clocks).

``Model.objects.bulk_create`` prepares every value through the whole field machinery
and compiles the statement in Python; on an import that costs more than the database
does. ``insert_rows`` picks one converter per column up front, sends one multi-row
``INSERT … RETURNING id`` per batch, and sets each object's primary key. It skips
signals and ``save()`` like ``bulk_create`` does; callers pass fully built objects.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

# Column values per statement: SQLite's limit is 32,766 parameters; 500 rows of a
# 30-column case stay well under it, and larger batches gained nothing measurable.
MAX_PARAMS = 15_000
MAX_ROWS = 500

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


def _converter(field: models.Field) -> Callable[[Any], Any]:
    kind = field.get_internal_type()
    ops = connection.ops
    if kind in _PLAIN:
        return lambda value: value
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "JSONField":
        return lambda value: ops.adapt_json_value(value, field.encoder)
    return lambda value: field.get_db_prep_save(value, connection)


def _pre_save(field: models.Field) -> bool:
    return bool(
        getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    )


def insert_rows(objs: Sequence[models.Model]) -> None:
    """Insert unsaved objects of one model; set their primary keys, in order."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    converters = [_converter(f) for f in fields]
    attnames = [f.attname for f in fields]
    stamped = [f for f in fields if _pre_save(f)]
    relations = [f for f in fields if f.is_relation]
    for obj in objs:
        for field in stamped:
            field.pre_save(obj, add=True)
        _fill_foreign_keys(obj, relations)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_batch = max(1, min(MAX_ROWS, MAX_PARAMS // len(fields)))
    head = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "
    tail = f" RETURNING {quote(meta.pk.column)}"
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_batch):
            batch = objs[start : start + per_batch]
            params: list[Any] = []
            for obj in batch:
                values = obj.__dict__
                params.extend(
                    convert(values[name])
                    for convert, name in zip(converters, attnames, strict=True)
                )
            cursor.execute(head + ", ".join([row_sql] * len(batch)) + tail, params)
            # Both SQLite and PostgreSQL return the rows of a VALUES list in order;
            # Django's own bulk_create relies on the same.
            for obj, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias


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
