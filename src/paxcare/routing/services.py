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

from paxcare.cases.events import EventType, record_event
from paxcare.cases.lifecycle import ACTIVE_STATUSES
from paxcare.cases.models import Case
from paxcare.errors import FieldError, InvalidInput
from paxcare.routing.models import Agent, CategoryRoute, Department, Role
from paxcare.rowcache import RowCache

logger = logging.getLogger(__name__)
User = get_user_model()


def _load_routes() -> dict[int, Department]:
    return {
        route.category_id: route.department
        for route in CategoryRoute.objects.select_related("department")
    }


# Read once per process until a route or a department changes (paxcare.rowcache).
_routes = RowCache(_load_routes)


def routes_by_category() -> dict[int, Department]:
    """Return category id -> owning department (shared rows: read, never change)."""
    return dict(_routes.get())


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
) -> list[Case]:
    """Assign a batch of fresh cases in memory, with the same rule as ``assign_case``.

    The departments are locked as ``assign_case`` locks them, then the candidates
    of all of them are read in one query and their active cases counted in one
    more. Set ``assignee_id`` on each case an agent takes and return those cases:
    the caller saves them and records each assignment on the case's timeline
    (``{"old": None, "new": <user id>, "rule": "fewest_open"}``).
    """
    at = at or timezone.now()
    department_ids = sorted({c.department_id for c in cases if c.department_id})
    if not department_ids:
        return []
    locked = {
        department.pk: department
        for department in Department.objects.select_for_update()
        .filter(pk__in=department_ids)
        .order_by("pk")
    }
    for case in cases:
        # The rows just read under the lock, not the process's cached routes.
        if case.department_id in locked:
            case.department = locked[case.department_id]
    queue = _AgentQueue(department_ids)
    assigned = []
    for case in cases:
        if case.assignee_id is not None or not case.department_id:
            continue
        user_id = queue.take(case.department_id)
        if user_id is not None:
            case.assignee_id = user_id
            assigned.append(case)
    if queue.given:
        Agent.objects.filter(pk__in=list(queue.given)).update(last_assigned_at=at)
    return assigned


class _AgentQueue:
    """The available agents of some departments, least loaded first, in turn.

    One heap per department; an agent of two departments has one load, so an
    entry popped with a stale load is pushed back with the current one.
    """

    def __init__(self, department_ids: Sequence[int]) -> None:
        members = (
            Agent.departments.through.objects.filter(
                department_id__in=department_ids,
                agent__is_available=True,
                # Supervisors work cases given to them, but new cases go to agents.
                agent__role=Role.AGENT,
                agent__user__is_active=True,
            )
            .order_by("department_id", "agent_id")
            .values_list(
                "department_id", "agent_id", "agent__user_id", "agent__last_assigned_at"
            )
        )
        self.users: dict[int, int] = {}
        self.turn: dict[int, float] = {}
        self.heaps: dict[int, list[tuple[int, float, int]]] = {}
        for department_id, agent_id, user_id, last in members:
            self.users[agent_id] = user_id
            self.turn[agent_id] = last.timestamp() if last else 0.0
            self.heaps.setdefault(department_id, []).append(agent_id)
        self.load = _active_cases(list(self.users.values()))
        for department_id, agent_ids in self.heaps.items():
            heap = [self._entry(agent_id) for agent_id in agent_ids]
            heapq.heapify(heap)
            self.heaps[department_id] = heap
        self.given: set[int] = set()
        self._clock = max([timezone.now().timestamp(), *self.turn.values()])

    def _entry(self, agent_id: int) -> tuple[int, float, int]:
        return (self.load.get(self.users[agent_id], 0), self.turn[agent_id], agent_id)

    def take(self, department_id: int) -> int | None:
        """Return the user id of the agent who takes the next case, or None."""
        heap = self.heaps.get(department_id)
        if not heap:
            return None
        while True:
            entry = heapq.heappop(heap)
            current = self._entry(entry[2])
            if current == entry:
                break
            heapq.heappush(heap, current)
        agent_id = entry[2]
        user_id = self.users[agent_id]
        self.load[user_id] = self.load.get(user_id, 0) + 1
        # Later than every earlier turn, so equals keep taking turns.
        self._clock += 1e-6
        self.turn[agent_id] = self._clock
        self.given.add(agent_id)
        heapq.heappush(heap, self._entry(agent_id))
        return user_id


def _active_cases(user_ids: list[int]) -> dict[int, int]:
    """Return user id -> number of active cases assigned to them, in one query."""
    if not user_ids:
        return {}
    return dict(
        Case.objects.filter(assignee_id__in=user_ids, status__in=ACTIVE_STATUSES)
        .values_list("assignee_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


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
