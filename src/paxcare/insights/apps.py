from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "paxcare.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from paxcare.cases.events import events_recorded
        from paxcare.insights import aggregates, rollups, timing

        aggregates.connect()

        events_recorded.connect(
            timing.on_events_recorded, dispatch_uid="paxcare.insights.timing"
        )
        events_recorded.connect(
            rollups.on_events_recorded, dispatch_uid="paxcare.insights.rollups"
        )
