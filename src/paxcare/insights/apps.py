from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _start_empty_rollups(sender, **kwargs) -> None:
    """Mark the KPI facts built on a workspace without cases (or with facts built
    in another time zone's days).

    The timeline receiver keeps them from the first case on; a workspace that had
    cases before this app's tables existed needs ``paxcare rebuild-kpi-rollups``
    (until then the figures are computed from the cases, as before).
    """
    from django.conf import settings
    from django.utils import timezone

    from paxcare.cases.models import Case
    from paxcare.insights.models import KpiRollupState
    from paxcare.insights.rollups import is_ready

    if not is_ready() and not Case.objects.exists():
        KpiRollupState.objects.all().delete()
        KpiRollupState.objects.create(
            built_at=timezone.now(), cases=0, time_zone=settings.TIME_ZONE
        )


class InsightsConfig(AppConfig):
    name = "paxcare.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from paxcare.cases.events import events_recorded
        from paxcare.insights import aggregates, rollups, timing

        aggregates.connect()
        post_migrate.connect(
            _start_empty_rollups, sender=self, dispatch_uid="paxcare.insights.rollups"
        )

        events_recorded.connect(
            timing.on_events_recorded, dispatch_uid="paxcare.insights.timing"
        )
        events_recorded.connect(
            rollups.on_events_recorded, dispatch_uid="paxcare.insights.rollups"
        )
