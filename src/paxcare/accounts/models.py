import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "pxc_"


def hash_token(raw: str) -> str:
    """Return the stored form of a token: SHA-256 of the whole secret.

    Tokens carry 256 bits of randomness, so a fast hash is enough; a slow password hash
    would only slow every API call.
    """
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its hash is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        _("expires"),
        null=True,
        blank=True,
        help_text=_("Blank: the token works until it is revoked."),
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.user})"

    @classmethod
    def issue(
        cls, user, name: str = "", expires_at: datetime | None = None
    ) -> tuple["ApiToken", str]:
        """Create a token for ``user``; return it with the secret, shown only once."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            key_prefix=raw[:12],
            key_hash=hash_token(raw),
            expires_at=expires_at,
        )
        return token, raw

    def is_expired(self, at: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= at
