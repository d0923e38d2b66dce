"""Aggregates the KPIs need beyond Django's own: a median, and seconds between times.

``Median`` is ``PERCENTILE_CONT(0.5)`` on PostgreSQL and an aggregate function of
our own on SQLite (registered on every new connection); both give the middle value,
or the mean of the two middle values for an even count, so a median per group stays
one GROUP BY query on either database.
"""

from django.db.backends.signals import connection_created
from django.db.models import Aggregate, F, FloatField, Func


class Median(Aggregate):
    """The median of a numeric expression; NULLs are left out."""

    name = "Median"
    function = "PAXCARE_MEDIAN"
    output_field = FloatField()
    allow_distinct = False

    def as_postgresql(self, compiler, connection, **extra_context):
        # A copy with its own template, so that a FILTER clause still wraps it.
        ordered = self.copy()
        ordered.template = (
            "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
        )
        return ordered.as_sql(compiler, connection, **extra_context)


class SecondsBetween(Func):
    """Seconds from the ``earlier`` to the ``later`` datetime column (a float)."""

    output_field = FloatField()

    def __init__(self, later: str, earlier: str, **extra):
        super().__init__(F(later), F(earlier), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        later, earlier = self.source_expressions
        later_sql, later_params = compiler.compile(later)
        earlier_sql, earlier_params = compiler.compile(earlier)
        sql = f"((julianday({later_sql}) - julianday({earlier_sql})) * 86400.0)"
        return sql, (*later_params, *earlier_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        later, earlier = self.source_expressions
        later_sql, later_params = compiler.compile(later)
        earlier_sql, earlier_params = compiler.compile(earlier)
        sql = f"EXTRACT(EPOCH FROM ({later_sql} - {earlier_sql}))::float"
        return sql, (*later_params, *earlier_params)


class _SqliteMedian:
    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        if not self.values:
            return None
        ordered = sorted(self.values)
        n = len(ordered)
        return (ordered[(n - 1) // 2] + ordered[n // 2]) / 2


def _register_sqlite_median(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("PAXCARE_MEDIAN", 1, _SqliteMedian)


def connect() -> None:
    """Register the SQLite median on every new connection."""
    connection_created.connect(
        _register_sqlite_median, dispatch_uid="paxcare.insights.sqlite_median"
    )
