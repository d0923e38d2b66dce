from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisruptionsConfig(AppConfig):
    name = "paxcare.disruptions"
    label = "disruptions"
    verbose_name = _("Flight disruptions")
