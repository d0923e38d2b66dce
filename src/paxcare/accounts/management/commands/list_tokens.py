"""``paxcare list-tokens [USERNAME]``: API tokens, their expiry and their last use.

Only the prefix of a token is known after it was issued; it is enough to tell tokens
apart and to revoke the right one in the admin.
"""

from datetime import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from paxcare.accounts.models import ApiToken


def _when(moment: datetime | None, never: str) -> str:
    if moment is None:
        return never
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


class Command(BaseCommand):
    help = "List API tokens: prefix, user, name, created, expires, last used, state."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", nargs="?", help="Only this user's tokens.")

    def handle(self, *args, **options) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("created_at", "pk")
        if options["username"]:
            tokens = tokens.filter(user__username=options["username"])
        now = timezone.now()
        rows = [("token", "user", "name", "created", "expires", "last used", "state")]
        for token in tokens:
            rows.append(
                (
                    f"{token.key_prefix}…",
                    token.user.get_username(),
                    token.name or "-",
                    _when(token.created_at, "-"),
                    _when(token.expires_at, "never"),
                    _when(token.last_used_at, "never"),
                    _state(token, now),
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write(line.rstrip())


def _state(token: ApiToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.is_expired(now):
        return "expired"
    return "active"
