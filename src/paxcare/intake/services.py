"""Intake: the one way a case comes to exist, whatever the channel.

``open_cases`` is batch-first so that an import of thousands of posts costs a handful
of queries per batch, not per post; ``open_case`` is the same pipeline for one draft.
The steps: check the drafts, drop those whose external id is known, link passengers,
classify, route, assign, insert, start the SLA clocks, write the timeline.
"""

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from paxcare.bulk import insert_rows, new_row
from paxcare.cases.events import EventType, actor_label, announce
from paxcare.cases.models import Case, Event
from paxcare.cases.numbers import new_case_number
from paxcare.cases.search import search_document
from paxcare.crm.services import link_passengers
from paxcare.errors import FieldError, InvalidInput
from paxcare.intake.drafts import CaseDraft, clean_draft
from paxcare.routing.services import assign_new_cases, routes_by_category
from paxcare.sla import services as sla
from paxcare.triage.services import categories_by_code, triage_texts

logger = logging.getLogger(__name__)

# What build_event writes for PaxCare's own entries (no actor).
SYSTEM_LABEL = actor_label(None)


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


def open_cases(drafts: Sequence[CaseDraft], *, actor=None) -> list[IntakeResult]:
    """Open a case for each good draft; report each bad one with its errors."""
    categories = categories_by_code()
    results = [IntakeResult() for _ in drafts]
    good: list[int] = []
    for index, draft in enumerate(drafts):
        results[index].errors = clean_draft(draft, set(categories))
        if not results[index].errors:
            good.append(index)
    if not good:
        return results
    attempts = 3
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                _open_batch(
                    [drafts[i] for i in good],
                    [results[i] for i in good],
                    categories,
                    actor,
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


def _open_batch(drafts, results, categories, actor) -> None:
    now = timezone.now()
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
    fresh = [(d, r) for d, r in fresh if r.case is None]
    fresh, repeats = _drop_repeated_ids(fresh)
    if not fresh:
        return
    passengers = link_passengers([d for d, _ in fresh])
    triaged = triage_texts([d.text for d, _ in fresh], categories=categories)
    routes = routes_by_category()

    cases = [
        _new_case(draft, passenger, triage, categories, routes, now)
        for (draft, _result), passenger, triage in zip(
            fresh, passengers, triaged, strict=True
        )
    ]
    duplicates = _find_duplicates(cases)
    assigned = assign_new_cases(cases, at=now)
    insert_rows(cases)
    within_batch = [c for c in cases if id(c) in duplicates and c.duplicate_of is None]
    for case in within_batch:
        case.duplicate_of = duplicates[id(case)]
    if within_batch:
        Case.objects.bulk_update(within_batch, ["duplicate_of"])
    clocks, started = sla.plan_clocks(cases, at=now, new_cases=True)
    insert_rows(clocks)
    events = _creation_events(fresh, cases, triaged, duplicates, actor, now)
    events += assigned + started
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


def _known_external_ids(drafts) -> dict:
    by_channel: dict[str, list[str]] = {}
    for draft in drafts:
        if draft.external_id:
            by_channel.setdefault(draft.channel, []).append(draft.external_id)
    known: dict = {}
    for channel, ids in by_channel.items():
        for case in Case.objects.filter(channel=channel, external_id__in=ids):
            known[(channel, case.external_id)] = case
    return known


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


def _content_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()


def _find_duplicates(cases: list[Case]) -> dict[int, Case]:
    """Flag the same passenger with the same text inside the duplicate window."""
    window = timedelta(minutes=settings.DUPLICATE_WINDOW_MINUTES)
    passenger_ids = {c.passenger.pk for c in cases}
    hashes = {c.content_hash for c in cases}
    earliest = min(c.received_at for c in cases) - window
    earlier: dict[tuple[int, str], Case] = {}
    for case in (
        Case.objects.filter(
            passenger_id__in=passenger_ids,
            content_hash__in=hashes,
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


def _new_case(draft, passenger, triage, categories, routes, now) -> Case:
    category = categories[draft.category] if draft.category else triage.category
    number = new_case_number()
    values = {
        "number": number,
        "subject": draft.subject,
        "description": draft.description,
        "channel": draft.channel,
        "external_id": draft.external_id,
        "kind": draft.kind or triage.kind,
        "classifier_confidence": triage.confidence,
        "needs_triage": triage.needs_triage and not draft.category,
        "priority": draft.priority or triage.priority,
        "language": draft.language,
        "booking_reference": draft.booking_reference,
        "ticket_number": draft.ticket_number,
        "airline": draft.airline,
        "flight_number": draft.flight_number,
        "flight_date": draft.flight_date,
        "airport": draft.airport,
        "content_hash": _content_hash(draft.text),
        "search_document": search_document(
            number, draft.email, draft.phone, draft.subject, draft.description
        ),
        "received_at": draft.received_at or now,
    }
    related = {
        "category": category,
        "passenger": passenger,
        "department": routes.get(category.pk),
    }
    return new_row(Case, values, related)


def _creation_events(fresh, cases, triaged, duplicates, actor, now) -> list[Event]:
    events = []
    label = actor_label(actor)
    for (draft, _result), case, triage in zip(fresh, cases, triaged, strict=True):
        at = case.received_at if case.received_at <= now else now
        channel = draft.channel
        events.append(
            _event(
                case,
                EventType.CREATED,
                {"channel": channel, "external_id": draft.external_id},
                channel,
                at,
                actor=actor,
                label=label,
            )
        )
        classified = {
            "category": case.category.code,
            "kind": case.kind,
            "priority": case.priority,
            "confidence": round(triage.confidence, 3),
            "by": "given" if draft.category else "classifier",
            "needs_triage": case.needs_triage,
        }
        events.append(_event(case, EventType.CLASSIFIED, classified, channel, at))
        if case.department is not None:
            routed = {"old": None, "new": case.department.code}
            events.append(_event(case, EventType.ROUTED, routed, channel, at))
        original = duplicates.get(id(case))
        if original is not None:
            flagged = {"duplicate_of": original.number}
            events.append(
                _event(case, EventType.DUPLICATE_FLAGGED, flagged, channel, at)
            )
    return events


def _event(case, type, data, channel, at, *, actor=None, label=SYSTEM_LABEL) -> Event:
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
