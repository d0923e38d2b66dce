from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "paxcare.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from paxcare.cases.events import events_recorded
        from paxcare.surveys import receivers

        events_recorded.connect(
            receivers.on_events_recorded, dispatch_uid="paxcare.surveys.on_events"
        )
        post_migrate.connect(
            receivers.on_post_migrate, dispatch_uid="paxcare.surveys.defaults"
        )
