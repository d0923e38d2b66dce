"""``paxcare create-token USERNAME``: issue an API token and print it, once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from paxcare.accounts.models import ApiToken


class Command(BaseCommand):
    help = "Issue an API token for a user. It is printed once; only its hash is kept."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for.")

    def handle(self, *args, **options) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"User {user.get_username()!r} is not active.")
        token, secret = ApiToken.issue(user, name=options["name"])
        self.stderr.write(
            f"Token {token.key_prefix}… for {user.get_username()}. "
            "Store it now: it cannot be shown again."
        )
        self.stdout.write(secret)
