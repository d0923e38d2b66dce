"""Who may use the console, and who may do what in it.

Staff reach the console through their agent profile; a superuser needs none. Anyone
else who signs in sees nothing: every console page answers 403.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from paxcare.routing.models import Role
from paxcare.routing.services import agent_profile


def is_console_user(user) -> bool:
    """Return whether ``user`` may open the console at all."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or agent_profile(user) is not None


def may_reassign_to_anyone(user) -> bool:
    """Supervisors and administrators give cases to others; agents only take them."""
    if user.is_superuser:
        return True
    profile = agent_profile(user)
    return profile is not None and profile.role in (Role.SUPERVISOR, Role.ADMIN)


def is_auditor(user) -> bool:
    profile = agent_profile(user)
    return (
        not user.is_superuser and profile is not None and profile.role == Role.AUDITOR
    )


def console_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send anonymous visitors to sign in; refuse users without a console role."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_console_user(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)
