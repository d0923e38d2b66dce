"""``paxcare create-token USERNAME [--days N]``: issue an API token, print it once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from paxcare.accounts.demo import refused_outside_demo
from paxcare.accounts.services import issue_token

# Ten years: longer is a token that never expires in all but name, and an absurd
# count (999999999) would run past the last date a datetime can hold.
MAX_DAYS = 3650


def _days(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError as error:
        raise CommandError(f"--days must be a whole number, not {raw!r}.") from error
    if value < 1:
        raise CommandError("--days must be at least 1.")
    if value > MAX_DAYS:
        raise CommandError(
            f"--days must be at most {MAX_DAYS} (ten years); "
            "leave it out for a token that works until revoked."
        )
    return value


class Command(BaseCommand):
    help = "Issue an API token for a user. It is printed once; only its hash is kept."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for.")
        parser.add_argument(
            "--days",
            default=None,
            help=(
                f"Days the token works, 1 to {MAX_DAYS}; without it, until it is "
                "revoked."
            ),
        )

    def handle(self, *args, **options) -> None:
        days = _days(options["days"]) if options["days"] is not None else None
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"User {user.get_username()!r} is not active.")
        if refused_outside_demo(user):
            raise CommandError(
                f"{user.get_username()!r} is a demo account; it works only in demo "
                "mode (PAXCARE_DEMO=1)."
            )
        token, secret = issue_token(user, name=options["name"], days=days)
        until = (
            f"valid until {token.expires_at:%Y-%m-%d %H:%M} UTC"
            if token.expires_at
            else "valid until revoked"
        )
        self.stderr.write(
            f"Token {token.key_prefix}… for {user.get_username()}, {until}. "
            "Store it now: it cannot be shown again."
        )
        self.stdout.write(secret)
