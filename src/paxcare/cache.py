"""The embedded default's cache: one table in the database, shared by every process.

``paxcare serve`` runs several gunicorn workers; a per-process memory cache would give
each worker its own rate-limit counters, so a limit of ten would let through ten per
worker. Django's database cache is shared, but its ``incr`` reads and writes in two
steps, so two workers counting at once could both write the same number. Here
``incr`` reads and writes under a lock: the row's lock on PostgreSQL, the write lock
that every SQLite transaction takes at its start (``transaction_mode`` IMMEDIATE).

The table is created by a migration of the accounts app (``CACHE_TABLE``), so that
``migrate`` is the only set-up step.
"""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.utils.timezone import now as tz_now

CACHE_TABLE = "paxcare_cache"


class SharedDatabaseCache(DatabaseCache):
    """Django's database cache with an ``incr`` that no two processes interleave."""

    def incr(self, key, delta: int = 1, version=None) -> int:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0))
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('value')} FROM {table} "
                f"WHERE {quote('cache_key')} = %s AND {quote('expires')} > %s{lock}",
                [key, now],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            stored = connection.ops.process_clob(row[0])
            value = pickle.loads(base64.b64decode(stored.encode())) + delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol))
            cursor.execute(
                f"UPDATE {table} SET {quote('value')} = %s "
                f"WHERE {quote('cache_key')} = %s",
                [encoded.decode("latin1"), key],
            )
        return value
