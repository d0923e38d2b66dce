"""The portal's look-up limit: a fixed window per client address (paxcare.ratelimit).

Ten case lookups per ten minutes are plenty for a passenger who mistyped a number and
far too few to walk the 6.6e11 case numbers. The count is shared by every process.
"""

from django.http import HttpRequest

from paxcare import ratelimit
from paxcare.ratelimit import client_address

TRACK_LIMIT = 10
TRACK_WINDOW_SECONDS = 10 * 60

__all__ = ["TRACK_LIMIT", "TRACK_WINDOW_SECONDS", "allow", "allow_tracking"]


def allow(request: HttpRequest, scope: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt; return False once the window's limit is spent."""
    verdict = ratelimit.hit(scope, client_address(request), limit, window_seconds)
    return verdict.allowed


def allow_tracking(request: HttpRequest) -> bool:
    return allow(request, "track", TRACK_LIMIT, TRACK_WINDOW_SECONDS)
