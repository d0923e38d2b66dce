"""Remedies use cases on a case: its facts, what is owed, goodwill, the playbook.

Offers and their approval live in ``paxcare.remedies.offers``, ledger totals in
``paxcare.remedies.ledger``. Every change runs in one transaction and writes a case
Event; lookups are scoped to who asks (``may_work`` for changes).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from paxcare.cases.events import record_event
from paxcare.cases.models import Case
from paxcare.cases.services import may_work
from paxcare.errors import Conflict, FieldError, InvalidInput, PermissionDenied
from paxcare.remedies import clocks
from paxcare.remedies.engine.parse import InputError, parse_assessment
from paxcare.remedies.engine.reference import default_carriers
from paxcare.remedies.engine.service import assess_request
from paxcare.remedies.engine.types import Carrier as CarrierFacts
from paxcare.remedies.facts import assessment_request, delay_minutes, flight_of
from paxcare.remedies.models import (
    Carrier,
    CaseFacts,
    CaseSegment,
    CaseStep,
    GoodwillRule,
    Playbook,
    PlaybookStep,
)
from paxcare.remedies.regimes.exchange import rates_from, table_rate

logger = logging.getLogger(__name__)


class RemedyEvent:
    """Timeline event types written by the remedies app."""

    FACTS_SAVED = "remedy.facts_saved"
    STEP_DONE = "playbook.step_done"
    STEP_UNDONE = "playbook.step_undone"
    PROPOSED = "remedy.proposed"
    APPROVED = "remedy.approved"
    OFFERED = "remedy.offered"
    ACCEPTED = "remedy.accepted"
    DECLINED = "remedy.declined"
    EXPIRED = "remedy.expired"
    PAID = "remedy.paid"


# --- Carrier registry -----------------------------------------------------------


def carrier_registry() -> tuple[dict[str, CarrierFacts] | None, str | None]:
    """Return the carrier registry and a version text, or (None, None) for defaults.

    The administrators' rows (``Carrier``) add to and override the shipped file.
    """
    rows = list(
        Carrier.objects.order_by("code").values_list(
            "code", "name", "country", "appr_size"
        )
    )
    if not rows:
        return None, None
    registry = dict(default_carriers())
    for code, name, country, size in rows:
        code = code.upper()
        registry[code] = CarrierFacts(
            code=code, name=name, country=country.upper(), appr_size=size or None
        )
    version = hashlib.sha1(repr(rows).encode(), usedforsecurity=False).hexdigest()
    return registry, version


def assess(data: Any) -> dict[str, Any]:
    """Assess one JSON-like request with the administrators' carrier registry and
    their exchange rates (a US denied-boarding fare in another currency is
    converted to compare it with the caps in dollars)."""
    registry, version = carrier_registry()
    with rates_from(table_rate):
        return assess_request(data, registry, version)


# --- Facts ----------------------------------------------------------------------

# Engine field paths and the form fields they belong to.
EVENT_FIELDS = {
    "event.type": "event_type",
    "event.cause": "cause",
    "event.segment_index": "disrupted_position",
    "event.actual_arrival": "actual_arrival",
    "event.actual_departure": "actual_departure",
    "event.notified_at": "notified_at",
    "event.rerouting.departure": "rerouted_departure",
    "event.rerouting.arrival": "rerouted_arrival",
    "event.from_cabin": "from_cabin",
    "event.to_cabin": "to_cabin",
    "event.segment_fare.amount": "segment_fare_amount",
    "event.segment_fare.currency": "segment_fare_amount",
    "event.delivered_at": "bag_delivered_at",
    "event.complained_at": "complained_at",
    "event.bag_fee.amount": "bag_fee_amount",
    "event.bag_fee.currency": "bag_fee_amount",
    "event.bag_weight_kg": "bag_weight_kg",
    "passenger.one_way_fare.amount": "fare_amount",
    "passenger.one_way_fare.currency": "fare_amount",
}


@dataclass(frozen=True)
class CaseFactsView:
    """A case's saved facts with their itinerary, ordered."""

    facts: CaseFacts
    segments: list[CaseSegment]


