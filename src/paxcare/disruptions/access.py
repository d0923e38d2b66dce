"""Who sees which disruption in the console, and who may act on all its cases.

A disruption is visible to whoever sees one of its cases: staff who see every
department, and agents of the department its cases were routed to (or to whom one
of them is assigned). Acting on every case at once (a message to all, a goodwill
gesture, closing) is for supervisors and administrators; each single case is still
checked with ``cases.services.may_work`` as the action reaches it.
"""

from django.db.models import Exists, OuterRef, QuerySet

from paxcare.cases.services import cases_visible_to, sees_every_case
from paxcare.disruptions.models import AffectedPassenger, Disruption
from paxcare.routing.models import Role
from paxcare.routing.services import agent_profile


def disruptions_visible_to(user) -> QuerySet[Disruption]:
    """Return the disruptions ``user`` may open in the console."""
    if sees_every_case(user):
        return Disruption.objects.all()
    if agent_profile(user) is None:
        return Disruption.objects.none()
    visible = AffectedPassenger.objects.filter(
        disruption=OuterRef("pk"), case__in=cases_visible_to(user)
    )
    return Disruption.objects.filter(Exists(visible))


def may_act_on_all(user) -> bool:
    """Supervisors and administrators act on every case of a disruption at once."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    profile = agent_profile(user)
    return profile is not None and profile.role in (Role.SUPERVISOR, Role.ADMIN)
