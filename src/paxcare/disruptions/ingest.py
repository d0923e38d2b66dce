"""Record what operations say about flights: schedules, delays, cancellations.

``record_flight_events`` takes a batch (an import sends thousands of flights, the
API one) and answers one outcome per event:

- ``recorded``: the flight is stored or updated; nothing calls for care;
- ``created``: the flight is disrupted enough to care: a new disruption, version 1;
- ``updated``: a corrected event (a delay that grows, a delay that becomes a
  cancellation): the same disruption, one version more;
- ``unchanged``: the same event again; nothing is written but a newer
  ``issued_at``, so that an older event arriving later is stale;
- ``stale``: an event issued before the one already applied; ignored.

Each event is the whole current picture of its flight, not a difference: a field
it leaves out is no longer known. Opening the passengers' cases is the next step
(``paxcare.disruptions.proactive``), run by whoever called.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from paxcare.bulk import insert_rows
from paxcare.disruptions.care import build_request
from paxcare.disruptions.flight_events import FlightEvent
from paxcare.disruptions.models import (
    Disruption,
    DisruptionKind,
    DisruptionRevision,
    Flight,
)
from paxcare.remedies.services import assess

logger = logging.getLogger(__name__)

RECORDED, CREATED, UPDATED, UNCHANGED, STALE = (
    "recorded",
    "created",
    "updated",
    "unchanged",
    "stale",
)
FLIGHT_FIELDS = (
    "carrier",
    "carrier_country",
    "destination",
    "scheduled_departure",
    "scheduled_arrival",
    "estimated_departure",
    "estimated_arrival",
    "actual_departure",
    "actual_arrival",
    "diverted_to",
    "status",
    "delay_code",
    "cause",
)


@dataclass
class IngestResult:
    outcome: str
    flight: Flight
    disruption: Disruption | None = None


@dataclass
class _Pending:
    """What one batch will write, gathered before anything is written."""

    new_flights: list[Flight]
    changed_flights: dict[int, Flight]
    new_disruptions: list[Disruption]
    changed_disruptions: dict[int, Disruption]
    revisions: list[tuple[Disruption, DisruptionRevision]]


def record_flight_event(event: FlightEvent, *, source: str = "api") -> IngestResult:
    """Record one event; see ``record_flight_events``."""
    return record_flight_events([event], source=source)[0]


def record_flight_events(
    events: Sequence[FlightEvent], *, source: str = "api", at: datetime | None = None
) -> list[IngestResult]:
    """Record a batch of flight events in one transaction; one result per event."""
    at = at or timezone.now()
    with transaction.atomic():
        flights = _locked_flights(events)
        disruptions = {
            d.flight_id: d
            for d in Disruption.objects.select_for_update().filter(
                flight__in=[f.pk for f in flights.values()]
            )
        }
        pending = _Pending([], {}, [], {}, [])
        results = [
            _apply(event, flights, disruptions, pending, source, at) for event in events
        ]
        _write(pending)
    counts: dict[str, int] = {}
    for result in results:
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
    logger.info("disruptions: %d flight events recorded: %s", len(events), counts)
    return results


def _key(event_or_flight) -> tuple:
    return (
        event_or_flight.flight_number,
        event_or_flight.flight_date,
        event_or_flight.origin,
    )


def _locked_flights(events: Sequence[FlightEvent]) -> dict[tuple, Flight]:
    numbers = {e.flight_number for e in events}
    dates = {e.flight_date for e in events}
    wanted = {_key(e) for e in events}
    found = (
        Flight.objects.select_for_update()
        .filter(flight_number__in=numbers, flight_date__in=dates)
        .order_by("pk")
    )
    return {_key(f): f for f in found if _key(f) in wanted}


def _apply(event, flights, disruptions, pending: _Pending, source, at) -> IngestResult:
    flight = flights.get(_key(event))
    disruption = None
    if flight is None:
        flight = Flight(
            flight_number=event.flight_number,
            flight_date=event.flight_date,
            origin=event.origin,
        )
        flights[_key(event)] = flight
        pending.new_flights.append(flight)
    else:
        disruption = disruptions.get(flight.pk) or _new_in_batch(flight, pending)
    if disruption is not None and _is_stale(event, disruption):
        return IngestResult(STALE, flight, disruption)
    flight_changed = _update_flight(flight, event)
    if flight_changed and flight.pk is not None:
        flight.updated_at = at
        pending.changed_flights[flight.pk] = flight
    if disruption is None:
        if not event.qualifies():
            return IngestResult(RECORDED if flight_changed else UNCHANGED, flight)
        disruption = _open(flight, event, source, at)
        pending.new_disruptions.append(disruption)
        _revise(disruption, event, pending, at)
        return IngestResult(CREATED, flight, disruption)
    if disruption.fingerprint == event.fingerprint():
        _note_issued_at(disruption, event, pending)
        return IngestResult(UNCHANGED, flight, disruption)
    _correct(disruption, flight, event, at)
    if disruption.pk is not None:
        pending.changed_disruptions[disruption.pk] = disruption
    _revise(disruption, event, pending, at)
    return IngestResult(UPDATED, flight, disruption)


def _new_in_batch(flight: Flight, pending: _Pending) -> Disruption | None:
    """Return the disruption this batch already opened for ``flight``, if any."""
    for disruption in pending.new_disruptions:
        if disruption.flight is flight:
            return disruption
    return None


def _note_issued_at(disruption: Disruption, event: FlightEvent, pending) -> None:
    """Keep the newer ``issued_at`` of a repeated picture; an older one is stale."""
    if not event.issued_at or (
        disruption.issued_at and event.issued_at <= disruption.issued_at
    ):
        return
    disruption.issued_at = event.issued_at
    if disruption.pk is not None:
        pending.changed_disruptions[disruption.pk] = disruption


def _is_stale(event: FlightEvent, disruption: Disruption) -> bool:
    return bool(
        event.issued_at
        and disruption.issued_at
        and event.issued_at < disruption.issued_at
    )


def _update_flight(flight: Flight, event: FlightEvent) -> bool:
    """Copy the event's picture onto the flight; return whether anything changed."""
    values = {
        "carrier": event.carrier,
        "carrier_country": event.carrier_country,
        "destination": event.destination,
        "scheduled_departure": event.scheduled_departure,
        "scheduled_arrival": event.scheduled_arrival,
        # A schedule change's new times are the times the flight now operates.
        "estimated_departure": event.new_departure or event.estimated_departure,
        "estimated_arrival": event.new_arrival or event.estimated_arrival,
        "actual_departure": event.actual_departure,
        "actual_arrival": event.actual_arrival,
        "diverted_to": event.diverted_to,
        "status": event.status,
        "delay_code": event.delay_code,
        "cause": event.cause_class,
    }
    changed = False
    for name in FLIGHT_FIELDS:
        if getattr(flight, name) != values[name]:
            setattr(flight, name, values[name])
            changed = True
    return changed


