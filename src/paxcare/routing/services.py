"""Routing: which department owns a case, and which agent works it.

Assignment gives a case to the available agent of its department with the fewest
active cases; ties go to whoever was given a case longest ago, so equals take turns.
The department row is locked while choosing, so two workers assigning at the same
time see each other's result instead of both picking the same agent.
"""

import heapq
import logging
from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from paxcare.cases.events import EventType, build_event, record_event
from paxcare.cases.lifecycle import ACTIVE_STATUSES
from paxcare.cases.models import Case, Event
from paxcare.errors import FieldError, InvalidInput
from paxcare.routing.models import Agent, CategoryRoute, Department, Role

logger = logging.getLogger(__name__)
User = get_user_model()


def routes_by_category() -> dict[int, Department]:
    """Return category id -> owning department, in one query."""
    return {
        route.category_id: route.department
        for route in CategoryRoute.objects.select_related("department")
    }


def _candidates(department_id: int):
    """Available agents of a department, least loaded first, longest idle first."""
    active = Q(user__assigned_cases__status__in=ACTIVE_STATUSES)
    return (
        Agent.objects.filter(
            departments=department_id,
            is_available=True,
            # Supervisors work cases given to them, but new cases go to agents.
            role=Role.AGENT,
            user__is_active=True,
        )
        .annotate(open_cases=Count("user__assigned_cases", filter=active))
        .order_by("open_cases", F("last_assigned_at").asc(nulls_first=True), "pk")
    )


def assign_case(case: Case, *, actor=None, at: datetime | None = None) -> Case:
    """Give an unassigned case to its department's least-loaded available agent.

    A case that another worker assigned in the meantime keeps that assignee.
    """
    at = at or timezone.now()
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.assignee_id is not None or locked.department_id is None:
            return locked
        Department.objects.select_for_update().get(pk=locked.department_id)
        agent = _candidates(locked.department_id).first()
        if agent is None:
            return locked
        locked.assignee_id = agent.user_id
        locked.save(update_fields=["assignee", "updated_at"])
        Agent.objects.filter(pk=agent.pk).update(last_assigned_at=at)
        record_event(
            locked,
            EventType.ASSIGNED,
            actor=actor,
            data={"old": None, "new": agent.user_id, "rule": "fewest_open"},
            at=at,
        )
    return locked


def assign_new_cases(
    cases: Sequence[Case], *, at: datetime | None = None
) -> list[Event]:
    """Assign a batch of fresh cases in memory, with the same rule as ``assign_case``.

    Return the unsaved ASSIGNED events; the caller saves cases and events in bulk.
    """
    at = at or timezone.now()
    department_ids = sorted({c.department_id for c in cases if c.department_id})
    if not department_ids:
        return []
    list(
        Department.objects.select_for_update()
        .filter(pk__in=department_ids)
        .order_by("pk")
    )
    heaps: dict[int, list[tuple[int, float, int, int]]] = {}
    for department_id in department_ids:
        heaps[department_id] = [
            (
                agent.open_cases,
                agent.last_assigned_at.timestamp() if agent.last_assigned_at else 0.0,
                agent.pk,
                agent.user_id,
            )
            for agent in _candidates(department_id)
        ]
        heapq.heapify(heaps[department_id])
    events, order, last = [], 0, {}
    for case in cases:
        heap = heaps.get(case.department_id)
        if not heap or case.assignee_id is not None:
            continue
        open_cases, _, agent_pk, user_id = heapq.heappop(heap)
        order += 1
        heapq.heappush(
            heap, (open_cases + 1, at.timestamp() + order * 1e-6, agent_pk, user_id)
        )
        case.assignee_id = user_id
        last[agent_pk] = at
        events.append(
            build_event(
                case,
                EventType.ASSIGNED,
                data={"old": None, "new": user_id, "rule": "fewest_open"},
                at=at,
            )
        )
    if last:
        Agent.objects.filter(pk__in=list(last)).update(last_assigned_at=at)
    return events


def may_assign(user, case: Case, target) -> bool:
    """Return whether ``user`` may give ``case`` to ``target`` (None: unassign).

    Supervisors, administrators and superusers give a case to anyone who can work
    it; an agent may only take an unassigned case for themselves.
    """
    if user.is_superuser:
        return True
    profile = agent_profile(user)
    if profile is None:
        return False
    if profile.role in (Role.SUPERVISOR, Role.ADMIN):
        return True
    return (
        profile.role == Role.AGENT
        and case.assignee_id is None
        and target is not None
        and target.pk == user.pk
    )


def reassign_case(case: Case, assignee, *, actor, at: datetime | None = None) -> Case:
    """Give a case to a named agent (supervisors) or take it back (None).

    The assignee must be an active agent or supervisor of the case's department
    (or one who sees every department): an auditor cannot work a case, and an agent
    of another department would not even see it.
    """
    at = at or timezone.now()
    if assignee is not None and not _can_hold(assignee, case):
        raise InvalidInput(
            [
                FieldError(
                    "assignee",
                    _("This person cannot work cases of this department."),
                    "invalid",
                )
            ]
        )
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        old = locked.assignee_id
        new = assignee.pk if assignee is not None else None
        if old == new:
            return locked
        locked.assignee_id = new
        locked.save(update_fields=["assignee", "updated_at"])
        record_event(
            locked,
            EventType.ASSIGNED,
            actor=actor,
            data={"old": old, "new": new},
            at=at,
        )
    return locked


def change_department(case: Case, department: Department, *, actor) -> Case:
    """Move a case to another department; it loses its assignee there."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.department_id == department.pk:
            return locked
        old = locked.department.code if locked.department_id else None
        locked.department = department
        locked.assignee = None
        locked.save(update_fields=["department", "assignee", "updated_at"])
        record_event(
            locked,
            EventType.ROUTED,
            actor=actor,
            data={"old": old, "new": department.code},
        )
    return locked


def agent_profile(user) -> Agent | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.agent
    except Agent.DoesNotExist:
        return None


WORKING_ROLES = (Role.AGENT, Role.SUPERVISOR)


def assignable_agents(department_ids: Sequence[int]):
    """Return the active agents and supervisors of the given departments."""
    return (
        User.objects.filter(
            agent__departments__in=department_ids,
            agent__role__in=WORKING_ROLES,
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "username")
    )


def _can_hold(user, case: Case) -> bool:
    profile = agent_profile(user)
    if profile is None or not user.is_active or profile.role not in WORKING_ROLES:
        return False
    if profile.sees_all_departments or case.department_id is None:
        return True
    return profile.departments.filter(pk=case.department_id).exists()
