"""Use cases of accounts: API tokens, who they let in."""

from datetime import timedelta

from django.utils import timezone

from paxcare.accounts.demo import refused_outside_demo
from paxcare.accounts.models import ApiToken, hash_token


def issue_token(user, *, name: str = "", days: int | None = None):
    """Issue a token for ``user``, valid for ``days`` days or until revoked."""
    expires_at = timezone.now() + timedelta(days=days) if days else None
    return ApiToken.issue(user, name=name, expires_at=expires_at)


def authenticate_token(raw: str):
    """Return the user a bearer token stands for, or None.

    None for an unknown, revoked or expired token, an inactive user, and a demo
    account outside demo mode. A working token records when it was last used.
    """
    if not raw:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or token.is_expired(now):
        return None
    user = token.user
    if not user.is_active or refused_outside_demo(user):
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user
