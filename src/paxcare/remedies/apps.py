from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_defaults(sender, **kwargs) -> None:
    if sender.label == "remedies":
        from paxcare.remedies.defaults import install_remedies_defaults

        install_remedies_defaults()


class RemediesConfig(AppConfig):
    name = "paxcare.remedies"
    label = "remedies"
    verbose_name = _("Remedies")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from paxcare.cases.events import events_recorded
        from paxcare.remedies.receivers import on_events_recorded

        events_recorded.connect(
            on_events_recorded, dispatch_uid="paxcare.remedies.notifications"
        )
        post_migrate.connect(
            _install_defaults, dispatch_uid="paxcare.remedies.defaults"
        )
