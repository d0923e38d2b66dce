"""Sign-in forms of the console and the admin, with a limit on wrong passwords.

Failures are counted per username and client address, in the shared cache, so every
worker sees the same count. After five in fifteen minutes that username is refused
from that address, even with the right password, until the window ends; a success
clears the count. Another address keeps its own count, so an attacker cannot lock a
colleague out from elsewhere.
"""

import math

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _

from paxcare import ratelimit

LOGIN_FAILURE_LIMIT = 5
LOGIN_WINDOW_SECONDS = 15 * 60


class ThrottledLoginMixin:
    """Refuse a username from an address once it has failed too often there."""

    is_throttled = False

    def clean(self):
        ident = self._throttle_ident()
        refusal = ratelimit.spent(
            "login", ident, LOGIN_FAILURE_LIMIT, LOGIN_WINDOW_SECONDS
        )
        if refusal is not None:
            self.is_throttled = True
            minutes = math.ceil(refusal.retry_after / 60)
            raise forms.ValidationError(
                _(
                    "Too many failed sign-ins for this username from your "
                    "connection. Try again in %(minutes)d minutes."
                )
                % {"minutes": minutes},
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            ratelimit.hit("login", ident, LOGIN_FAILURE_LIMIT, LOGIN_WINDOW_SECONDS)
            raise
        ratelimit.forget("login", ident, LOGIN_WINDOW_SECONDS)
        return cleaned

    def _throttle_ident(self) -> str:
        username = (self.cleaned_data.get("username") or "").strip().casefold()
        address = ratelimit.client_address(self.request) if self.request else ""
        return f"{username}|{address}"


class ConsoleLoginForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass
