"""A corrected disruption takes the cases it opened along.

When a new version changes what happened (a delay that becomes a cancellation or
a diversion, a delay that grows), each case the disruption opened follows it: the
category and priority of the new kind (``proactive.CATEGORY`` and ``PRIORITY``)
and the subject it would be opened with now. Each change is the case event an
agent's change writes (``case.category_changed``, ``case.priority_changed``,
``case.fields_changed`` for the subject), by PaxCare, with the disruption and its
version in the data, announced with the batch so that the KPI facts follow; a
category that routes to another department moves the case and assigns it again
through routing's use cases, as ``cases.services.change_category`` does.

What people decided stays:

- a category or a subject an agent changed by hand is left as the agent set it;
- a priority is never set below the last one an agent chose by hand, and it moves
  only when the new kind's priority differs from the old kind's;
- a case the disruption joined (the passenger's own) is about what the passenger
  wrote and keeps all three.

No training example is kept: a correction of the flight is not a correction of
the classifier, which ``change_category`` records for an agent.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import translation

from paxcare.bulk import insert_rows
from paxcare.cases.events import EventType, announce, build_event
from paxcare.cases.models import Case, Event
from paxcare.cases.search import search_document
from paxcare.disruptions.models import AffectedPassenger, Disruption, ManifestEntry
from paxcare.disruptions.proactive import CATEGORY, PRIORITY, case_subject
from paxcare.disruptions.wording import headline, reason_words
from paxcare.routing.services import assign_case, change_department, routes_by_category
from paxcare.triage.models import PRIORITY_RANK, Category

logger = logging.getLogger(__name__)

HAND_EVENTS = (
    EventType.CATEGORY_CHANGED,
    EventType.PRIORITY_CHANGED,
    EventType.FIELDS_CHANGED,
)
CASE_FIELDS = ["category", "priority", "subject", "search_document", "updated_at"]


@dataclass
class HandChanges:
    """What agents changed by hand on one case."""

    category: bool = False
    subject: bool = False
    # The last priority an agent chose, if any.
    priority: str | None = None


def follow_corrections(
    disruption: Disruption,
    rows: Sequence[AffectedPassenger],
    updates: Sequence[Event],
    at: datetime,
) -> int:
    """Bring the cases the disruption opened in line with its current version.

    ``rows`` are link rows and ``updates`` their ``disruption.updated`` events (old
    kind and version), in the same order. Run in the caller's transaction, which
    holds the disruption's lock; return how many cases changed.
    """
    old_kinds = {
        row.case_id: update.data["old_kind"]
        for row, update in zip(rows, updates, strict=True)
        if row.opened_case and update.data["old_version"] < disruption.version
    }
    if not old_kinds:
        return 0
    entries = {row.case_id: row.entry for row in rows if row.case_id in old_kinds}
    cases = list(_locked_cases(list(old_kinds)))
    hands = hand_changes(list(old_kinds))
    categories = {
        c.code: c for c in Category.objects.filter(code__in=set(CATEGORY.values()))
    }
    wording = _wording(disruption, {e.language for e in entries.values()})

    changed, reindexed, events = [], [], []
    for case in cases:
        entry = entries[case.pk]
        hand = hands.get(case.pk, HandChanges())
        found = _follow_category(case, disruption, old_kinds[case.pk], hand, categories)
        found += _follow_priority(case, disruption, old_kinds[case.pk], hand)
        if not hand.subject:
            found += _follow_subject(case, entry, wording[entry.language][0])
        # The search follows the subject and the reason, whoever set the subject.
        document = search_document(
            case.number,
            entry.email,
            entry.phone,
            case.subject,
            wording[entry.language][1],
        )
        searched = document != case.search_document
        case.search_document = document
        if found:
            case.updated_at = at
            changed.append(case)
            events += [_event(case, kind, data, disruption, at) for kind, data in found]
        elif searched:
            reindexed.append(case)

    Case.objects.bulk_update(changed + reindexed, CASE_FIELDS)
    insert_rows(events)
    announce(events)
    _route(changed)
    logger.info(
        "disruptions: %s cases followed disruption %s to version %s",
        len(changed),
        disruption.pk,
        disruption.version,
    )
    return len(changed)


def hand_changes(case_ids: Sequence[int]) -> dict[int, HandChanges]:
    """Return case id -> what agents changed by hand, read from the timelines.

    PaxCare's own changes carry the disruption in their data; any other change of
    these kinds was made by a person.
    """
    found: dict[int, HandChanges] = {}
    rows = (
        Event.objects.filter(case_id__in=case_ids, type__in=HAND_EVENTS)
        .order_by("occurred_at", "pk")
        .values_list("case_id", "type", "data")
    )
    for case_id, kind, data in rows:
        data = data if isinstance(data, dict) else {}
        if "disruption" in data:
            continue
        hand = found.setdefault(case_id, HandChanges())
        if kind == EventType.CATEGORY_CHANGED:
            hand.category = True
        elif kind == EventType.PRIORITY_CHANGED:
            hand.priority = data.get("new")
        elif "subject" in (data.get("new") or {}):
            hand.subject = True
    return found


def _locked_cases(case_ids: list[int]) -> QuerySet[Case]:
    # Locked so that an agent's change at the same moment waits for the batch
    # (and is then seen as the agent's), instead of being overwritten.
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("category")
        .filter(pk__in=case_ids)
        .order_by("pk")
    )


def _wording(disruption: Disruption, languages: set[str]) -> dict[str, tuple]:
    """Return language -> (the disruption's headline, its reason's search words)."""
    found = {}
    for language in languages:
        with translation.override(language):
            found[language] = (
                headline(disruption.flight, disruption),
                reason_words(disruption.flight.cause),
            )
    return found


def _follow_category(case, disruption, old_kind, hand, categories) -> list[tuple]:
    if hand.category or old_kind == disruption.kind:
        return []
    # A category someone set without the timeline knowing is not ours to move.
    if case.category.code != CATEGORY.get(old_kind):
        return []
    category = categories.get(CATEGORY[disruption.kind])
    if category is None or category.pk == case.category_id:
        return []
    old = {"category": case.category.code, "kind": case.kind}
    case.category = category
    new = {"category": category.code, "kind": case.kind}
    return [(EventType.CATEGORY_CHANGED, {"old": old, "new": new})]


def _follow_priority(case, disruption, old_kind, hand) -> list[tuple]:
    wanted = PRIORITY[disruption.kind]
    if PRIORITY.get(old_kind) == wanted:
        return []
    if hand.priority in PRIORITY_RANK:
        wanted = min(wanted, hand.priority, key=PRIORITY_RANK.__getitem__)
    if wanted == case.priority:
        return []
    old, case.priority = case.priority, wanted
    return [(EventType.PRIORITY_CHANGED, {"old": old, "new": wanted})]


def _follow_subject(case: Case, entry: ManifestEntry, line: str) -> list[tuple]:
    subject = case_subject(line, entry)
    if subject == case.subject:
        return []
    old, case.subject = case.subject, subject
    return [
        (
            EventType.FIELDS_CHANGED,
            {"old": {"subject": old}, "new": {"subject": subject}},
        )
    ]


def _event(case, kind: str, data: dict, disruption: Disruption, at) -> Event:
    data = {**data, "disruption": disruption.pk, "version": disruption.version}
    return build_event(case, kind, data=data, at=at)


def _route(cases: Sequence[Case]) -> None:
    """Move each case whose new category belongs to another department there."""
    routes = routes_by_category()
    for case in cases:
        department = routes.get(case.category_id)
        if department is None or department.pk == case.department_id:
            continue
        moved = change_department(case, department, actor=None)
        assign_case(moved)
