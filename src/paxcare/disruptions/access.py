"""Who sees which disruption in the console, and who may act on all its cases.

The staff of disruption care (the agents and supervisors of the department the
flight categories route to) see every disruption, one whose cases are not opened
yet included: the care of a large replay can wait minutes behind other work, and
they must see what is coming. Staff who see every department see them all too.
Anyone else sees a disruption through one of its cases: agents of the department
a case was routed to (a passenger's own case the disruption joined) or to whom
one of them is assigned. Acting on every case at once (a message to all, a
goodwill gesture, closing) is for supervisors and administrators; each single case
is still checked with ``cases.services.may_work`` as the action reaches it.
"""

from django.db.models import Exists, OuterRef, QuerySet

from paxcare.cases.services import cases_visible_to, sees_every_case
from paxcare.disruptions.models import AffectedPassenger, Disruption
from paxcare.disruptions.proactive import CATEGORY
from paxcare.routing.models import Role
from paxcare.routing.services import agent_profile, routes_by_category
from paxcare.triage.models import Category


def disruptions_visible_to(user) -> QuerySet[Disruption]:
    """Return the disruptions ``user`` may open in the console."""
    if sees_every_case(user):
        return Disruption.objects.all()
    profile = agent_profile(user)
    if profile is None or not user.is_active:
        return Disruption.objects.none()
    if profile.departments.filter(pk__in=care_department_ids()).exists():
        return Disruption.objects.all()
    visible = AffectedPassenger.objects.filter(
        disruption=OuterRef("pk"), case__in=cases_visible_to(user)
    )
    return Disruption.objects.filter(Exists(visible))


def care_department_ids() -> set[int]:
    """Return the departments that the categories of disruption cases route to."""
    routes = routes_by_category()
    categories = Category.objects.filter(code__in=set(CATEGORY.values()))
    return {
        routes[pk].pk for pk in categories.values_list("pk", flat=True) if pk in routes
    }


def may_act_on_all(user) -> bool:
    """Supervisors and administrators act on every case of a disruption at once."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    profile = agent_profile(user)
    return profile is not None and profile.role in (Role.SUPERVISOR, Role.ADMIN)
