"""System checks of comms' settings."""

from django.conf import settings
from django.core import checks

from paxcare.comms.providers import webhook_secret_set


def check_provider_webhook(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Warn when mail goes through a provider whose reports cannot come back."""
    backend = getattr(settings, "EMAIL_BACKEND", "")
    if not backend.startswith("anymail.") or webhook_secret_set():
        return []
    return [
        checks.Warning(
            "Mail is sent through a provider (django-anymail) but its tracking "
            "webhook is closed: PAXCARE_ANYMAIL_WEBHOOK_SECRET is not set, so the "
            "provider's bounces and complaints do not flag addresses.",
            hint="Set PAXCARE_ANYMAIL_WEBHOOK_SECRET to 'user:password' and give "
            "the provider https://user:password@<host>/anymail/<esp>/tracking/.",
            id="comms.W001",
        )
    ]
