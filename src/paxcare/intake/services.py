"""Intake: the one way a case comes to exist, whatever the channel.

``open_cases`` is batch-first so that an import of thousands of posts costs a handful
of queries per batch, not per post; ``open_case`` is the same pipeline for one draft.
The steps: check the drafts, drop those whose external id is known, hand messages
about a disrupted flight to the case the disruption opened, link passengers,
classify (unless category, kind and priority are all given), route, assign, insert,
start the SLA clocks, write the timeline.

A new case gets one timeline event, ``case.created``, that carries everything its
creation decided: the classification, the department, the assignee, the SLA clocks'
due times and any contact details of the passenger it changed (a possible duplicate
gets its own ``case.duplicate_flagged``). One row per case instead of five: an
import or a disrupted flight writes hundreds of thousands of them.
"""

import hashlib
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from paxcare.bulk import any_of, frozen_heap, insert_rows, new_row
from paxcare.cases.events import SYSTEM_LABEL, EventType, actor_label, announce
from paxcare.cases.models import Case, Channel, Event, Message
from paxcare.cases.numbers import new_case_number
from paxcare.cases.search import search_document
from paxcare.crm.services import PassengerLink, match_passengers
from paxcare.disruptions.complaints import join_disruption_cases
from paxcare.errors import FieldError, InvalidInput
from paxcare.intake.drafts import CaseDraft, clean_draft
from paxcare.routing.services import (
    AgentReservation,
    assign_new_cases,
    routes_by_category,
)
from paxcare.sla import services as sla
from paxcare.triage.services import Triage, categories_by_code, triage_texts

logger = logging.getLogger(__name__)

ASSIGNMENT_RULE = "fewest_open"


@dataclass
class IntakeResult:
    """What became of one draft: a new case, a known one, or field errors."""

    case: Case | None = None
    created: bool = False
    duplicate_of: Case | None = None
    errors: list[FieldError] = field(default_factory=list)


def open_case(draft: CaseDraft, *, actor=None) -> IntakeResult:
    """Open one case; raise InvalidInput when the draft is wrong."""
    result = open_cases([draft], actor=actor)[0]
    if result.errors:
        raise InvalidInput(result.errors)
    return result


def open_cases(
    drafts: Sequence[CaseDraft],
    *,
    actor=None,
    timeline_data: Sequence[Mapping[str, Any] | None] | None = None,
    reserved: AgentReservation | None = None,
) -> list[IntakeResult]:
    """Open a case for each good draft; report each bad one with its errors.

    ``timeline_data``, one mapping (or None) per draft, adds keys to the data of
    the new case's ``case.created`` event: what the case was opened for, recorded
    with its creation rather than as an event more. ``reserved``: the agents the
    caller reserved for these cases (``routing.agents_reserved``).
    """
    categories = categories_by_code()
    known_codes = set(categories)
    results = [IntakeResult() for _ in drafts]
    notes = {}
    good: list[int] = []
    for index, draft in enumerate(drafts):
        results[index].errors = clean_draft(draft, known_codes)
        if not results[index].errors:
            good.append(index)
            if timeline_data is not None and timeline_data[index]:
                notes[id(draft)] = timeline_data[index]
    if not good:
        return results
    attempts = 3
    for attempt in range(1, attempts + 1):
        try:
            with frozen_heap(), transaction.atomic():
                _open_batch(
                    [drafts[i] for i in good],
                    [results[i] for i in good],
                    _Batch(categories, actor, notes, reserved),
                )
            return results
        except IntegrityError:
            # A case number collided or another worker filed the same external id
            # meanwhile: run the batch again, which sees the other worker's cases.
            logger.warning(
                "intake: batch retried after a conflict (attempt %d)", attempt
            )
            if attempt == attempts:
                raise
            for i in good:
                results[i] = IntakeResult()
    return results


@dataclass
class _Batch:
    """What every step of one batch shares."""

    categories: dict
    actor: Any
    notes: dict[int, Mapping[str, Any]]
    reserved: AgentReservation | None = None
    now: datetime = field(default_factory=timezone.now)


