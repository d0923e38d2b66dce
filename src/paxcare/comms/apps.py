from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CommsConfig(AppConfig):
    name = "paxcare.comms"
    label = "comms"
    verbose_name = _("Communications")

    def ready(self) -> None:
        from paxcare.cases.events import events_recorded
        from paxcare.comms.receivers import on_events_recorded

        events_recorded.connect(
            on_events_recorded, dispatch_uid="paxcare.comms.notifications"
        )
        post_migrate.connect(
            _install_templates, sender=self, dispatch_uid="paxcare.comms.templates"
        )


def _install_templates(sender, **kwargs) -> None:
    from paxcare.comms.defaults import install_templates

    install_templates()
