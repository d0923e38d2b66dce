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

from paxcare.bulk import insert_rows
from paxcare.cases.events import EventType, actor_label, announce, build_event
from paxcare.cases.models import Case, Event
from paxcare.cases.numbers import new_case_number
from paxcare.crm.services import link_passengers
from paxcare.errors import FieldError, InvalidInput
from paxcare.intake.drafts import CaseDraft, clean_draft
from paxcare.routing.services import assign_new_cases, routes_by_category
from paxcare.sla import services as sla
from paxcare.triage.services import categories_by_code, triage_texts

logger = logging.getLogger(__name__)


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

    cases = []
    for (draft, _result), passenger, triage in zip(
        fresh, passengers, triaged, strict=True
    ):
        category = categories[draft.category] if draft.category else triage.category
        cases.append(
            Case(
                number=new_case_number(),
                subject=draft.subject,
                description=draft.description,
                channel=draft.channel,
                external_id=draft.external_id,
                kind=draft.kind or triage.kind,
                category=category,
                classifier_confidence=triage.confidence,
                needs_triage=triage.needs_triage and not draft.category,
                priority=draft.priority or triage.priority,
                language=draft.language,
                passenger=passenger,
                booking_reference=draft.booking_reference,
                ticket_number=draft.ticket_number,
                airline=draft.airline,
                flight_number=draft.flight_number,
                flight_date=draft.flight_date,
                airport=draft.airport,
                department=routes.get(category.pk),
                content_hash=_content_hash(draft.text),
                received_at=draft.received_at or now,
            )
        )
    duplicates = _find_duplicates(cases)
    assigned = assign_new_cases(cases, at=now)
    insert_rows(cases)
    within_batch = [c for c in cases if id(c) in duplicates and c.duplicate_of is None]
    for case in within_batch:
        case.duplicate_of = duplicates[id(case)]
    if within_batch:
        Case.objects.bulk_update(within_batch, ["duplicate_of"])
    events = _creation_events(fresh, cases, triaged, duplicates, actor, now)
    insert_rows(events + assigned)
    announce(events + assigned)
    sla.start_clocks(cases, at=now)
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


def _creation_events(fresh, cases, triaged, duplicates, actor, now) -> list[Event]:
    events = []
    label = actor_label(actor) if actor else None
    for (draft, _result), case, triage in zip(fresh, cases, triaged, strict=True):
        at = case.received_at if case.received_at <= now else now
        events.append(
            build_event(
                case,
                EventType.CREATED,
                actor=actor,
                label=label,
                channel=draft.channel,
                data={"channel": draft.channel, "external_id": draft.external_id},
                at=at,
            )
        )
        events.append(
            build_event(
                case,
                EventType.CLASSIFIED,
                channel=draft.channel,
                at=at,
                data={
                    "category": case.category.code,
                    "kind": case.kind,
                    "priority": case.priority,
                    "confidence": round(triage.confidence, 3),
                    "by": "given" if draft.category else "classifier",
                    "needs_triage": case.needs_triage,
                },
            )
        )
        if case.department is not None:
            events.append(
                build_event(
                    case,
                    EventType.ROUTED,
                    channel=draft.channel,
                    at=at,
                    data={"old": None, "new": case.department.code},
                )
            )
        original = duplicates.get(id(case))
        if original is not None:
            events.append(
                build_event(
                    case,
                    EventType.DUPLICATE_FLAGGED,
                    channel=draft.channel,
                    at=at,
                    data={"duplicate_of": original.number},
                )
            )
    return events


def parse_received_at(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone())
    return value
