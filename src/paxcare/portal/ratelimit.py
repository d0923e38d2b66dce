"""A fixed-window limit per client address, kept in Django's cache.

Ten case lookups per ten minutes are plenty for a passenger who mistyped a number and
far too few to walk the 6.6e11 case numbers.
"""

from django.core.cache import cache
from django.http import HttpRequest

TRACK_LIMIT = 10
TRACK_WINDOW_SECONDS = 10 * 60


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR, not X-Forwarded-For: a client writes that header itself. Behind a
    # proxy, the proxy must set REMOTE_ADDR (gunicorn's forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR", "unknown")


def allow(request: HttpRequest, scope: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt; return False once the window's limit is spent."""
    key = f"paxcare:ratelimit:{scope}:{client_address(request)}"
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:
        # The window expired between add and incr: this attempt opens a new one.
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit


def allow_tracking(request: HttpRequest) -> bool:
    return allow(request, "track", TRACK_LIMIT, TRACK_WINDOW_SECONDS)
