"""The sign-in backend: Django's own, except that demo accounts work only in demo mode.

``user_can_authenticate`` is asked both at sign-in and when a session is read back, so
a demo account's open session ends as well once the workspace leaves demo mode.
"""

from django.contrib.auth.backends import ModelBackend

from paxcare.accounts.demo import refused_outside_demo


class AccountBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not refused_outside_demo(user)
