"""``paxcare ingest-email``: file one raw message read from standard input.

A mail server hands mail to a helpdesk through a pipe, e.g. in Postfix's
``aliases``: ``care: "|paxcare ingest-email"``. The exit status is 0 whenever the
message was kept (filed, ignored as noise, or a duplicate), so that the mail server
never bounces a passenger's mail back; 75 (EX_TEMPFAIL) asks it to try again later.
"""

import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from paxcare.comms.inbound import ingest_email

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "File one raw RFC 5322 e-mail read from standard input."

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", default="pipe", help="Where the mail came from (kept with it)."
        )

    def handle(self, *args, **options):
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            self.stderr.write("No message on standard input.")
            sys.exit(1)
        try:
            filed = ingest_email(raw, source=options["source"])
        except DatabaseError as error:
            self.stderr.write(f"Database unavailable, try again later: {error}")
            sys.exit(EX_TEMPFAIL)
        number = filed.case.number if filed.case else "-"
        self.stdout.write(f"{filed.status} {number} {filed.reason}".strip())