def _kind_of(event: FlightEvent) -> str:
    # An "on time" report about a disrupted flight is a delay that shrank to nothing.
    if event.type in DisruptionKind.values:
        return event.type
    return DisruptionKind.DELAY


def _open(flight: Flight, event: FlightEvent, source: str, at) -> Disruption:
    disruption = Disruption(
        flight=flight,
        kind=_kind_of(event),
        version=1,
        source=source,
        opened_at=at,
    )
    _fill(disruption, flight, event, at)
    return disruption


def _correct(disruption: Disruption, flight: Flight, event: FlightEvent, at) -> None:
    disruption.version += 1
    disruption.kind = _kind_of(event)
    _fill(disruption, flight, event, at)


def _fill(disruption: Disruption, flight: Flight, event: FlightEvent, at) -> None:
    disruption.fingerprint = event.fingerprint()
    disruption.issued_at = event.issued_at or disruption.issued_at
    disruption.arrival_delay_minutes = event.arrival_delay_minutes
    disruption.notified_at = event.notified_at
    disruption.qualifies = event.qualifies()
    disruption.updated_at = at
    disruption.public_entitlements = public_entitlements(flight, disruption)


def public_entitlements(flight: Flight, disruption: Disruption) -> dict:
    """Assess a passenger in general (no fare, no connection) for the public page."""
    answer = assess(build_request(flight, disruption, None))
    return {
        "entitlements": [
            {
                "regime": e["regime"],
                "kind": e["kind"],
                "code": e["code"],
                "amount": e["amount"],
                "currency": e["currency"],
                "explanation": e["explanation"],
            }
            for e in answer.get("entitlements", [])
        ],
        "error": answer.get("error"),
    }


def _revise(disruption, event: FlightEvent, pending: _Pending, at) -> None:
    revision = DisruptionRevision(
        version=disruption.version,
        kind=disruption.kind,
        data=event.to_data(),
        received_at=at,
    )
    pending.revisions.append((disruption, revision))


def _write(pending: _Pending) -> None:
    insert_rows(pending.new_flights)
    if pending.changed_flights:
        Flight.objects.bulk_update(
            list(pending.changed_flights.values()), [*FLIGHT_FIELDS, "updated_at"]
        )
    for disruption in pending.new_disruptions:
        disruption.flight_id = disruption.flight.pk
    insert_rows(pending.new_disruptions)
    if pending.changed_disruptions:
        Disruption.objects.bulk_update(
            list(pending.changed_disruptions.values()),
            [
                "kind",
                "version",
                "fingerprint",
                "issued_at",
                "arrival_delay_minutes",
                "notified_at",
                "qualifies",
                "updated_at",
                "public_entitlements",
            ],
        )
    for disruption, revision in pending.revisions:
        revision.disruption_id = disruption.pk
    insert_rows([revision for _, revision in pending.revisions])