def case_facts(case: Case) -> CaseFactsView | None:
    """Return the facts saved for ``case``, or None."""
    facts = CaseFacts.objects.filter(case=case).first()
    if facts is None:
        return None
    segments = list(facts.segments.order_by("position"))
    if not segments:
        return None
    return CaseFactsView(facts, segments)


def save_case_facts(
    case: Case,
    fields: dict[str, Any],
    segments: Sequence[dict[str, Any]],
    *,
    actor,
    at: datetime | None = None,
) -> CaseFactsView:
    """Replace the case's facts and itinerary after the engine has checked them.

    ``fields`` are ``CaseFacts`` fields, ``segments`` dicts of ``CaseSegment`` fields
    in flight order, times aware. Raise InvalidInput naming the fields at fault.
    """
    if not may_work(actor, case):
        raise PermissionDenied(_("You may not change this case."))
    if not segments:
        raise InvalidInput([FieldError("segments", _("Give at least one flight."))])
    facts = CaseFacts(case=case, **fields)
    rows = [
        CaseSegment(position=index, **segment)
        for index, segment in enumerate(segments, start=1)
    ]
    _check_with_engine(case, facts, rows)
    at = at or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        existing = CaseFacts.objects.filter(case=case).first()
        if existing is not None:
            facts.pk = existing.pk
        facts.updated_by = actor
        facts.save()
        facts.segments.all().delete()
        for row in rows:
            row.facts = facts
        CaseSegment.objects.bulk_create(rows)
        record_event(
            case,
            RemedyEvent.FACTS_SAVED,
            actor=actor,
            data={
                "event_type": facts.event_type,
                "cause": facts.cause,
                "flights": [
                    f"{r.flight_number} {r.origin}-{r.destination}" for r in rows
                ],
            },
            at=at,
        )
        view = CaseFactsView(facts, rows)
        clocks.start_for_assessment(case, case_assessment(case, view))
    logger.info("remedies: facts saved on case %s", case.number)
    return view


def _check_with_engine(case: Case, facts: CaseFacts, rows: list[CaseSegment]) -> None:
    registry, _version = carrier_registry()
    try:
        parse_assessment(assessment_request(facts, rows, case.number), registry)
    except InputError as error:
        raise InvalidInput([_field_error(f, rows) for f in error.fields]) from error


ENGINE_MESSAGES = {
    "required": lambda: _("This field is required."),
    "unknown_airport": lambda: _("Not a known IATA airport code."),
    "arrival_before_departure": lambda: _("Must be later than the departure."),
    "delivered_before_departure": lambda: _("Must be later than the departure."),
    "not_a_downgrade": lambda: _("Must be a lower class than the booked one."),
    "out_of_range": lambda: _("Choose one of the flights of the itinerary."),
    "unknown_carrier": lambda: _(
        "This carrier is not in the carrier registry: an administrator can add it."
    ),
    "date_out_of_range": lambda: _("Must be a date in the years 1900 to 2999."),
    "same_airport": lambda: _("Must be another airport than the departure."),
    "departs_before_previous_arrival": lambda: _(
        "Must be later than the previous flight's scheduled arrival."
    ),
    "not_connected": lambda: _(
        "Must be where the previous flight lands, or an airport near it."
    ),
    "notified_after_departure": lambda: _(
        "Must be before the scheduled departure, or at most 3 days after it."
    ),
    "weight_too_large": lambda: _("Must be at most 500 kg."),
    "too_many": lambda: _("An itinerary holds at most 16 flights."),
}


