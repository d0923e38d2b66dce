"""Install the default workspace data after every migrate (and after a test flush)."""

from django.db.models.signals import post_migrate


def install_defaults() -> None:
    """Create whatever default rule data is missing. Idempotent."""
    from paxcare.routing.defaults import install_departments
    from paxcare.sla.defaults import install_sla_defaults
    from paxcare.triage.defaults import install_taxonomy

    install_taxonomy()
    install_sla_defaults()
    install_departments()


def _on_post_migrate(sender, **kwargs) -> None:
    if sender.label == "cases":
        install_defaults()


def connect() -> None:
    post_migrate.connect(_on_post_migrate, dispatch_uid="paxcare.install_defaults")
