"""Rows that change rarely, read once per process instead of once per request.

Every API request used to read the same rule rows (categories, routes, SLA policies,
calendars, the active classifier version) and the caller's token, user and agent
profile: half of its queries. ``RowCache`` keeps what a loader returns until the
rows change. One *generation* stands for all of them:

- a save or delete of a watched model (``WATCHED``) moves this process to a new
  generation at once, and every process when the writing transaction commits: the
  commit writes a fresh token under ``SHARED_KEY`` in the shared cache (the
  database table or Redis), and each process compares that token with the one it
  knows at most every ``CHECK_SECONDS``;
- a change that sends no signal (``QuerySet.update``, SQL by hand) is seen after
  ``MAX_AGE_SECONDS`` at the latest; code that makes such changes on purpose calls
  ``rows_changed()`` itself.

Cached model instances are shared by the request threads of a process: callers read
them and never change them.
"""

import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)
T = TypeVar("T")

SHARED_KEY = "paxcare:rowcache:generation"
# How often a process asks whether another process changed the rows.
CHECK_SECONDS = 1.0
# The longest a loaded value is kept, whatever the generation says.
MAX_AGE_SECONDS = 60.0

_MISSING = object()


class _Generation:
    """This process's view of the generation: a local counter and the shared token."""

    def __init__(self) -> None:
        self.local = 0
        self.shared: object = _MISSING
        self.checked_at = float("-inf")
        self.lock = threading.Lock()

    def current(self) -> tuple[int, object]:
        now = time.monotonic()
        if now - self.checked_at >= CHECK_SECONDS:
            try:
                shared = cache.get(SHARED_KEY)
            except Exception:
                # The shared cache is down: keep what is cached, up to its age.
                logger.warning("rowcache: the shared generation cannot be read")
                shared = self.shared
            with self.lock:
                self.shared, self.checked_at = shared, now
        return self.local, self.shared

    def bump(self) -> None:
        with self.lock:
            self.local += 1


_generation = _Generation()


class RowCache(Generic[T]):
    """The value of ``loader()``, loaded again once the rows may have changed."""

    def __init__(self, loader: Callable[[], T]) -> None:
        self.loader = loader
        self._entry: tuple[tuple[int, object], float, T] | None = None

    def get(self) -> T:
        """Return the cached value, loading it when the generation moved on."""
        key = _generation.current()
        entry = self._entry
        now = time.monotonic()
        if entry is not None and entry[0] == key and now - entry[1] < MAX_AGE_SECONDS:
            return entry[2]
        # The key is taken before loading: a change during the load is not missed.
        value = self.loader()
        self._entry = (key, now, value)
        return value


def rows_changed() -> None:
    """Drop what this process cached; tell every process once the change commits."""
    _generation.bump()
    transaction.on_commit(_publish)


def _publish() -> None:
    _generation.bump()
    try:
        cache.set(SHARED_KEY, secrets.token_hex(8), timeout=None)
    except Exception:
        # The change is committed; other processes see it within MAX_AGE_SECONDS.
        logger.warning("rowcache: the shared generation cannot be written")


def clear() -> None:
    """Drop every cached value of this process, as if the rows had changed.

    Tests call it between tests (whose rows are rolled back without a signal). The
    shared token counts as read just now: no query is added to what a test counts.
    """
    _generation.bump()
    with _generation.lock:
        _generation.checked_at = time.monotonic()


def _on_change(sender, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= IGNORED_FIELDS.get(
        sender, frozenset()
    ):
        return
    rows_changed()


def _on_m2m_change(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        rows_changed()


# The models whose rows some process keeps, with the fields whose saves alone leave
# the kept rows as they were (a sign-in saves the user's ``last_login``).
WATCHED: dict[str, tuple[str, ...]] = {
    "triage.Category": (),
    "triage.ClassifierVersion": (),
    "routing.CategoryRoute": (),
    "routing.Department": (),
    "routing.Agent": ("last_assigned_at",),
    "sla.SlaPolicy": (),
    "sla.BusinessCalendar": (),
    "accounts.ApiToken": ("last_used_at",),
    settings.AUTH_USER_MODEL: ("last_login",),
}
IGNORED_FIELDS: dict[type, frozenset[str]] = {}


def connect() -> None:
    """Watch every model of ``WATCHED``, and the users' group memberships.

    Called by the accounts app when Django starts, so that every process, a
    management command's too, tells the others of the changes it makes.
    """
    for label, ignored in WATCHED.items():
        model = apps.get_model(label)
        IGNORED_FIELDS[model] = frozenset(ignored)
        uid = f"rowcache:{label}"
        post_save.connect(_on_change, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(_on_change, sender=model, weak=False, dispatch_uid=uid)
    groups = apps.get_model(settings.AUTH_USER_MODEL).groups.through
    m2m_changed.connect(
        _on_m2m_change, sender=groups, weak=False, dispatch_uid="rowcache:groups"
    )
