from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "paxcare.triage"
    label = "triage"
    verbose_name = _("Triage")

    def ready(self) -> None:
        post_migrate.connect(
            _install_default_classifier,
            sender=self,
            dispatch_uid="paxcare.triage.install_default_classifier",
        )


def _install_default_classifier(sender, **kwargs) -> None:
    from paxcare.triage.services import install_default_classifier

    install_default_classifier()
