"""What each passenger of a disrupted flight is owed, from the remedies engine.

The engine judges one booking at a time; on a flight of 150 passengers most
bookings look alike (a handful of fares, the same cabin, no connection), so the
passengers are grouped by everything the engine reads and each group is assessed
once. Nothing here writes to the database.

How a disruption becomes an engine event:

- a delay is a ``delay`` with the arrival at the booking's final destination;
- a cancellation is a ``cancellation``, with the passenger's rebooking as the
  rerouting when one is recorded;
- a schedule change is a cancellation notified when the change was announced,
  rerouted on the new times (courts treat a significant change as one);
- a diversion whose passengers reached the destination by other means (the
  arrival there is known) is a delay to that arrival; otherwise a cancellation.

With onward connections the arrival at the final destination decides. A
connection is kept when the late flight lands at least ``CONNECTION_MINUTES``
before the next one leaves; a missed one is assessed as arriving at least as late
as the disrupted flight did, until the rebooking is recorded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from paxcare.disruptions.models import (
    Disruption,
    DisruptionKind,
    Flight,
    ManifestEntry,
)
from paxcare.remedies.engine.service import assess_request
from paxcare.remedies.engine.types import Carrier

# Minimum connecting time: 60 minutes is a common published MCT for a domestic
# transfer at a large hub; shorter connections are judged missed.
CONNECTION_MINUTES = 60
MONEY_KINDS = ("compensation", "refund")
CARE_CODES = {"meals": "meal", "food": "meal", "hotel": "hotel", "calls": "calls"}


@dataclass(frozen=True)
class Answer:
    """The engine's answer for one group of passengers, and what follows from it."""

    signature: str
    request: dict[str, Any]
    result: dict[str, Any]
    entitlements: list[dict[str, Any]]
    care: list[dict[str, Any]]


Registry = tuple[Mapping[str, Carrier] | None, str | None]
DEFAULT_REGISTRY: Registry = (None, None)


def assess_passengers(
    flight: Flight,
    disruption: Disruption,
    entries: Sequence[ManifestEntry],
    rebooking_options: list[dict[str, str]],
    registry: Registry = DEFAULT_REGISTRY,
) -> list[Answer]:
    """Return one answer per entry, assessing each group of like passengers once.

    ``registry`` is the carrier registry and its version, as
    ``remedies.services.carrier_registry`` gives them (the shipped one by default).
    """
    answers: dict[tuple, Answer] = {}
    out: list[Answer] = []
    for entry in entries:
        key = _group_key(entry)
        answer = answers.get(key)
        if answer is None:
            request = build_request(flight, disruption, entry)
            answer = answer_for(request, disruption.kind, rebooking_options, registry)
            answers[key] = answer
        out.append(answer)
    return out


def answer_for(
    request: dict[str, Any],
    kind: str,
    rebooking_options: list[dict[str, str]],
    registry: Registry = DEFAULT_REGISTRY,
) -> Answer:
    """Assess one request and derive the compact entitlements and the care."""
    result = assess_request(request, *registry)
    entitlements = compact_entitlements(result)
    return Answer(
        signature=request_signature(request),
        request=request,
        result=result,
        entitlements=entitlements,
        care=care_items(result, kind, rebooking_options),
    )


def _group_key(entry: ManifestEntry) -> tuple:
    onward = json.dumps(entry.onward, sort_keys=True) if entry.onward else ""
    return (
        entry.fare_amount,
        entry.fare_currency,
        entry.cabin,
        onward,
        entry.rebooked_departure,
        entry.rebooked_arrival,
    )