def _open_batch(drafts, results, batch: _Batch) -> None:
    now = batch.now
    known = _known_external_ids(drafts)
    fresh = []
    for draft, result in zip(drafts, results, strict=True):
        existing = (
            known.get((draft.channel, draft.external_id)) if draft.external_id else None
        )
        if existing is not None:
            result.case = existing
            continue
        if draft.external_id:
            known[(draft.channel, draft.external_id)] = (
                None  # the same id twice in one batch
            )
        fresh.append((draft, result))
    join_disruption_cases(fresh)
    fresh = [(d, r) for d, r in fresh if r.case is None]
    fresh, repeats = _drop_repeated_ids(fresh)
    if not fresh:
        return
    links = match_passengers([d for d, _ in fresh])
    triaged = _triage([d for d, _ in fresh], batch.categories)
    routes = routes_by_category()

    documents = _SearchDocuments()
    cases = [
        _new_case(draft, link.passenger, triage, routes, documents, batch)
        for (draft, _result), link, triage in zip(fresh, links, triaged, strict=True)
    ]
    duplicates = _find_duplicates(cases, links)
    # The clocks read no more of a department than its calendar: planned before
    # the assignment's lock, and again should a locked row name another calendar
    # than the routes' copy did.
    calendars = _department_calendars(cases)
    clocks, started = sla.plan_clocks(cases, at=now, new_cases=True)
    # Assignment locks the departments until the commit (unless the caller
    # reserved the agents): it comes last before the inserts, so that a second
    # worker's batch is built while this one is held.
    assign_new_cases(cases, at=now, reserved=batch.reserved)
    if _department_calendars(cases) != calendars:
        clocks, started = sla.plan_clocks(cases, at=now, new_cases=True)
    insert_rows(cases)
    within_batch = [c for c in cases if id(c) in duplicates and c.duplicate_of is None]
    for case in within_batch:
        case.duplicate_of = duplicates[id(case)]
    if within_batch:
        Case.objects.bulk_update(within_batch, ["duplicate_of"])
    insert_rows(clocks)
    events = _creation_events(fresh, cases, triaged, links, started, duplicates, batch)
    # One insert and one announcement for the batch's whole timeline.
    insert_rows(events)
    announce(events)
    by_external_id = {}
    for (draft, result), case in zip(fresh, cases, strict=True):
        result.case, result.created = case, True
        result.duplicate_of = duplicates.get(id(case))
        by_external_id[(draft.channel, draft.external_id)] = case
    for draft, result in repeats:
        # The same id twice in one batch: the second names the case the first opened.
        result.case = by_external_id[(draft.channel, draft.external_id)]


def _department_calendars(cases) -> dict[int, int | None]:
    """Return department id -> calendar id, from the department objects in hand."""
    return {
        case.department_id: case.department.calendar_id
        for case in cases
        if case.department_id is not None and Case.department.is_cached(case)
    }


def _known_external_ids(drafts) -> dict:
    by_channel: dict[str, list[str]] = {}
    for draft in drafts:
        if draft.external_id:
            by_channel.setdefault(draft.channel, []).append(draft.external_id)
    known: dict = {}
    for channel, ids in by_channel.items():
        for case in _cases_filed_as(channel, ids):
            known[(channel, case.external_id)] = case
        if channel == Channel.SYSTEM:
            continue  # PaxCare's own drafts are never filed on another case
        # A draft filed before as a message on an existing case (a post joined to
        # a disruption's case, a mail answering one) names that case, not a new one.
        filed = Message.objects.filter(
            any_of(Message, "external_id", ids), channel=channel
        ).select_related("case")
        for message in filed:
            known.setdefault((channel, message.external_id), message.case)
    return known


