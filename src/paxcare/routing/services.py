"""Routing: which department owns a case, and which agent works it.

Assignment gives a case to the available agent of its department with the fewest
active cases; ties go to whoever was given a case longest ago, so equals take turns.
The department row is locked while choosing, so two workers assigning at the same
time see each other's result instead of both picking the same agent.

A batch holds that lock until its cases are committed, for until then nobody
else can count them. Proactive care's batches of 2,000 passengers would keep every
other batch of the department waiting that long, so they reserve their agents
first instead (``agents_reserved``), for all the batches of up to 200 flights at
once: the choice is made and recorded as ``Reservation`` rows in a short
transaction of its own, the loads that others read count those rows, and each
batch's commit takes its cases off them.
"""

import heapq
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Case as DbCase
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from paxcare.cases.events import EventType, record_event
from paxcare.cases.lifecycle import ACTIVE_STATUSES
from paxcare.cases.models import Case
from paxcare.errors import FieldError, InvalidInput
from paxcare.routing.models import Agent, CategoryRoute, Department, Reservation, Role
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


# A reservation whose batch never committed nor cancelled it (its process died)
# stops counting after this long; batches commit within seconds.
RESERVATION_LIFETIME = timedelta(minutes=10)


def _candidates(department_id: int):
    """Available agents of a department, least loaded first, longest idle first."""
    active = Q(user__assigned_cases__status__in=ACTIVE_STATUSES)
    reserved = (
        Reservation.objects.filter(
            user=OuterRef("user"),
            created_at__gt=timezone.now() - RESERVATION_LIFETIME,
        )
        .values("user")
        .annotate(total=Sum("cases"))
        .values("total")
    )
    return (
        Agent.objects.filter(
            departments=department_id,
            is_available=True,
            # Supervisors work cases given to them, but new cases go to agents.
            role=Role.AGENT,
            user__is_active=True,
        )
        .annotate(
            open_cases=Count("user__assigned_cases", filter=active)
            + Coalesce(Subquery(reserved), 0)
        )
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
        Department.objects.select_for_update(no_key=True).get(pk=locked.department_id)
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
    cases: Sequence[Case],
    *,
    at: datetime | None = None,
    reserved: "AgentReservation | None" = None,
) -> list[Case]:
    """Assign a batch of fresh cases in memory, with the same rule as ``assign_case``.

    The departments are locked as ``assign_case`` locks them, then the candidates
    of all of them are read with their active cases counted, in one query. Set
    ``assignee_id`` on each case an agent takes and return those cases: the caller
    saves them and records each assignment on the case's timeline
    (``{"old": None, "new": <user id>, "rule": "fewest_open"}``).

    With ``reserved`` (``agents_reserved``, inside its ``transaction()``) the cases
    take the next reserved agents and no lock is taken; should a department have
    more cases than are left reserved for it, the batch is assigned the locking
    way.
    """
    at = at or timezone.now()
    department_ids = sorted({c.department_id for c in cases if c.department_id})
    if reserved is not None:
        assigned = reserved.assign(cases)
        if assigned is not None:
            return assigned
    if not department_ids:
        return []
    locked = {department.pk: department for department in _lock(department_ids)}
    queue = _AgentQueue(department_ids)
    assigned = _give(cases, locked, queue.take)
    if queue.given:
        _note_turns(sorted(queue.given), at)
    return assigned


def _give(
    cases: Sequence[Case],
    departments: Mapping[int, Department],
    take: Callable[[int], int | None],
) -> list[Case]:
    """Give each unassigned case the agent ``take(department id)`` names.

    Each case gets its department's row as read under the lock (``departments``),
    not the process's cached routes. Return the cases given an agent.
    """
    assigned = []
    for case in cases:
        if case.department_id in departments:
            case.department = departments[case.department_id]
        if case.assignee_id is not None or not case.department_id:
            continue
        user_id = take(case.department_id)
        if user_id is not None:
            case.assignee_id = user_id
            assigned.append(case)
    return assigned