def _field_error(fault, rows: list[CaseSegment]) -> FieldError:
    message = ENGINE_MESSAGES.get(fault.code, lambda: fault.message)()
    path = fault.field
    if path.startswith("segments["):
        index, _sep, name = path[len("segments[") :].partition("].")
        return FieldError(f"segments.{index}.{name}", message, fault.code)
    if path.startswith("carriers."):
        code = path.split(".", 1)[1]
        for index, row in enumerate(rows):
            if (row.operating_carrier or row.marketing_carrier) == code:
                field = (
                    "operating_carrier"
                    if row.operating_carrier
                    else "marketing_carrier"
                )
                return FieldError(f"segments.{index}.{field}", message, fault.code)
    return FieldError(EVENT_FIELDS.get(path, "__all__"), message, fault.code)


def case_assessment(
    case: Case, view: CaseFactsView | None = None
) -> dict[str, Any] | None:
    """Return the engine's answer for the case's facts, or None without facts."""
    view = view or case_facts(case)
    if view is None:
        return None
    return assess(assessment_request(view.facts, view.segments, case.number))


@dataclass(frozen=True)
class KnownTrip:
    """A case's trip as another app knows it, before any facts are saved on it.

    ``request`` is an engine request (``docs/remedies.md``); ``source`` says in
    words where it comes from, for the agent ("the disruption of UA623 ...").
    """

    request: dict[str, Any]
    source: str


# Functions ``case -> KnownTrip | None`` of apps that know a case's trip without
# saved facts (the disruptions app: the flight and the passenger's manifest row).
# They register in their AppConfig.ready(); remedies imports none of them.
TRIP_SOURCES: list[Any] = []


def known_trip(case: Case) -> KnownTrip | None:
    """Return the first trip a registered source knows for ``case``, or None."""
    for source in TRIP_SOURCES:
        trip = source(case)
        if trip is not None:
            return trip
    return None


def trip_assessment(case: Case, trip: KnownTrip) -> dict[str, Any]:
    """Return the engine's answer for a known trip, under the case's number."""
    return assess({**trip.request, "id": case.number})


def case_flight(
    case: Case, view: CaseFactsView | None = None
) -> tuple[str, date | None]:
    """Return the disrupted flight and its date: from the facts, else the case."""
    view = view or case_facts(case)
    if view is not None:
        return flight_of(view.facts, view.segments)
    return case.flight_number, case.flight_date


def case_flights(cases: Sequence[Case]) -> dict[int, tuple[str, date | None]]:
    """Return ``case_flight`` of many cases at once, by case id (two queries)."""
    flights = {case.pk: (case.flight_number, case.flight_date) for case in cases}
    saved = CaseFacts.objects.filter(case__in=list(flights)).prefetch_related(
        Prefetch("segments", queryset=CaseSegment.objects.order_by("position"))
    )
    for facts in saved:
        segments = list(facts.segments.all())
        if segments:
            flights[facts.case_id] = flight_of(facts, segments)
    return flights


# --- Goodwill -------------------------------------------------------------------


def goodwill_rules_in_force(on: date) -> list[GoodwillRule]:
    """Return the active goodwill rules in force on ``on``, in display order."""
    return list(
        GoodwillRule.objects.filter(is_active=True, effective_from__lte=on).filter(
            Q(effective_until__isnull=True) | Q(effective_until__gte=on)
        )
    )


def goodwill_for_case(
    case: Case, view: CaseFactsView | None = None
) -> list[GoodwillRule]:
    """Return the goodwill rules that match the case's event, delay band and cabin."""
    view = view or case_facts(case)
    if view is None:
        return []
    facts = view.facts
    _flight, on = flight_of(facts, view.segments)
    delay = delay_minutes(facts, view.segments)
    cabin = facts.cabin or facts.from_cabin
    matched = []
    for rule in goodwill_rules_in_force(on or timezone.localdate()):
        if rule.event_type != facts.event_type:
            continue
        if rule.cabin and rule.cabin != cabin:
            continue
        if delay is None:
            if rule.min_delay_minutes:
                continue
        elif delay < rule.min_delay_minutes or (
            rule.max_delay_minutes is not None and delay >= rule.max_delay_minutes
        ):
            continue
        matched.append(rule)
    return matched


# --- Playbooks ------------------------------------------------------------------