def _cases_filed_as(channel: str, external_ids: list[str]):
    """Return the cases of ``channel`` whose external id is one of ``external_ids``.

    On PostgreSQL each id of the array is looked up on its own (a lateral
    subquery with a limit, which the planner cannot fold into a join): one probe
    of the unique index per id, whatever it believes of the table. Its statistics
    lag behind a meltdown that adds 150,000 cases in a minute, and with them a
    plain filter or join read every case of the channel, per batch.
    """
    if connection.vendor != "postgresql":
        return Case.objects.filter(any_of(Case, "external_id", external_ids)).filter(
            channel=channel
        )
    quote = connection.ops.quote_name
    return Case.objects.raw(
        "SELECT c.* FROM unnest(%s::text[]) AS wanted(id) CROSS JOIN LATERAL"
        f" (SELECT * FROM {quote(Case._meta.db_table)} one"
        " WHERE one.channel = %s AND one.external_id = wanted.id LIMIT 1) c",
        [external_ids, channel],
    )


def _drop_repeated_ids(fresh):
    seen, kept, repeats = set(), [], []
    for draft, result in fresh:
        key = (draft.channel, draft.external_id)
        if draft.external_id and key in seen:
            repeats.append((draft, result))
            continue
        seen.add(key)
        kept.append((draft, result))
    return kept, repeats


def _triage(drafts: list[CaseDraft], categories) -> list[Triage | None]:
    """Classify the drafts that leave category, kind or priority open.

    A draft that gives all three (a proactive case, an agent's phone form) needs
    no classifier: its entry is None.
    """
    wanted = [
        i for i, d in enumerate(drafts) if not (d.category and d.kind and d.priority)
    ]
    found: list[Triage | None] = [None] * len(drafts)
    if wanted:
        texts = [drafts[i].text for i in wanted]
        for i, triage in zip(
            wanted, triage_texts(texts, categories=categories), strict=True
        ):
            found[i] = triage
    return found


def _content_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()


def _find_duplicates(cases: list[Case], links: list[PassengerLink]) -> dict[int, Case]:
    """Flag the same passenger with the same text inside the duplicate window.

    Passengers new in this batch have no earlier cases: only the others are
    looked up (a disrupted flight's passengers are mostly new).
    """
    window = timedelta(minutes=settings.DUPLICATE_WINDOW_MINUTES)
    earlier: dict[tuple[int, str], Case] = {}
    returning = [
        (case, link.passenger.pk)
        for case, link in zip(cases, links, strict=True)
        if not link.created
    ]
    if returning:
        earliest = min(case.received_at for case, _ in returning) - window
        for case in (
            Case.objects.filter(
                passenger_id__in={pk for _, pk in returning},
                content_hash__in={case.content_hash for case, _ in returning},
                received_at__gte=earliest,
            )
            .only("pk", "number", "passenger_id", "content_hash", "received_at")
            .order_by("received_at")
        ):
            earlier.setdefault((case.passenger_id, case.content_hash), case)
    found: dict[int, Case] = {}
    for case in cases:
        key = (case.passenger.pk, case.content_hash)
        original = earlier.get(key)
        if (
            original is not None
            and abs(case.received_at - original.received_at) <= window
        ):
            # An original from this same batch has no key yet: linked after the insert.
            if original.pk is not None:
                case.duplicate_of = original
            found[id(case)] = original
        else:
            earlier.setdefault(key, case)
    return found


class _SearchDocuments:
    """Build each case's ``search_document``, shared texts' terms once.

    The document lists the CJK terms of all its parts, then their words (see
    ``cases.search``); the two lists of a shared text are kept, so that the 150
    cases of a disrupted flight split their description once, and the start of
    their subjects (``<what happened>: <passenger>``) too. No term spans ": ",
    so the terms of a subject are those of its two sides.
    """

    def __init__(self) -> None:
        self.shared: dict[str, tuple[list[str], list[str]]] = {}

    def _terms_of(self, text: str) -> tuple[list[str], list[str]]:
        found = self.shared.get(text)
        if found is None:
            found = self.shared[text] = _split(search_document(text))
        return found

    def __call__(self, number, email, phone, subject, description) -> str:
        start, colon, rest = (subject or "").rpartition(": ")
        parts = [
            _split(search_document(number, email, phone)),
            self._terms_of(start) if colon else ([], []),
            # A batch's names repeat (families, common names): kept like the rest.
            self._terms_of(rest),
            self._terms_of(description),
        ]
        cjk = [term for terms, _ in parts for term in terms]
        words = [term for _, terms in parts for term in terms]
        return " ".join(dict.fromkeys(cjk + words))


