"""Facts every regime needs, computed once per assessment.

Connections on one booking are judged at the final destination: the distance runs
from the first origin to the final destination in a straight great-circle line, and
the delay is the lateness at the final destination.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from .reference import great_circle_km, territories
from .types import (
    Airport,
    Assessment,
    Carrier,
    Entitlement,
    Event,
    EventType,
    Kind,
    NotApplicable,
    Segment,
)

MINUTE = 60.0


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """Return the time zone called ``name`` (cached: ZoneInfo lookups are not free)."""
    return ZoneInfo(name)


def local_date(moment: datetime, airport: Airport) -> date:
    """Return the calendar date of ``moment`` at ``airport``."""
    return moment.astimezone(zone(airport.tz)).date()


@dataclass(slots=True)
class Facts:
    """The shared facts; territories are those on the disrupted flight's date."""

    assessment: Assessment
    event: Event
    segment: Segment
    carrier: Carrier
    origin: Airport
    destination: Airport
    flight_date: date
    journey_km: float
    segment_km: float
    scheduled_arrival: datetime
    arrival_delay_minutes: float | None
    departure_delay_minutes: float | None
    overnight: bool
    # The countries of every airport on the itinerary, in order, and the
    # territories of each; those of at least one and those of all of them.
    countries: tuple[str, ...]
    zones: tuple[frozenset[str], ...]
    anywhere: frozenset[str]
    everywhere: frozenset[str]
    # The territories of the operating carrier's country, and of the disrupted
    # flight's origin and destination.
    carrier_zones: frozenset[str]
    segment_origin_zones: frozenset[str]
    segment_destination_zones: frozenset[str]


def gather_facts(assessment: Assessment) -> Facts:
    """Compute the shared facts of one assessment."""
    segments = assessment.segments
    event = assessment.event
    segment = segments[event.segment_index]
    origin = segments[0].origin
    destination = segments[-1].destination
    scheduled_arrival = segments[-1].scheduled_arrival
    arrival_delay = _arrival_delay(event, scheduled_arrival)
    departure_delay = _departure_delay(event, segment, arrival_delay)
    carrier = assessment.carriers[segment.operating_carrier]
    flight_date = local_date(segment.scheduled_departure, segment.origin)
    countries = (origin.country, *[s.destination.country for s in segments])
    table = territories()
    zones = tuple([table.zones(country, flight_date) for country in countries])
    return Facts(
        assessment=assessment,
        event=event,
        segment=segment,
        carrier=carrier,
        origin=origin,
        destination=destination,
        flight_date=flight_date,
        journey_km=great_circle_km(origin, destination),
        segment_km=great_circle_km(segment.origin, segment.destination),
        scheduled_arrival=scheduled_arrival,
        arrival_delay_minutes=arrival_delay,
        departure_delay_minutes=departure_delay,
        overnight=_overnight(event, segment, departure_delay, flight_date),
        countries=countries,
        zones=zones,
        anywhere=zones[0].union(*zones[1:]),
        everywhere=zones[0].intersection(*zones[1:]),
        carrier_zones=table.zones(carrier.country, flight_date),
        segment_origin_zones=table.zones(segment.origin.country, flight_date),
        segment_destination_zones=table.zones(segment.destination.country, flight_date),
    )


def _arrival_delay(event: Event, scheduled_arrival: datetime) -> float | None:
    if event.type is EventType.DELAY and event.actual_arrival is not None:
        return (event.actual_arrival - scheduled_arrival).total_seconds() / MINUTE
    if event.rerouting is not None:
        return (event.rerouting.arrival - scheduled_arrival).total_seconds() / MINUTE
    return None


def _departure_delay(
    event: Event, segment: Segment, arrival_delay: float | None
) -> float | None:
    if event.type is not EventType.DELAY:
        return None
    if event.actual_departure is not None:
        late = event.actual_departure - segment.scheduled_departure
        return late.total_seconds() / MINUTE
    # Without a departure time, the lateness at arrival stands in for it: a flight
    # rarely makes up more than a few minutes in the air.
    return arrival_delay


def _overnight(
    event: Event, segment: Segment, departure_delay: float | None, planned: date
) -> bool:
    """Say whether the new departure falls on a later local day than ``planned``."""
    if event.type is EventType.DELAY and departure_delay is not None:
        new_departure = segment.scheduled_departure + timedelta(minutes=departure_delay)
    elif event.rerouting is not None:
        new_departure = event.rerouting.departure
    else:
        return False
    return local_date(new_departure, segment.origin) > planned


@dataclass(slots=True)
class Outcome:
    """What one regime found: entitlements, and the remedies it withholds and why."""

    entitlements: list[Entitlement]
    not_applicable: list[NotApplicable]

    def grant(self, entitlement: Entitlement) -> None:
        self.entitlements.append(entitlement)

    def refuse(self, item: NotApplicable) -> None:
        self.not_applicable.append(item)


def new_outcome() -> Outcome:
    return Outcome([], [])


KIND_ORDER = {kind: index for index, kind in enumerate(Kind)}
