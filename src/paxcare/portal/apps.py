from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "paxcare.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from paxcare import defaults

        defaults.connect()