@dataclass(frozen=True)
class StepState:
    step: PlaybookStep
    done: CaseStep | None


def playbook_for_case(case: Case) -> Playbook | None:
    """Return the active playbook of the case's category, or None."""
    return Playbook.objects.filter(category_id=case.category_id, is_active=True).first()


def playbook_status(case: Case) -> tuple[Playbook | None, list[StepState]]:
    """Return the case's playbook and each step with its tick, in order."""
    playbook = playbook_for_case(case)
    if playbook is None:
        return None, []
    done = {
        tick.step_id: tick
        for tick in CaseStep.objects.filter(case=case).select_related("done_by")
    }
    return playbook, [StepState(s, done.get(s.pk)) for s in playbook.steps.all()]


def open_required_steps(case: Case) -> list[PlaybookStep]:
    """Return the required steps of the case's playbook that are not done."""
    _playbook, states = playbook_status(case)
    return [s.step for s in states if s.step.required and s.done is None]


def ensure_resolvable(case: Case) -> None:
    """Raise Conflict, listing them, when required playbook steps are still open."""
    missing = open_required_steps(case)
    if not missing:
        return
    raise Conflict(
        _("Complete the required steps of the playbook first: %(steps)s.")
        % {"steps": "; ".join(step.title for step in missing)},
        code="playbook_incomplete",
    )


def tick_step(
    case: Case, step_id: int, *, actor, note: str = "", at: datetime | None = None
) -> CaseStep:
    """Mark a step of the case's playbook done; write a playbook.step_done Event."""
    step = _step_of(case, step_id, actor)
    note = (note or "").strip()
    if len(note) > 300:
        raise InvalidInput([FieldError("note", _("At most 300 characters."))])
    at = at or timezone.now()
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        tick, created = CaseStep.objects.get_or_create(
            case=case,
            step=step,
            defaults={"done_at": at, "done_by": actor, "note": note},
        )
        if created:
            record_event(
                case,
                RemedyEvent.STEP_DONE,
                actor=actor,
                data=_step_data(step, note),
                at=at,
            )
    return tick


def tick_proven_steps(
    case: Case, proofs: dict[str, str], *, actor, at: datetime | None = None
) -> list[PlaybookStep]:
    """Tick the open steps of the case's playbook that ``proofs`` covers.

    ``proofs`` maps a step code to the note that says what proves the step done
    (a record another app holds); each tick is the actor's, as if by hand, with a
    ``playbook.step_done`` Event. Steps of other codes stay as they are. Return the
    steps ticked.
    """
    _playbook, states = playbook_status(case)
    ticked = []
    for state in states:
        note = proofs.get(state.step.code)
        if state.done is None and note:
            tick_step(case, state.step.pk, actor=actor, note=note[:300], at=at)
            ticked.append(state.step)
    return ticked


def untick_step(case: Case, step_id: int, *, actor, at: datetime | None = None) -> None:
    """Mark a step not done again; write a playbook.step_undone Event."""
    step = _step_of(case, step_id, actor)
    at = at or timezone.now()
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        deleted, _rows = CaseStep.objects.filter(case=case, step=step).delete()
        if deleted:
            record_event(
                case, RemedyEvent.STEP_UNDONE, actor=actor, data=_step_data(step), at=at
            )


def _step_of(case: Case, step_id: int, actor) -> PlaybookStep:
    if not may_work(actor, case):
        raise PermissionDenied(_("You may not change this case."))
    playbook = playbook_for_case(case)
    step = playbook.steps.filter(pk=step_id).first() if playbook else None
    if step is None:
        raise Conflict(
            _("This step is not part of the case's playbook."), "unknown_step"
        )
    return step


def _step_data(step: PlaybookStep, note: str = "") -> dict[str, Any]:
    data: dict[str, Any] = {
        "step": step.pk,
        "code": step.code,
        "title": {"en": step.title_en, "zh": step.title_zh},
    }
    if note:
        data["note"] = note
    return data
