"""Index the search text (document and travel references) instead of the document.

``cases.search`` now matches a case's search document followed by its flight
number, booking reference and e-ticket number (``SEARCH_TEXT_SQL``), so the GIN
index is built over that expression. The rows are not touched: the references are
columns already, so no document is rewritten, and the migration costs one index
build. On PostgreSQL the new index is built CONCURRENTLY before the old one is
dropped, so cases keep being written and searched while it builds (a non-atomic
migration: CONCURRENTLY cannot run in a transaction). SQLite has no GIN and
searches by LIKE.
"""

from django.db import migrations

OLD_INDEX = "cases_search_document_gin"
SEARCH_INDEX = "cases_search_text_gin"
# Written out, not imported from cases.search: a migration keeps the expression it
# built, whatever the module says later.
SEARCH_TEXT_SQL = (
    "search_document || ' ' || lower(flight_number || ' ' || booking_reference"
    " || ' ' || ticket_number || ' ' || replace(ticket_number, '-', ''))"
)


def create_search_index(apps, schema_editor, *, concurrently: bool = False):
    """Build the search text's GIN index (on PostgreSQL; a no-op elsewhere).

    Plain by default, as a bulk load that drops the index and builds it once at the
    end wants it (inside a transaction); the migration builds it CONCURRENTLY.
    """
    if schema_editor.connection.vendor != "postgresql":
        return
    how = "CONCURRENTLY " if concurrently else ""
    # An interrupted CONCURRENTLY build leaves an invalid index of that name behind.
    schema_editor.execute(f"DROP INDEX {how}IF EXISTS {SEARCH_INDEX}")
    schema_editor.execute(
        f"CREATE INDEX {how}{SEARCH_INDEX} ON cases_case "
        f"USING gin (to_tsvector('simple', {SEARCH_TEXT_SQL}))"
    )


def drop_search_index(apps, schema_editor, *, concurrently: bool = False):
    if schema_editor.connection.vendor == "postgresql":
        how = "CONCURRENTLY " if concurrently else ""
        schema_editor.execute(f"DROP INDEX {how}IF EXISTS {SEARCH_INDEX}")


def replace_document_index(apps, schema_editor):
    create_search_index(apps, schema_editor, concurrently=True)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {OLD_INDEX}")


def restore_document_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {OLD_INDEX} ON cases_case "
        "USING gin (to_tsvector('simple', search_document))"
    )
    drop_search_index(apps, schema_editor, concurrently=True)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("cases", "0006_partial_indexes_for_rare_rows"),
    ]

    operations = [
        migrations.RunPython(replace_document_index, restore_document_index),
    ]
