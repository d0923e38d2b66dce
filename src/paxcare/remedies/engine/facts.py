"""Facts every regime needs, computed once per assessment.

Connections on one booking are judged at the final destination: the distance runs
from the first origin to the final destination in a straight great-circle line, and
the delay is the lateness at the final destination.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from operator import attrgetter
from zoneinfo import ZoneInfo

from .memo import remember
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
DESTINATION_COUNTRY = attrgetter("destination.country")


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
    # Only care asks whether the new departure is on a later day; it costs a
    # time-zone conversion, so it is worked out when first asked.
    _overnight: bool | None = field(default=None, init=False, repr=False)

    @property
    def overnight(self) -> bool:
        """Say whether the new departure falls on a later local day than planned."""
        found = self._overnight
        if found is None:
            found = self._overnight = _overnight(
                self.event, self.segment, self.departure_delay_minutes, self.flight_date
            )
        return found


def gather_facts(assessment: Assessment) -> Facts:
    """Compute the shared facts of one assessment."""
    segments = assessment.segments
    event = assessment.event
    index = event.segment_index
    segment = segments[index]
    origin = segments[0].origin
    destination = segments[-1].destination
    scheduled_arrival = segments[-1].scheduled_arrival
    arrival_delay = _arrival_delay(event, scheduled_arrival)
    departure_delay = _departure_delay(event, segment, arrival_delay)
    carrier = assessment.carriers[segment.operating_carrier]
    flight_date = local_date(segment.scheduled_departure, segment.origin)
    # map and attrgetter rather than a comprehension, which builds a function object
    # on every call on CPython 3.11.
    countries = (origin.country, *map(DESTINATION_COUNTRY, segments))
    table = territories()
    zones_of = table.zones
    zones = table.zones_of_each(countries, flight_date)
    # The disrupted flight's ends are usually the itinerary's airports.
    segment_origin_zones = (
        zones[index]
        if segment.origin.country == countries[index]
        else zones_of(segment.origin.country, flight_date)
    )
    anywhere, everywhere = _reach(zones)
    # Positional: a call naming twenty fields costs more than twice as much.
    return Facts(
        assessment,
        event,
        segment,
        carrier,
        origin,
        destination,
        flight_date,
        great_circle_km(origin, destination),
        great_circle_km(segment.origin, segment.destination),
        scheduled_arrival,
        arrival_delay,
        departure_delay,
        countries,
        zones,
        anywhere,
        everywhere,
        zones_of(carrier.country, flight_date),
        segment_origin_zones,
        zones[index + 1],
    )


# The territories of at least one and of every airport, by the territories of each:
# a few hundred itineraries' worth of sets, shared instead of built per answer.
_reaches: dict[tuple[frozenset[str], ...], tuple[frozenset[str], frozenset[str]]] = {}


def _reach(
    zones: tuple[frozenset[str], ...],
) -> tuple[frozenset[str], frozenset[str]]:
    found = _reaches.get(zones)
    if found is None:
        found = (zones[0].union(*zones[1:]), zones[0].intersection(*zones[1:]))
        remember(_reaches, zones, found, 4096)
    return found


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


class Outcome:
    """What the regimes found: entitlements, and the remedies withheld and why.

    ``grant`` and ``refuse`` append to the two lists; they are the lists' own
    ``append``, which saves a Python call on each of the dozen per answer.
    """

    __slots__ = ("entitlements", "not_applicable", "grant", "refuse")

    def __init__(self) -> None:
        self.entitlements: list[Entitlement] = []
        self.not_applicable: list[NotApplicable] = []
        self.grant: Callable[[Entitlement], None] = self.entitlements.append
        self.refuse: Callable[[NotApplicable], None] = self.not_applicable.append


def new_outcome() -> Outcome:
    return Outcome()


KIND_ORDER = {kind: index for index, kind in enumerate(Kind)}
