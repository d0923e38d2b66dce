"""Read a well-formed assessment request in one pass, or give up.

Most requests are plain: a dict of text codes, ISO 8601 times with their offset,
amounts as text. ``plain_assessment`` reads such a request in one pass over the
fields present, at about half the cost of reading it field by field. Anything less
plain (a missing or faulty field, another mapping type, a datetime object, the
request's own ``carriers``) makes it return None, and ``parse.parse_assessment``
reads the request field by field, which is also what reports the errors: both give
the same values.

Times are parsed once per text and share one ``timezone`` object per offset.
Comparing or subtracting two aware datetimes with different ``tzinfo`` objects asks
each for its offset through a method call by name (about 2,500 machine instructions
on CPython 3.11), even when the offsets are equal; with one object per offset the
datetime module compares the fields directly. A time's value, offset and text form
are unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from paxcare.money import MAX_AMOUNT

from .memo import remember
from .reference import airport_table, default_carriers
from .types import (
    BAGGAGE_EVENTS,
    CABIN_RANK,
    Assessment,
    Carrier,
    Cause,
    Event,
    EventType,
    Money,
    Passenger,
    Rerouting,
    Segment,
)

ZERO = Decimal(0)
EVENT_TYPES = {e.value: e for e in EventType}
CAUSES = {c.value: c for c in Cause}
DELAY = EventType.DELAY
DOWNGRADE = EventType.DOWNGRADE

# Times by their text: a disrupted flight's passengers send the same ones. 16,384
# entries of ~250 bytes: about 4 MB at most per process.
MOMENT_CACHE_SIZE = 16384
_moments: dict[str, datetime] = {}
# One timezone object per offset (a few dozen offsets exist).
_offsets: dict[tzinfo, tzinfo] = {}


def aware_moment(text: str) -> datetime | None:
    """Return the aware datetime written as ``text``; None if naive or not ISO 8601."""
    found = _moments.get(text)
    if found is not None:
        return found
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    offset = found.tzinfo
    if offset is None:
        return None
    shared = _offsets.setdefault(offset, offset)
    if shared is not offset:
        found = found.replace(tzinfo=shared)
    return remember(_moments, text, found, MOMENT_CACHE_SIZE)


def plain_money(value: Any) -> Money | None:
    """Return a plain ``{"amount": "<text>", "currency": "<3 letters>"}``, else None.

    None means "not plain", not "no money": the caller reads the value field by
    field to find out which.
    """
    if type(value) is not dict:
        return None
    currency, raw = value.get("currency"), value.get("amount")
    if not (
        type(raw) is str
        and type(currency) is str
        and len(currency) == 3
        and currency.isalpha()
    ):
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        return None
    if amount.is_finite() and ZERO <= amount <= MAX_AMOUNT:
        return Money(amount, currency.upper())
    return None


def plain_segment(data: dict[str, Any]) -> Segment | None:
    """Read a segment whose every field is plainly valid in one go, else None."""
    get = data.get
    marketing, origin, destination = (
        get("marketing_carrier"),
        get("origin"),
        get("destination"),
    )
    departure, arrival = get("scheduled_departure"), get("scheduled_arrival")
    if not (
        type(marketing) is str
        and type(origin) is str
        and type(destination) is str
        and type(departure) is str
        and type(arrival) is str
    ):
        return None
    marketing = marketing.strip()
    operating = get("operating_carrier")
    if operating is None:
        operating = marketing
    elif type(operating) is not str or not (operating := operating.strip()):
        return None
    flight_number = get("flight_number")
    if flight_number is None:
        flight_number = ""
    elif type(flight_number) is not str or not (flight_number := flight_number.strip()):
        return None
    airports = airport_table()
    origin_airport = airports.get(origin.strip().upper())
    destination_airport = airports.get(destination.strip().upper())
    if not marketing or origin_airport is None or destination_airport is None:
        return None
    departure_at = aware_moment(departure)
    arrival_at = aware_moment(arrival)
    if departure_at is None or arrival_at is None or arrival_at <= departure_at:
        return None
    # Positional, in the order of the fields: a keyword call costs twice as much.
    return Segment(
        marketing.upper(),
        operating.upper(),
        flight_number.upper(),
        origin_airport,
        destination_airport,
        departure_at,
        arrival_at,
        get("cabin"),
    )


def plain_assessment(
    data: Any, registry: Mapping[str, Carrier] | None
) -> Assessment | None:
    """Return the assessment of a plainly valid request, or None to read it again."""
    if type(data) is not dict:
        return None
    get = data.get
    if get("carriers") is not None:
        return None
    raw_segments = get("segments")
    if type(raw_segments) is not list or not raw_segments:
        return None
    segments = []
    for raw in raw_segments:
        segment = plain_segment(raw) if type(raw) is dict else None
        if segment is None:
            return None
        segments.append(segment)
    event = _plain_event(get("event"), segments)
    if event is None:
        return None
    passenger = get("passenger")
    if passenger is None:
        passenger = Passenger()
    elif type(passenger) is dict:
        fare = passenger.get("one_way_fare")
        if fare is not None and (fare := plain_money(fare)) is None:
            return None
        passenger = Passenger(fare, passenger.get("cabin"))
    else:
        return None
    carriers = default_carriers() if registry is None else registry
    if segments[event.segment_index].operating_carrier not in carriers:
        return None
    return Assessment(get("id"), tuple(segments), carriers, event, passenger)


# The event's optional fields, each read by the one step that knows its form.
MOMENTS = frozenset(
    {"actual_arrival", "actual_departure", "notified_at", "delivered_at"}
    | {"complained_at"}
)
AMOUNTS = frozenset({"segment_fare", "bag_fee"})
CABINS = frozenset({"from_cabin", "to_cabin"})


def _plain_event(data: Any, segments: list[Segment]) -> Event | None:
    """Read a plainly valid event on ``segments`` in one pass, else None."""
    if type(data) is not dict:
        return None
    kind = EVENT_TYPES.get(data.get("type"))  # type: ignore[arg-type]
    if kind is None:
        return None
    index = data.get("segment_index")
    if index is None:
        index = len(segments) - 1 if kind in BAGGAGE_EVENTS else 0
    elif not (type(index) is int and 0 <= index < len(segments)):
        return None
    cause = data.get("cause")
    if cause is not None and (cause := CAUSES.get(cause)) is None:
        return None
    found: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue
        if key in MOMENTS:
            if type(value) is not str or (value := aware_moment(value)) is None:
                return None
        elif key in AMOUNTS:
            if (value := plain_money(value)) is None:
                return None
        elif key in CABINS:
            if type(value) is not str or value not in CABIN_RANK:
                return None
        elif key == "rerouting":
            if (value := _plain_rerouting(value)) is None:
                return None
        elif key == "voluntary":
            if type(value) is not bool:
                return None
        elif key == "bag_weight_kg":
            if (value := _plain_weight(value)) is None:
                return None
        else:
            continue
        found[key] = value
    if "voluntary" in data and data["voluntary"] is None:
        return None
    return _checked_event(kind, index, cause, found, segments[index])


def _checked_event(
    kind: EventType,
    index: int,
    cause: Cause | None,
    found: dict[str, Any],
    segment: Segment,
) -> Event | None:
    """Build the event of ``found`` fields if its times and cabins agree, else None."""
    get = found.get
    arrival, departure = get("actual_arrival"), get("actual_departure")
    delivered = get("delivered_at")
    from_cabin, to_cabin = get("from_cabin"), get("to_cabin")
    scheduled = segment.scheduled_departure
    if arrival is None:
        if kind is DELAY:
            return None
    elif arrival <= scheduled or (departure is not None and arrival <= departure):
        return None
    if delivered is not None and delivered <= scheduled:
        return None
    if from_cabin is None or to_cabin is None:
        if kind is DOWNGRADE:
            return None
    elif CABIN_RANK[to_cabin] >= CABIN_RANK[from_cabin]:
        return None
    # Positional, in the order of the fields: a keyword call costs twice as much.
    return Event(
        kind,
        index,
        cause,
        arrival,
        departure,
        get("notified_at"),
        get("rerouting"),
        get("voluntary", False),
        from_cabin,
        to_cabin,
        get("segment_fare"),
        delivered,
        get("complained_at"),
        get("bag_fee"),
        get("bag_weight_kg"),
    )


def _plain_rerouting(value: Any) -> Rerouting | None:
    if type(value) is not dict:
        return None
    departure, arrival = value.get("departure"), value.get("arrival")
    if type(departure) is not str or type(arrival) is not str:
        return None
    departure, arrival = aware_moment(departure), aware_moment(arrival)
    if departure is None or arrival is None or arrival <= departure:
        return None
    return Rerouting(departure, arrival)


def _plain_weight(value: Any) -> Decimal | None:
    if type(value) is not int and type(value) is not str:
        return None
    try:
        weight = Decimal(str(value))
    except InvalidOperation:
        return None
    return weight if weight.is_finite() and weight > 0 else None
