from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemediesConfig(AppConfig):
    name = "paxcare.remedies"
    label = "remedies"
    verbose_name = _("Remedies")
    default_auto_field = "django.db.models.BigAutoField"
