"""``paxcare refile-mail``: file failed inbound mail again from its kept raw bytes.

After the cause of a failure is fixed (a database outage, a bug), the mails that
failed meanwhile are filed as if delivered again: ``paxcare refile-mail 12 13`` for
some, ``paxcare refile-mail --all`` for every failed one. A mail that no try will
file (unparseable, refused by the case) fails again and stays failed.
"""

from django.core.management.base import BaseCommand, CommandError

from paxcare.comms.inbound import refile
from paxcare.comms.models import InboundMail, InboundStatus


class Command(BaseCommand):
    help = "File failed inbound mail again from its kept raw bytes."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="InboundMail ids.")
        parser.add_argument(
            "--all", action="store_true", help="Every mail that failed to file."
        )

    def handle(self, *args, **options):
        if not options["ids"] and not options["all"]:
            raise CommandError("Name the mails (ids) or give --all.")
        failed = InboundMail.objects.filter(status=InboundStatus.FAILED).order_by("pk")
        if options["ids"]:
            failed = failed.filter(pk__in=options["ids"])
        outcomes = refile(list(failed))
        for mail, filed in outcomes:
            number = filed.case.number if filed.case else "-"
            self.stdout.write(
                f"{mail.pk} {filed.status} {number} {filed.reason}".strip()
            )
        done = sum(1 for _, filed in outcomes if filed.status != InboundStatus.FAILED)
        self.stdout.write(f"{done} of {len(outcomes)} failed mail(s) dealt with")
