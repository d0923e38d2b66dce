from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisruptionsConfig(AppConfig):
    name = "paxcare.disruptions"
    label = "disruptions"
    verbose_name = _("Flight disruptions")

    def ready(self) -> None:
        from paxcare.disruptions.trips import trip_of_case
        from paxcare.remedies.services import TRIP_SOURCES

        if trip_of_case not in TRIP_SOURCES:
            TRIP_SOURCES.append(trip_of_case)
