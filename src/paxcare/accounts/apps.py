from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "paxcare.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Rows kept per process (tokens, rules) are dropped when they change.
        from paxcare import rowcache

        rowcache.connect()
