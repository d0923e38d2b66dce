"""The console's case lists: which queue, which filters, which page.

Pages are cut by keyset on (received_at, id), newest first, 50 rows each: the cost of
a page stays the same on the millionth case, where OFFSET and COUNT(*) would not.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from paxcare.cases import search
from paxcare.cases.lifecycle import ACTIVE_STATUSES
from paxcare.cases.models import Case
from paxcare.cases.services import cases_visible_to
from paxcare.routing.services import agent_profile
from paxcare.sla.models import Clock, ClockState
from paxcare.sla.services import sla_risk_filter

PAGE_SIZE = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A page is looked for among the cases of the last day first, then of the last 8
# and 64 days, then among all. With a search or a rare filter the database cannot
# tell how far back the newest 51 matches lie; a window bounds the rows it fetches
# to those received in it (at a million cases, a common Chinese word matches
# 100,000 of them), and each window is only tried when the one before held fewer
# than a page.
WINDOWS = (timedelta(days=1), timedelta(days=8), timedelta(days=64), None)

QUEUES = {
    "mine": _("My queue"),
    "department": _("Department queue"),
    "triage": _("Triage queue"),
    "all": _("All cases"),
}


@dataclass
class Page:
    rows: list[Case]
    next_cursor: str | None
    is_first: bool


def queue_cases(user, queue: str) -> QuerySet[Case]:
    """Return the cases of one queue, always within what ``user`` may see."""
    cases = cases_visible_to(user)
    if queue == "mine":
        return cases.filter(assignee=user)
    if queue == "department":
        profile = agent_profile(user)
        if profile is None:
            return cases.none()
        return cases.filter(department__in=profile.departments.all())
    if queue == "triage":
        return cases.filter(needs_triage=True)
    return cases


def apply_filters(cases: QuerySet[Case], queue: str, filters: dict) -> QuerySet[Case]:
    """Narrow a queue by the filter form's cleaned data."""
    if filters.get("status"):
        cases = cases.filter(status=filters["status"])
    elif queue != "all":
        # Working queues show what is still to do; "all" shows every status.
        cases = cases.filter(status__in=ACTIVE_STATUSES)
    if filters.get("category"):
        cases = cases.filter(category=filters["category"])
    if filters.get("channel"):
        cases = cases.filter(channel=filters["channel"])
    if filters.get("risk"):
        cases = cases.filter(sla_risk_filter(filters["risk"]))
    if filters.get("q"):
        cases = cases.filter(search.search_filter(filters["q"]))
    return cases


def page_of(cases: QuerySet[Case], cursor: str | None) -> Page:
    """Return one page of a queue, newest first, with what the list shows."""
    position = parse_cursor(cursor)
    if position is not None:
        received_at, pk = position
        cases = cases.filter(
            Q(received_at__lt=received_at) | Q(received_at=received_at, pk__lt=pk)
        )
    newest = position[0] if position is not None else timezone.now()
    for window in WINDOWS:
        rows = _rows(cases, newest - window if window is not None else None)
        if len(rows) > PAGE_SIZE or window is None:
            break
    running = Clock.objects.filter(
        state__in=[ClockState.RUNNING, ClockState.BREACHED], stopped_at__isnull=True
    ).order_by("due_at")
    prefetch_related_objects(
        rows, Prefetch("clocks", queryset=running, to_attr="open_clocks")
    )
    next_cursor = make_cursor(rows[PAGE_SIZE - 1]) if len(rows) > PAGE_SIZE else None
    return Page(
        rows=rows[:PAGE_SIZE], next_cursor=next_cursor, is_first=position is None
    )


def _rows(cases: QuerySet[Case], since: datetime | None) -> list[Case]:
    if since is not None:
        cases = cases.filter(received_at__gte=since)
    return list(
        cases.select_related("category", "department", "assignee").order_by(
            "-received_at", "-pk"
        )[: PAGE_SIZE + 1]
    )


def make_cursor(case: Case) -> str:
    micros = (case.received_at - EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{case.pk}"


def parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """Return the position a cursor names, or None for a missing or broken one."""
    try:
        micros, pk = (cursor or "").split(".")
        moment = EPOCH + timedelta(microseconds=int(micros))
        return moment, int(pk)
    except (ValueError, OverflowError, OSError):
        return None