@dataclass
class AgentReservation:
    """The agents chosen ahead for some batches' cases, department by department.

    The batches take the agents in turn, each in ``transaction()``; ``taken``
    counts, per department, the agents of the batches committed so far.
    """

    token: uuid.UUID
    # department id -> the user ids that take its cases, in turn
    picks: dict[int, list[int]]
    departments: dict[int, Department] = field(default_factory=dict)
    taken: dict[int, int] = field(default_factory=dict)
    # When the cases are given (the agents' turns are noted at this time).
    at: datetime | None = None
    # The batch in progress: department id -> the picks it takes.
    _batch: dict[int, int] | None = None

    def assign(self, cases: Sequence[Case]) -> list[Case] | None:
        """Give the cases their reserved agents; None if too few were reserved.

        Called again in the same batch (intake retries a batch after a conflict),
        it starts again where the batch started.
        """
        wanted = Counter(
            c.department_id for c in cases if c.department_id and not c.assignee_id
        )
        if self._batch is None or any(
            n > len(self.picks.get(d, ())) - self.taken.get(d, 0)
            for d, n in wanted.items()
        ):
            return None
        used: dict[int, int] = {}

        def take(department_id: int) -> int:
            turn = used.get(department_id, 0)
            used[department_id] = turn + 1
            return self.picks[department_id][self.taken.get(department_id, 0) + turn]

        assigned = _give(cases, self.departments, take)
        self._batch = used
        return assigned

    @contextmanager
    def transaction(self) -> Iterator["AgentReservation"]:
        """Run one batch in a transaction of its own, with the next reserved agents.

        The batch's commit moves the cases it gave the agents from the reservation
        into their active cases: whoever reads the loads sees either, never both.
        Should one of the agents still to come have left the department, become
        unavailable or been deactivated since, the rest is reserved again first.
        """
        self._reserve_again_if_gone()
        with transaction.atomic():
            self._batch = {}
            try:
                yield self
                used = self._batch
                self._settle(used)
            finally:
                self._batch = None
        for department_id, n in used.items():
            self.taken[department_id] = self.taken.get(department_id, 0) + n

    def _reserve_again_if_gone(self) -> None:
        """Choose the agents of the cases left again if any of theirs can't take them.

        One small query a batch: the pairs of department and agent still to come,
        against those that may still be given new cases.
        """
        wanted = {
            (department_id, user_id)
            for department_id, users in self.picks.items()
            for user_id in users[self.taken.get(department_id, 0) :]
        }
        if not wanted:
            return
        members = Agent.departments.through.objects.filter(
            department_id__in={d for d, _ in wanted},
            agent__user_id__in={u for _, u in wanted},
            agent__is_available=True,
            agent__role=Role.AGENT,
            agent__user__is_active=True,
        ).values_list("department_id", "agent__user_id")
        if wanted <= set(members):
            return
        left = {d: len(u) - self.taken.get(d, 0) for d, u in self.picks.items()}
        self.release()
        again = _reserve(left, self.at or timezone.now())
        self.token, self.picks, self.departments = (
            again.token,
            again.picks,
            again.departments,
        )
        self.taken = {}

    def _settle(self, used: dict[int, int]) -> None:
        """Take the batch's cases off the reservation (and keep it from expiring)."""
        if not self.picks:
            return
        users: Counter = Counter()
        for department_id, n in used.items():
            start = self.taken.get(department_id, 0)
            users.update(self.picks[department_id][start : start + n])
        update: dict = {"created_at": timezone.now()}
        if users:
            update["cases"] = F("cases") - DbCase(
                *(When(user_id=user_id, then=n) for user_id, n in users.items()),
                default=0,
            )
        Reservation.objects.filter(token=self.token).update(**update)

    def release(self) -> None:
        """Delete what is left of the reservation: those cases will not come."""
        if self.picks:
            Reservation.objects.filter(token=self.token).delete()


@contextmanager
def agents_reserved(
    cases_by_department: Mapping[int, int], *, at: datetime | None = None
) -> Iterator[AgentReservation]:
    """Reserve the agents of some batches' cases ahead, for the ``with`` block.

    ``cases_by_department`` is how many cases of each department the batches may
    open (more is harmless: what is left counts in the loads only until the
    block ends). The agents are chosen as ``assign_new_cases`` would choose them,
    under the departments' lock, in a short transaction that commits them as
    ``Reservation`` rows, counted in every agent's load as their active cases
    are. Each batch then runs in ``reservation.transaction()`` and passes the
    reservation to ``assign_new_cases``, which takes no lock; a batch's commit
    takes its cases off the reservation, and what is left is deleted when the
    block ends, however it ends.
    """
    reservation = _reserve(cases_by_department, at or timezone.now())
    try:
        yield reservation
    finally:
        try:
            reservation.release()
        except Exception:
            logger.exception("routing: a reservation is left to expire")


def _reserve(cases_by_department: Mapping[int, int], at: datetime) -> AgentReservation:
    token = uuid.uuid4()
    department_ids = sorted(d for d, n in cases_by_department.items() if d and n > 0)
    reservation = AgentReservation(token, {}, at=at)
    if not department_ids:
        return reservation
    with transaction.atomic():
        reservation.departments = {d.pk: d for d in _lock(department_ids)}
        now = timezone.now()
        Reservation.objects.filter(created_at__lte=now - RESERVATION_LIFETIME).delete()
        queue = _AgentQueue(department_ids)
        for department_id in department_ids:
            users = reservation.picks[department_id] = []
            for _n in range(cases_by_department[department_id]):
                user_id = queue.take(department_id)
                if user_id is None:
                    break
                users.append(user_id)
        loads = Counter(u for users in reservation.picks.values() for u in users)
        Reservation.objects.bulk_create(
            Reservation(token=token, user_id=user_id, cases=n, created_at=now)
            for user_id, n in sorted(loads.items())
        )
        if queue.given:
            _note_turns(sorted(queue.given), at)
    return reservation


