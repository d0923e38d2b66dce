"""``paxcare rebuild-kpi-rollups``: recompute the KPI facts and counts of every case."""

from django.core.management.base import BaseCommand

from paxcare.insights.rollups import rebuild


class Command(BaseCommand):
    help = (
        "Recompute the KPI facts and all-time counts from the cases (after a bulk "
        "load or a change made outside the services); the dashboard and the KPI "
        "API read them once built."
    )

    def handle(self, *args, **options) -> None:
        cases = rebuild()
        self.stdout.write(f"KPI facts and counts rebuilt for {cases} cases")
