from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CommsConfig(AppConfig):
    name = "paxcare.comms"
    label = "comms"
    verbose_name = _("Communications")

    def ready(self) -> None:
        from anymail.signals import tracking
        from django.core import checks

        from paxcare.cases.events import events_recorded
        from paxcare.comms.checks import check_provider_webhook
        from paxcare.comms.providers import on_tracking
        from paxcare.comms.receivers import on_events_recorded

        events_recorded.connect(
            on_events_recorded, dispatch_uid="paxcare.comms.notifications"
        )
        tracking.connect(on_tracking, dispatch_uid="paxcare.comms.provider_reports")
        checks.register(check_provider_webhook)
        post_migrate.connect(
            _install_templates, sender=self, dispatch_uid="paxcare.comms.templates"
        )


def _install_templates(sender, **kwargs) -> None:
    from paxcare.comms.defaults import install_templates

    install_templates()