# The statements of a batch's assignment are written out: they run for every
# intake batch (an API batch is 5 to 20 requests), and Django's compiler took
# longer to build the three of them than PostgreSQL took to answer (0.4 ms of a
# request's CPU before, 0.15 ms after, by the API intake bench).


def _in(values: Sequence) -> str:
    return "(" + ", ".join(["%s"] * len(values)) + ")"


def _lock(department_ids: Sequence[int]):
    """Read and lock the departments' rows (SQLite serialises writers itself).

    NO KEY UPDATE: it excludes another assignment, but not the key-share locks
    that the foreign-key checks of another batch's commit take on the rows.
    """
    quote = connection.ops.quote_name
    features = connection.features
    lock = (
        " FOR NO KEY UPDATE"
        if features.has_select_for_no_key_update
        else " FOR UPDATE"
        if features.has_select_for_update
        else ""
    )
    return Department.objects.raw(
        f"SELECT * FROM {quote(Department._meta.db_table)}"
        f" WHERE {quote(Department._meta.pk.column)} IN {_in(department_ids)}"
        f" ORDER BY {quote(Department._meta.pk.column)}{lock}",
        department_ids,
    )


@cache
def _members_sql() -> str:
    """Return the query of the available agents of some departments, with loads.

    One row per agent and department: department id, agent id, user id and the
    user's load (active cases, and cases reserved for them); longest idle first
    (never assigned before anybody), ties by agent id, as ``_candidates`` orders
    them. Supervisors work cases given to them, but new cases go to agents (the
    role parameter).
    """
    quote = connection.ops.quote_name
    members = Agent.departments.through._meta.db_table
    agents = Agent._meta.db_table
    users = User._meta.db_table
    cases = Case._meta.db_table
    reservations = Reservation._meta.db_table
    statuses = ", ".join(["%s"] * len(ACTIVE_STATUSES))
    return (
        f"SELECT m.department_id, a.id, a.user_id,"
        f" (SELECT COUNT(*) FROM {quote(cases)} c WHERE c.assignee_id = a.user_id"
        f" AND c.status IN ({statuses}))"
        f" + (SELECT COALESCE(SUM(r.cases), 0) FROM {quote(reservations)} r"
        " WHERE r.user_id = a.user_id AND r.created_at > %s)"
        f" FROM {quote(members)} m"
        f" JOIN {quote(agents)} a ON a.id = m.agent_id"
        f" JOIN {quote(users)} u ON u.id = a.user_id"
        " WHERE a.is_available = %s AND a.role = %s AND u.is_active = %s"
        " AND m.department_id IN "
    )


def _members(department_ids: Sequence[int]) -> list[tuple[int, int, int, int]]:
    sql = (
        _members_sql()
        + _in(department_ids)
        + " ORDER BY a.last_assigned_at ASC NULLS FIRST, a.id, m.department_id"
    )
    statuses = sorted(status.value for status in ACTIVE_STATUSES)
    since = connection.ops.adapt_datetimefield_value(
        timezone.now() - RESERVATION_LIFETIME
    )
    params = [*statuses, since, True, Role.AGENT.value, True, *department_ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _note_turns(agent_ids: Sequence[int], at: datetime) -> None:
    """Record that these agents were just given a case (``last_assigned_at``)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(Agent._meta.db_table)} SET last_assigned_at = %s"
            f" WHERE id IN {_in(agent_ids)}",
            [connection.ops.adapt_datetimefield_value(at), *agent_ids],
        )


class _AgentQueue:
    """The available agents of some departments, least loaded first, in turn.

    One heap per department; an agent of two departments has one load, so an
    entry popped with a stale load is pushed back with the current one. An
    agent's turn is their place in the order of ``last_assigned_at`` (never
    assigned first, ties by agent id); each case given makes it the latest.
    """

    def __init__(self, department_ids: Sequence[int]) -> None:
        self.users: dict[int, int] = {}
        self.turn: dict[int, float] = {}
        self.load: dict[int, int] = {}
        self.heaps: dict[int, list[tuple[int, float, int]]] = {}
        for department_id, agent_id, user_id, load in _members(department_ids):
            if agent_id not in self.turn:
                self.turn[agent_id] = float(len(self.turn))
            self.users[agent_id] = user_id
            self.load[user_id] = load
            self.heaps.setdefault(department_id, []).append(agent_id)
        for department_id, agent_ids in self.heaps.items():
            heap = [self._entry(agent_id) for agent_id in agent_ids]
            heapq.heapify(heap)
            self.heaps[department_id] = heap
        self.given: set[int] = set()
        self._clock = float(len(self.turn))

    def _entry(self, agent_id: int) -> tuple[int, float, int]:
        return (self.load[self.users[agent_id]], self.turn[agent_id], agent_id)

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
        self.load[user_id] += 1
        # Later than every earlier turn, so equals keep taking turns.
        self._clock += 1.0
        self.turn[agent_id] = self._clock
        self.given.add(agent_id)
        heapq.heappush(heap, self._entry(agent_id))
        return user_id


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
