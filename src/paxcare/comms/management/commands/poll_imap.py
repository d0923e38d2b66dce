"""``paxcare poll-imap``: read the configured IMAP mailbox once and file new mail."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from paxcare.comms.imap import poll


class Command(BaseCommand):
    help = "Read new mail from the configured IMAP mailbox and file it."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args, **options):
        if not settings.COMMS_IMAP_HOST:
            raise CommandError("PAXCARE_IMAP_HOST is not set.")
        count = poll(limit=options["limit"])
        self.stdout.write(f"{count} message(s) read")
