"""Fixed-window attempt counters, kept in the shared cache so that every process counts
the same attempts (Redis when configured, else the database: ``paxcare.cache``).

A window is a numbered slice of time (``now // window``), so a counter never needs
resetting: the next window has its own key, and the old one expires. The counter
counts with ``cache.incr`` and starts with ``cache.add``, both atomic on the
configured backends, so two workers counting at once never both see the same number.
"""

import hashlib
import math
import threading
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int
    """Seconds until the window ends and counting starts again."""


def client_address(request: HttpRequest) -> str:
    """Return the address a request came from.

    REMOTE_ADDR, not X-Forwarded-For: a client writes that header itself. Behind a
    proxy, the proxy must set REMOTE_ADDR (gunicorn's forwarded-allow-ips).
    """
    return request.META.get("REMOTE_ADDR", "unknown")


def _window(window_seconds: int, now: float | None) -> tuple[int, int]:
    now = time.time() if now is None else now
    index = int(now // window_seconds)
    retry_after = max(1, math.ceil((index + 1) * window_seconds - now))
    return index, retry_after


def _key(scope: str, ident: str, index: int) -> str:
    # Hashed: usernames and addresses may hold characters a cache key must not.
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    return f"paxcare:ratelimit:{scope}:{digest}:{index}"


def hit(
    scope: str, ident: str, limit: int, window_seconds: int, now: float | None = None
) -> Verdict:
    """Count one attempt of ``ident``; refuse it once the window's limit is spent."""
    index, retry_after = _window(window_seconds, now)
    key = _key(scope, ident, index)
    # Counting first: a window's first attempt pays for the add, the others do not.
    try:
        count = cache.incr(key)
    except ValueError:
        count = _start_window(key, window_seconds)
    return Verdict(allowed=count <= limit, count=count, retry_after=retry_after)


def _start_window(key: str, window_seconds: int) -> int:
    # A little longer than the window: the key must outlive the window it counts.
    if cache.add(key, 1, timeout=window_seconds + 60):
        return 1
    # Another process started the window between our incr and add.
    try:
        return cache.incr(key)
    except ValueError:
        # Evicted in between (a full cache): this attempt counts as the first.
        return 1


def spent(
    scope: str, ident: str, limit: int, window_seconds: int, now: float | None = None
) -> Verdict | None:
    """Return a refusal if the window's limit is already spent, without counting."""
    index, retry_after = _window(window_seconds, now)
    count = cache.get(_key(scope, ident, index), 0)
    if count >= limit:
        return Verdict(allowed=False, count=count, retry_after=retry_after)
    return None


def forget(
    scope: str, ident: str, window_seconds: int, now: float | None = None
) -> None:
    """Drop the current window's count, e.g. after a successful sign-in."""
    index, _retry_after = _window(window_seconds, now)
    cache.delete(_key(scope, ident, index))


class ApiThrottle(BaseThrottle):
    """A django-ninja throttle over ``hit``: per account, or per address if anonymous.

    One instance serves every thread of a worker, so the last refusal's wait is kept
    per thread for ``wait()``.
    """

    def __init__(self, scope: str, limit: int, window_seconds: int):
        self.scope = scope
        self.limit = limit
        self.window_seconds = window_seconds
        self._last = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        user = getattr(request, "auth", None)
        ident = f"user:{user.pk}" if user is not None else client_address(request)
        verdict = hit(self.scope, ident, self.limit, self.window_seconds)
        self._last.retry_after = verdict.retry_after
        return verdict.allowed

    def wait(self) -> float | None:
        return getattr(self._last, "retry_after", None)
