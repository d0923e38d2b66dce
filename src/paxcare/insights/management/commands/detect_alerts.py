"""``paxcare detect-alerts``: run the alert detectors now (the task runs hourly)."""

from django.core.management.base import BaseCommand

from paxcare.insights.alerts import describe, run_detection


class Command(BaseCommand):
    help = "Detect spikes, falling SLA compliance and dropping satisfaction now."

    def handle(self, *args, **options) -> None:
        alerts = run_detection()
        for alert in alerts:
            self.stdout.write(describe(alert))
        self.stdout.write(f"{len(alerts)} new alerts")