def request_signature(request: dict[str, Any]) -> str:
    text = json.dumps(request, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def build_request(
    flight: Flight, disruption: Disruption, entry: ManifestEntry | None
) -> dict[str, Any]:
    """Return the engine request for one passenger (None: a passenger in general)."""
    segments = [_flight_segment(flight, entry)]
    onward = list(entry.onward) if entry is not None else []
    segments += [_onward_segment(segment) for segment in onward]
    request: dict[str, Any] = {
        "segments": segments,
        "event": _engine_event(flight, disruption, entry, onward),
    }
    if flight.carrier_country:
        request["carriers"] = {flight.carrier: {"country": flight.carrier_country}}
    passenger: dict[str, Any] = {}
    if entry is not None and entry.fare_amount is not None and entry.fare_currency:
        passenger["one_way_fare"] = {
            "amount": str(entry.fare_amount),
            "currency": entry.fare_currency,
        }
    if entry is not None and entry.cabin:
        passenger["cabin"] = entry.cabin
    if passenger:
        request["passenger"] = passenger
    return request


def _flight_segment(flight: Flight, entry: ManifestEntry | None) -> dict[str, Any]:
    segment = {
        "marketing_carrier": flight.carrier,
        "operating_carrier": flight.carrier,
        "flight_number": flight.flight_number,
        "origin": flight.origin,
        "destination": flight.destination,
        "scheduled_departure": flight.scheduled_departure.isoformat(),
        "scheduled_arrival": flight.scheduled_arrival.isoformat(),
    }
    if entry is not None and entry.cabin:
        segment["cabin"] = entry.cabin
    return segment


def _onward_segment(segment: dict[str, Any]) -> dict[str, Any]:
    return {
        "marketing_carrier": segment["carrier"],
        "flight_number": segment.get("flight_number", ""),
        "origin": segment["origin"],
        "destination": segment["destination"],
        "scheduled_departure": segment["scheduled_departure"],
        "scheduled_arrival": segment["scheduled_arrival"],
    }


def _engine_event(
    flight: Flight,
    disruption: Disruption,
    entry: ManifestEntry | None,
    onward: list[dict[str, Any]],
) -> dict[str, Any]:
    event: dict[str, Any] = {"segment_index": 0}
    if flight.cause:
        event["cause"] = flight.cause
    kind = disruption.kind
    arrival = flight.actual_arrival or flight.estimated_arrival
    departure = flight.actual_departure or flight.estimated_departure
    rebooked = entry is not None and entry.rebooked_arrival is not None
    if kind == DisruptionKind.DELAY or (
        kind == DisruptionKind.DIVERSION and arrival is not None
    ):
        # Without one of the two times, the flight arrives as late as it left, and
        # left as late as it arrives: the wait at the airport decides the care.
        if arrival is None:
            late = (departure - flight.scheduled_departure) if departure else None
            arrival = flight.scheduled_arrival + (late or timedelta(0))
        if departure is None and arrival > flight.scheduled_arrival:
            departure = flight.scheduled_departure + (
                arrival - flight.scheduled_arrival
            )
        final = (
            entry.rebooked_arrival
            if rebooked
            else _final_arrival(arrival, flight, onward)
        )
        event.update(type="delay", actual_arrival=final.isoformat())
        if departure is not None and departure < final:
            event["actual_departure"] = departure.isoformat()
        return event
    event["type"] = "cancellation"
    if kind == DisruptionKind.SCHEDULE_CHANGE:
        new_departure = flight.estimated_departure or flight.scheduled_departure
        new_arrival = flight.estimated_arrival or flight.scheduled_arrival
        event["rerouting"] = {
            "departure": new_departure.isoformat(),
            "arrival": _final_arrival(new_arrival, flight, onward).isoformat(),
        }
    if rebooked and entry.rebooked_departure is not None:
        event["rerouting"] = {
            "departure": entry.rebooked_departure.isoformat(),
            "arrival": entry.rebooked_arrival.isoformat(),
        }
    if disruption.notified_at is not None:
        event["notified_at"] = disruption.notified_at.isoformat()
    return event


def _final_arrival(
    arrival: datetime, flight: Flight, onward: list[dict[str, Any]]
) -> datetime:
    """Return the arrival at the booking's final destination after ``arrival``."""
    if not onward:
        return arrival
    final_scheduled = datetime.fromisoformat(onward[-1]["scheduled_arrival"])
    next_departure = datetime.fromisoformat(onward[0]["scheduled_departure"])
    if arrival + timedelta(minutes=CONNECTION_MINUTES) <= next_departure:
        return final_scheduled
    return final_scheduled + max(arrival - flight.scheduled_arrival, timedelta(0))


def compact_entitlements(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the entitlements without their explanations, for snapshots and sums."""
    return [
        {
            "regime": e["regime"],
            "kind": e["kind"],
            "code": e["code"],
            "amount": e["amount"],
            "currency": e["currency"],
            "cumulative": e["cumulative"],
        }
        for e in result.get("entitlements", [])
    ]


def care_items(
    result: dict[str, Any], kind: str, rebooking_options: list[dict[str, str]]
) -> list[dict[str, Any]]:
    """Return the care to give: vouchers, rebooking options, the refund alternative."""
    items: dict[str, dict[str, Any]] = {}
    for e in result.get("entitlements", []):
        if e["kind"] == "care":
            care = CARE_CODES.get(e["code"].rsplit(".", 1)[-1])
            if care:
                items.setdefault(care, {"type": care, "basis": []})["basis"].append(
                    e["code"]
                )
        elif e["kind"] == "rerouting":
            items.setdefault("rebooking", {"type": "rebooking", "basis": []})[
                "basis"
            ].append(e["code"])
        elif e["kind"] == "refund" and "refund" not in items:
            items["refund"] = {
                "type": "refund",
                "basis": [e["code"]],
                "amount": e["amount"],
                "currency": e["currency"],
            }
    # A carrier rebooks or refunds the passengers of a flight it does not operate as
    # planned, whatever the law of the place; a delay gets rebooking only by law.
    if kind != DisruptionKind.DELAY and "rebooking" not in items:
        items["rebooking"] = {"type": "rebooking", "basis": []}
    if "rebooking" in items:
        items["rebooking"]["options"] = rebooking_options
    order = ("meal", "hotel", "calls", "rebooking", "refund")
    return [items[name] for name in order if name in items]


def add_totals(
    totals: dict[tuple[str, str, str], list],
    entitlements: Iterable[dict[str, Any]],
    times: int = 1,
) -> None:
    """Add the money of ``entitlements`` to ``totals[(regime, kind, currency)]``.

    Each total is ``[amount, passengers]``; refunds are what is owed if every
    passenger chose the refund over rebooking.
    """
    for e in entitlements:
        if e["kind"] not in MONEY_KINDS or e["amount"] is None:
            continue
        key = (e["regime"], e["kind"], e["currency"])
        total = totals.setdefault(key, [Decimal(0), 0])
        total[0] += Decimal(e["amount"]) * times
        total[1] += times
