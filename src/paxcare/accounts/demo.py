"""Demo accounts: made by ``paxcare seed-demo`` with printed passwords, and usable only
while the workspace runs in demo mode.

``seed-demo`` puts every account it makes in one group. Outside demo mode the sign-in
backend refuses its members (console, admin, and any session they still hold) and so
does the API's token check, so a workspace that started as a demo and went on to real
use does not keep accounts whose passwords were printed on a terminal.
"""

from django.conf import settings
from django.contrib.auth.models import Group

DEMO_GROUP = "PaxCare demo accounts"


def mark_demo_account(user) -> None:
    """Put ``user`` in the demo group (idempotent)."""
    group, _created = Group.objects.get_or_create(name=DEMO_GROUP)
    user.groups.add(group)


def is_demo_account(user) -> bool:
    return user.groups.filter(name=DEMO_GROUP).exists()


def refused_outside_demo(user) -> bool:
    """Return whether ``user`` is a demo account and the workspace is not a demo."""
    if settings.DEMO_MODE or user is None or user.pk is None:
        return False
    return is_demo_account(user)
