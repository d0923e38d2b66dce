"""Carry the whole minutes of the old columns over to the exact durations.

One UPDATE per column, in SQL: a table of millions of clocks is not read into Python.
PostgreSQL keeps a duration as an interval; SQLite as whole microseconds.
"""

from django.db import migrations

MICROSECONDS_PER_MINUTE = 60_000_000

FORWARD = {
    "postgresql": (
        "UPDATE sla_clock SET paused_time = paused_minutes * interval '1 minute' "
        "WHERE paused_minutes > 0",
        "UPDATE sla_clock SET remaining_time = remaining_minutes * interval '1 minute' "
        "WHERE remaining_minutes IS NOT NULL",
    ),
    "other": (
        f"UPDATE sla_clock SET paused_time = paused_minutes * {MICROSECONDS_PER_MINUTE} "
        "WHERE paused_minutes > 0",
        "UPDATE sla_clock SET remaining_time = "
        f"remaining_minutes * {MICROSECONDS_PER_MINUTE} "
        "WHERE remaining_minutes IS NOT NULL",
    ),
}

BACKWARD = {
    "postgresql": (
        "UPDATE sla_clock SET paused_minutes = "
        "floor(extract(epoch FROM paused_time) / 60)",
        "UPDATE sla_clock SET remaining_minutes = "
        "trunc(extract(epoch FROM remaining_time) / 60) "
        "WHERE remaining_time IS NOT NULL",
    ),
    "other": (
        f"UPDATE sla_clock SET paused_minutes = paused_time / {MICROSECONDS_PER_MINUTE}",
        "UPDATE sla_clock SET remaining_minutes = "
        f"remaining_time / {MICROSECONDS_PER_MINUTE} "
        "WHERE remaining_time IS NOT NULL",
    ),
}


def _run(statements: dict, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in statements.get(vendor, statements["other"]):
        schema_editor.execute(sql)


def copy_minutes(apps, schema_editor) -> None:
    _run(FORWARD, schema_editor)


def copy_back(apps, schema_editor) -> None:
    _run(BACKWARD, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0005_clock_paused_time_and_remaining_time"),
    ]

    operations = [
        migrations.RunPython(copy_minutes, copy_back, elidable=True),
    ]
