"""Use cases of accounts: API tokens, who they let in.

A request's token check costs no query in the common case: the tokens that were
used, with their users and agent profiles, are kept per process (``paxcare.rowcache``:
a save of a token, user or agent profile, or a change of group membership, drops
them in every process), and ``last_used_at`` is written at most once a minute per
token. Each request gets its own copy of the user, so that what one request caches
on it (permissions, say) never reaches another.
"""

import copy
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from paxcare.accounts.demo import is_demo_account
from paxcare.accounts.models import ApiToken, hash_token
from paxcare.rowcache import RowCache, rows_changed

# ``last_used_at`` says when a token was last used to the minute: writing it on
# every request cost an UPDATE (and a row version) per API call.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Working tokens kept per process; past this many the cache starts again.
MAX_KNOWN_TOKENS = 10_000


def issue_token(user, *, name: str = "", days: int | None = None):
    """Issue a token for ``user``, valid for ``days`` days or until revoked."""
    expires_at = timezone.now() + timedelta(days=days) if days else None
    return ApiToken.issue(user, name=name, expires_at=expires_at)


def revoke_tokens(queryset) -> int:
    """Revoke the tokens of ``queryset`` not revoked yet; return how many."""
    count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    rows_changed()
    return count


@dataclass
class _Known:
    """A working token as last read: what a request needs to let its user in."""

    token_id: int
    user: object
    expires_at: datetime | None
    demo: bool
    # When this process last wrote (or found) ``last_used_at``.
    used_written_at: datetime | None


_lock = threading.Lock()
_known: RowCache[dict[str, _Known]] = RowCache(dict)


def authenticate_token(raw: str):
    """Return the user a bearer token stands for, or None.

    None for an unknown, revoked or expired token, an inactive user, and a demo
    account outside demo mode. A working token records when it was last used, to
    the minute.
    """
    if not raw:
        return None
    key = hash_token(raw)
    known = _known.get()
    entry = known.get(key)
    if entry is None:
        # Unknown and revoked tokens are not kept: guesses must not fill the cache.
        entry = _read_token(key)
        if entry is None:
            return None
        if len(known) >= MAX_KNOWN_TOKENS:
            known.clear()
        known[key] = entry
    now = timezone.now()
    if entry.expires_at is not None and entry.expires_at <= now:
        return None
    user = entry.user
    if not user.is_active or (entry.demo and not settings.DEMO_MODE):
        return None
    _note_use(entry, now)
    return copy.copy(user)


def _read_token(key: str) -> _Known | None:
    token = (
        ApiToken.objects.select_related("user", "user__agent")
        .filter(key_hash=key, revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    user = token.user
    return _Known(
        token_id=token.pk,
        user=user,
        expires_at=token.expires_at,
        demo=is_demo_account(user),
        used_written_at=token.last_used_at,
    )


def _note_use(entry: _Known, now: datetime) -> None:
    """Write ``last_used_at`` unless this minute's use is written already."""
    written = entry.used_written_at
    if written is not None and now - written < LAST_USED_RESOLUTION:
        return
    with _lock:
        if entry.used_written_at is written:
            entry.used_written_at = now
        else:
            return  # another request thread is writing it
    # The condition keeps several processes from writing the same minute twice.
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION),
        pk=entry.token_id,
    ).update(last_used_at=now)
