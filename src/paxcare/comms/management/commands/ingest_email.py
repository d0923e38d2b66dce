"""``paxcare ingest-email``: file one raw message read from standard input.

A mail server hands mail to a helpdesk through a pipe, e.g. in Postfix's
``aliases``: ``care: "|paxcare ingest-email"``. The exit status is 0 whenever the
message was dealt with (filed, ignored as noise, a duplicate, or kept as a mail that
no other try would file either), so that the mail server never bounces a
passenger's mail back; 75 (EX_TEMPFAIL) on an unexpected error (the database
unavailable, a bug while filing) asks it to deliver again later, and the next
delivery files the mail on the row of the failed one.
"""

import logging
import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from paxcare.comms.inbound import ingest_email

logger = logging.getLogger(__name__)

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
        except Exception:  # noqa: BLE001 - the mail server must try again, not bounce
            logger.exception("comms: a piped mail could not be filed")
            self.stderr.write("Could not file the mail, try again later.")
            sys.exit(EX_TEMPFAIL)
        number = filed.case.number if filed.case else "-"
        self.stdout.write(f"{filed.status} {number} {filed.reason}".strip())
        if filed.retry_later:
            self.stderr.write("Could not file the mail, try again later.")
            sys.exit(EX_TEMPFAIL)