# The CJK ideographs of ``cases.search``: a term starting with one is a CJK term.
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _split(document: str) -> tuple[list[str], list[str]]:
    """Return the CJK terms and the other terms of a search document."""
    cjk, words = [], []
    for term in document.split():
        if _CJK.match(term):
            cjk.append(term)
        else:
            words.append(term)
    return cjk, words


def _new_case(draft, passenger, triage, routes, documents, batch: _Batch) -> Case:
    categories = batch.categories
    if triage is None:
        category = categories[draft.category]
        kind, priority, confidence, needs_triage = (
            draft.kind,
            draft.priority,
            None,
            False,
        )
    else:
        category = categories[draft.category] if draft.category else triage.category
        kind = draft.kind or triage.kind
        priority = draft.priority or triage.priority
        confidence = triage.confidence
        needs_triage = triage.needs_triage and not draft.category
    number = new_case_number()
    values = {
        "number": number,
        "subject": draft.subject,
        "description": draft.description,
        "channel": draft.channel,
        "external_id": draft.external_id,
        "kind": kind,
        "classifier_confidence": confidence,
        "needs_triage": needs_triage,
        "priority": priority,
        "language": draft.language,
        "booking_reference": draft.booking_reference,
        "ticket_number": draft.ticket_number,
        "airline": draft.airline,
        "flight_number": draft.flight_number,
        "flight_date": draft.flight_date,
        "airport": draft.airport,
        "content_hash": _content_hash(draft.text),
        "search_document": documents(
            number,
            draft.email,
            draft.phone,
            draft.subject,
            draft.description if draft.search_words is None else draft.search_words,
        ),
        "received_at": draft.received_at or batch.now,
    }
    related = {
        "category": category,
        "passenger": passenger,
        "department": routes.get(category.pk),
    }
    return new_row(Case, values, related)


def _creation_events(
    fresh, cases, triaged, links, started, duplicates, batch: _Batch
) -> list[Event]:
    """Return each new case's ``case.created`` event (and duplicate flags)."""
    clocks_of = {id(event.case): event.data for event in started}
    label = actor_label(batch.actor)
    now = batch.now
    events = []
    for (draft, _result), case, triage, link in zip(
        fresh, cases, triaged, links, strict=True
    ):
        at = case.received_at if case.received_at <= now else now
        data = {
            "channel": draft.channel,
            "external_id": draft.external_id,
            "classified": {
                "category": case.category.code,
                "kind": case.kind,
                "priority": case.priority,
                "confidence": None if triage is None else round(triage.confidence, 3),
                "by": "given" if draft.category else "classifier",
                "needs_triage": case.needs_triage,
            },
        }
        later = {} if at == now else {"at": now.isoformat()}
        if case.department is not None:
            data["routed"] = {"old": None, "new": case.department.code}
        if case.assignee_id is not None:
            data["assigned"] = {
                "old": None,
                "new": case.assignee_id,
                "rule": ASSIGNMENT_RULE,
                **later,
            }
        if id(case) in clocks_of:
            data["sla"] = {**clocks_of[id(case)], **later}
        if link.changed:
            data["contact_changed"] = link.changed
        if link.withheld:
            # What the sender gave that the passenger row did not take.
            data["contact_given"] = link.withheld
        data.update(batch.notes.get(id(draft), ()))
        events.append(
            _event(case, EventType.CREATED, data, draft.channel, at, batch.actor, label)
        )
        original = duplicates.get(id(case))
        if original is not None:
            flagged = {"duplicate_of": original.number}
            events.append(
                _event(case, EventType.DUPLICATE_FLAGGED, flagged, draft.channel, at)
            )
    return events


def _event(case, type, data, channel, at, actor=None, label=SYSTEM_LABEL) -> Event:
    """Return an unsaved timeline event, as ``build_event`` would, built fast."""
    values = {
        "type": type,
        "actor_label": label,
        "channel": channel,
        "data": data,
        "occurred_at": at,
    }
    return new_row(Event, values, {"case": case, "actor": actor})


def parse_received_at(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone())
    return value
