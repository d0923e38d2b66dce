"""``paxcare backfill-case-timing``: compute the timing facts of older cases."""

from django.core.management.base import BaseCommand

from paxcare.insights.timing import backfill


class Command(BaseCommand):
    help = (
        "Compute working-hours first response, resolution time and first-contact "
        "resolution for cases that changed before insights kept them."
    )

    def handle(self, *args, **options) -> None:
        done = backfill()
        self.stdout.write(f"timing computed for {done} cases")
