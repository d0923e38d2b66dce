"""A case's facts as the engine reads them, and the measures goodwill rules use.

Times are stored in UTC and handed to the engine in the local time of the airport
they belong to, so that dates (the flight date, the day a bag was delivered) are
the dates people at that airport saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from paxcare.remedies.engine.facts import zone
from paxcare.remedies.engine.reference import airport
from paxcare.remedies.models import CaseFacts, CaseSegment, EventKind

MINUTE = 60


def local(moment: datetime | None, code: str) -> datetime | None:
    """Return ``moment`` in the time zone of airport ``code`` (UTC if unknown)."""
    if moment is None:
        return None
    found = airport(code) if code else None
    return moment.astimezone(zone(found.tz)) if found else moment


def _iso(moment: datetime | None, code: str) -> str | None:
    shown = local(moment, code)
    return shown.isoformat() if shown else None


def _money(amount: Decimal | None, currency: str) -> dict[str, str] | None:
    if amount is None or not currency:
        return None
    return {"amount": str(amount), "currency": currency}


def disrupted(facts: CaseFacts, segments: Sequence[CaseSegment]) -> CaseSegment:
    """Return the flight the event happened on (the last one for baggage)."""
    if facts.disrupted_position and 1 <= facts.disrupted_position <= len(segments):
        return segments[facts.disrupted_position - 1]
    if facts.event_type.startswith("baggage_"):
        return segments[-1]
    return segments[0]


def assessment_request(
    facts: CaseFacts, segments: Sequence[CaseSegment], identifier: str | None = None
) -> dict[str, Any]:
    """Return the engine request of a case's facts and itinerary."""
    flight = disrupted(facts, segments)
    final = segments[-1].destination
    event: dict[str, Any] = {"type": facts.event_type}
    if facts.disrupted_position:
        event["segment_index"] = facts.disrupted_position - 1
    optional = {
        "cause": facts.cause or None,
        "actual_departure": _iso(facts.actual_departure, flight.origin),
        "actual_arrival": _iso(facts.actual_arrival, final),
        "notified_at": _iso(facts.notified_at, flight.origin),
        "from_cabin": facts.from_cabin or None,
        "to_cabin": facts.to_cabin or None,
        "segment_fare": _money(facts.segment_fare_amount, facts.segment_fare_currency),
        "delivered_at": _iso(facts.bag_delivered_at, final),
        "complained_at": _iso(facts.complained_at, final),
        "bag_fee": _money(facts.bag_fee_amount, facts.bag_fee_currency),
        "bag_weight_kg": str(facts.bag_weight_kg) if facts.bag_weight_kg else None,
    }
    event.update({key: value for key, value in optional.items() if value})
    if facts.voluntary:
        event["voluntary"] = True
    if facts.rerouted_departure and facts.rerouted_arrival:
        event["rerouting"] = {
            "departure": _iso(facts.rerouted_departure, flight.origin),
            "arrival": _iso(facts.rerouted_arrival, final),
        }
    passenger = {
        key: value
        for key, value in {
            "one_way_fare": _money(facts.fare_amount, facts.fare_currency),
            "cabin": facts.cabin or None,
        }.items()
        if value
    }
    return {
        "id": identifier,
        "segments": [_segment(s) for s in segments],
        "event": event,
        "passenger": passenger,
    }


def _segment(segment: CaseSegment) -> dict[str, Any]:
    return {
        "marketing_carrier": segment.marketing_carrier,
        "operating_carrier": segment.operating_carrier or segment.marketing_carrier,
        "flight_number": segment.flight_number,
        "origin": segment.origin,
        "destination": segment.destination,
        "scheduled_departure": _iso(segment.scheduled_departure, segment.origin),
        "scheduled_arrival": _iso(segment.scheduled_arrival, segment.destination),
    }


def delay_minutes(facts: CaseFacts, segments: Sequence[CaseSegment]) -> int | None:
    """Return the delay goodwill bands measure, or None when it is not known.

    Flights: the lateness at the final destination (of the new flight after a
    cancellation or denied boarding). Delayed bags: the time from the arrival to
    the delivery of the bag.
    """
    planned = segments[-1].scheduled_arrival
    kind = facts.event_type
    if kind == EventKind.DELAY:
        late = facts.actual_arrival
    elif kind in (EventKind.CANCELLATION, EventKind.DENIED_BOARDING):
        late = facts.rerouted_arrival
    elif kind == EventKind.BAGGAGE_DELAY and facts.bag_delivered_at:
        arrived = facts.actual_arrival or planned
        return max(0, int((facts.bag_delivered_at - arrived).total_seconds() // MINUTE))
    else:
        return None
    if late is None:
        return None
    return max(0, int((late - planned).total_seconds() // MINUTE))


def flight_of(
    facts: CaseFacts, segments: Sequence[CaseSegment]
) -> tuple[str, date | None]:
    """Return the disrupted flight's number and local departure date."""
    flight = disrupted(facts, segments)
    departure = local(flight.scheduled_departure, flight.origin)
    return flight.flight_number, departure.date() if departure else None
