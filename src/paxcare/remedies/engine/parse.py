"""Turn one JSON-like assessment request into typed values, or say what is wrong.

Every problem found is reported with the path of the field (``segments[0].origin``)
and a stable code, so a caller can point at the field; parsing goes on after the
first problem to report as many as it can at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

# The largest amount a ledger column holds: beyond it a fare is a slip, and 400 %
# of it could overflow the decimal context (paxcare.money needs no Django).
from paxcare.money import MAX_AMOUNT

from .checks import request_faults
from .plain import (
    CAUSES,
    EVENT_TYPES,
    aware_moment,
    plain_assessment,
    plain_money,
    plain_segment,
)
from .reference import airport, default_carriers
from .types import (
    BAGGAGE_EVENTS,
    CABIN_RANK,
    Airport,
    Assessment,
    Carrier,
    Event,
    EventType,
    Money,
    Passenger,
    Rerouting,
    Segment,
)

APPR_SIZES = ("large", "small")


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    code: str
    message: str


class InputError(Exception):
    """An assessment request that cannot be assessed, with every field at fault."""

    def __init__(self, fields: list[FieldError], code: str = "invalid_input") -> None:
        self.code = code
        self.fields = fields
        summary = "; ".join(f"{f.field}: {f.message}" for f in fields[:3])
        self.message = f"The assessment request is invalid: {summary}"
        super().__init__(self.message)


class _Reader:
    """Collects errors while reading fields; each getter returns None on error."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, field: str, code: str, message: str) -> None:
        self.errors.append(FieldError(field, code, message))

    def mapping(self, value: Any, field: str) -> Mapping[str, Any] | None:
        if type(value) is dict or isinstance(value, Mapping):
            return value
        self.fail(field, "invalid_type", "must be an object")
        return None

    def text(self, data: Mapping[str, Any], key: str, path: str, required: bool = True):
        value = data.get(key)
        if type(value) is str and (value := value.strip()):
            return value
        if value is None:
            if required:
                self.fail(f"{path}{key}", "required", "is required")
            return None
        if isinstance(value, str):
            value = value.strip()
            if value:
                return value
        self.fail(f"{path}{key}", "invalid_type", "must be a non-empty string")
        return None

    def moment(
        self, data: Mapping[str, Any], key: str, path: str, required: bool = True
    ) -> datetime | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"{path}{key}", "required", "is required")
            return None
        if isinstance(value, str):
            if (found := aware_moment(value)) is not None:
                return found
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                value = None
        if not isinstance(value, datetime):
            self.fail(
                f"{path}{key}", "invalid_datetime", "must be an ISO 8601 date and time"
            )
            return None
        if value.utcoffset() is None:
            self.fail(f"{path}{key}", "naive_datetime", "must carry a UTC offset")
            return None
        return value

    def money(self, data: Mapping[str, Any], key: str, path: str) -> Money | None:
        value = data.get(key)
        if value is None:
            return None
        if (plain := plain_money(value)) is not None:
            return plain
        field = f"{path}{key}"
        if not (type(value) is dict or isinstance(value, Mapping)):
            self.fail(
                field, "invalid_money", 'must be {"amount": "...", "currency": "..."}'
            )
            return None
        currency = value.get("currency")
        if (
            not isinstance(currency, str)
            or len(currency) != 3
            or not currency.isalpha()
        ):
            self.fail(
                f"{field}.currency", "invalid_currency", "must be an ISO 4217 code"
            )
            return None
        amount = _decimal(value.get("amount"))
        if amount is None:
            self.fail(f"{field}.amount", "invalid_amount", "must be a decimal number")
            return None
        if not amount.is_finite():
            self.fail(f"{field}.amount", "invalid_amount", "must be a finite number")
            return None
        if amount < 0:
            self.fail(f"{field}.amount", "invalid_amount", "must be zero or more")
            return None
        if amount > MAX_AMOUNT:
            self.fail(
                f"{field}.amount", "amount_too_large", "must be at most 9999999999.99"
            )
            return None
        return Money(amount, currency.upper())


def _decimal(raw: Any) -> Decimal | None:
    """Return ``raw`` (text or a number, not a flag) as a Decimal, or None."""
    if raw is None or isinstance(raw, bool):
        return None
    try:
        return Decimal(raw if type(raw) is str else str(raw))
    except InvalidOperation:
        return None


def parse_assessment(
    data: Any, registry: Mapping[str, Carrier] | None = None
) -> Assessment:
    """Return the typed assessment of ``data`` or raise ``InputError``.

    ``registry`` is the carrier registry to use (the default one when None); the
    request's own ``carriers`` object overrides its entries.
    """
    plain = plain_assessment(data, registry)
    if plain is not None and not request_faults(plain.segments, plain.event):
        return plain
    reader = _Reader()
    root = data if type(data) is dict else reader.mapping(data, "$")
    if root is None:
        raise InputError(reader.errors)
    segments = _segments(reader, root.get("segments"))
    carriers = _carriers(reader, root.get("carriers"), registry)
    event = _event(reader, root.get("event"), segments)
    passenger = _passenger(reader, root.get("passenger"))
    if event is not None and segments:
        operating = segments[event.segment_index].operating_carrier
        if operating not in carriers:
            reader.fail(
                f"carriers.{operating}",
                "unknown_carrier",
                "is not in the carrier registry: give its country (and appr_size)",
            )
    for fault in request_faults(segments, event, root.get("carriers")):
        reader.fail(*fault)
    if reader.errors or event is None:
        raise InputError(reader.errors)
    return Assessment(
        id=root.get("id"),
        segments=tuple(segments),
        carriers=carriers,
        event=event,
        passenger=passenger,
    )


SEGMENT_PATHS = tuple(f"segments[{index}]." for index in range(8))


def _segments(reader: _Reader, value: Any) -> list[Segment]:
    if not isinstance(value, list) or not value:
        reader.fail("segments", "required", "must be a non-empty list of flights")
        return []
    segments = []
    for index, raw in enumerate(value):
        segment = plain_segment(raw) if type(raw) is dict else None
        if segment is None:
            path = SEGMENT_PATHS[index] if index < 8 else f"segments[{index}]."
            segment = _segment(reader, raw, path)
        if segment is not None:
            segments.append(segment)
    return segments if len(segments) == len(value) else []


def _segment(reader: _Reader, raw: Any, path: str) -> Segment | None:
    if type(raw) is dict and (segment := plain_segment(raw)) is not None:
        return segment
    data = raw if type(raw) is dict else reader.mapping(raw, path.rstrip("."))
    if data is None:
        return None
    before = len(reader.errors)
    marketing = reader.text(data, "marketing_carrier", path)
    operating = (
        reader.text(data, "operating_carrier", path, required=False) or marketing
    )
    flight_number = reader.text(data, "flight_number", path, required=False) or ""
    origin = _airport(reader, data, "origin", path)
    destination = _airport(reader, data, "destination", path)
    departure = reader.moment(data, "scheduled_departure", path)
    arrival = reader.moment(data, "scheduled_arrival", path)
    if departure and arrival and arrival <= departure:
        reader.fail(
            f"{path}scheduled_arrival",
            "arrival_before_departure",
            "must be later than scheduled_departure",
        )
    if len(reader.errors) > before:
        return None
    return Segment(
        marketing_carrier=marketing.upper(),  # type: ignore[union-attr]
        operating_carrier=operating.upper(),  # type: ignore[union-attr]
        flight_number=flight_number.upper(),
        origin=origin,  # type: ignore[arg-type]
        destination=destination,  # type: ignore[arg-type]
        scheduled_departure=departure,  # type: ignore[arg-type]
        scheduled_arrival=arrival,  # type: ignore[arg-type]
        cabin=data.get("cabin"),
    )


def _airport(
    reader: _Reader, data: Mapping[str, Any], key: str, path: str
) -> Airport | None:
    code = reader.text(data, key, path)
    if code is None:
        return None
    found = airport(code)
    if found is None:
        reader.fail(
            f"{path}{key}", "unknown_airport", f"{code!r} is not a known IATA airport"
        )
    return found


def _carriers(
    reader: _Reader, value: Any, registry: Mapping[str, Carrier] | None
) -> Mapping[str, Carrier]:
    if value is None:
        # Read only: the assessment may share the registry itself.
        return default_carriers() if registry is None else registry
    carriers = dict(default_carriers() if registry is None else registry)
    data = reader.mapping(value, "carriers")
    if data is None:
        return carriers
    for code, raw in data.items():
        path = f"carriers.{code}."
        entry = reader.mapping(raw, path.rstrip("."))
        if entry is None:
            continue
        known = carriers.get(code.upper())
        country = reader.text(entry, "country", path, required=known is None)
        size = entry.get("appr_size")
        if size is not None and size not in APPR_SIZES:
            reader.fail(
                f"{path}appr_size", "invalid_choice", "must be 'large' or 'small'"
            )
            continue
        if country is not None and (len(country) != 2 or not country.isalpha()):
            reader.fail(f"{path}country", "invalid_country", "must be an ISO 3166 code")
            continue
        if country is None and known is None:
            continue
        carriers[code.upper()] = Carrier(
            code=code.upper(),
            country=(country or known.country).upper(),  # type: ignore[union-attr]
            appr_size=size or (known.appr_size if known else None),
            name=known.name if known else "",
        )
    return carriers


def _event(reader: _Reader, value: Any, segments: list[Segment]) -> Event | None:
    data = value if type(value) is dict else reader.mapping(value, "event")
    if data is None:
        return None
    get = data.get
    kind = EVENT_TYPES.get(get("type"))  # type: ignore[arg-type]
    if kind is None:
        reader.fail(
            "event.type",
            "unknown_event_type",
            f"must be one of: {', '.join(EVENT_TYPES)}",
        )
        return None
    index = get("segment_index")
    if not (type(index) is int and 0 <= index < len(segments)):
        index = _segment_index(reader, data, kind, segments)
    cause = get("cause")
    if cause is not None:
        cause = CAUSES.get(cause)
        if cause is None:
            reader.fail(
                "event.cause", "unknown_cause", f"must be one of: {', '.join(CAUSES)}"
            )
    p = "event."
    moment = reader.moment
    downgrade = kind is EventType.DOWNGRADE
    # Most fields belong to one event type: those absent cost no call. Read in
    # the order of the fields, so errors come in that order.
    actual_arrival = moment(data, "actual_arrival", p, kind is EventType.DELAY)
    actual_departure = (
        None if get("actual_departure") is None else moment(data, "actual_departure", p)
    )
    notified_at = None if get("notified_at") is None else moment(data, "notified_at", p)
    rerouting = _rerouting(reader, get("rerouting"))
    voluntary = _flag(reader, data, "voluntary") if "voluntary" in data else False
    from_cabin = to_cabin = None
    if downgrade or get("from_cabin") is not None or get("to_cabin") is not None:
        from_cabin = _cabin(reader, data, "from_cabin", downgrade)
        to_cabin = _cabin(reader, data, "to_cabin", downgrade)
    segment_fare = (
        None if get("segment_fare") is None else reader.money(data, "segment_fare", p)
    )
    delivered_at = (
        None if get("delivered_at") is None else moment(data, "delivered_at", p)
    )
    complained_at = (
        None if get("complained_at") is None else moment(data, "complained_at", p)
    )
    bag_fee = None if get("bag_fee") is None else reader.money(data, "bag_fee", p)
    bag_weight_kg = None if get("bag_weight_kg") is None else _weight(reader, data)
    # Positional, in the order of the fields: a keyword call costs twice as much.
    event = Event(
        kind,
        index if index is not None else 0,
        cause,
        actual_arrival,
        actual_departure,
        notified_at,
        rerouting,
        voluntary,
        from_cabin,
        to_cabin,
        segment_fare,
        delivered_at,
        complained_at,
        bag_fee,
        bag_weight_kg,
    )
    if index is None or not segments:
        return None
    _check_times(reader, event, segments[index])
    return event


def _segment_index(
    reader: _Reader, data: Mapping[str, Any], kind: EventType, segments: list[Segment]
) -> int | None:
    value = data.get("segment_index")
    if value is None:
        return len(segments) - 1 if kind in BAGGAGE_EVENTS and segments else 0
    if isinstance(value, bool) or not isinstance(value, int):
        reader.fail("event.segment_index", "invalid_type", "must be an integer")
        return None
    if segments and not 0 <= value < len(segments):
        reader.fail(
            "event.segment_index", "out_of_range", "must point at one of the segments"
        )
        return None
    return value


def _check_times(reader: _Reader, event: Event, segment: Segment) -> None:
    departure = segment.scheduled_departure
    if event.actual_arrival and event.actual_arrival <= departure:
        reader.fail(
            "event.actual_arrival",
            "arrival_before_departure",
            "must be later than the flight's scheduled departure",
        )
    if (
        event.actual_departure
        and event.actual_arrival
        and (event.actual_arrival <= event.actual_departure)
    ):
        reader.fail(
            "event.actual_arrival",
            "arrival_before_departure",
            "must be later than actual_departure",
        )
    if event.delivered_at and event.delivered_at <= departure:
        reader.fail(
            "event.delivered_at",
            "delivered_before_departure",
            "must be later than the flight's scheduled departure",
        )
    if (
        event.from_cabin
        and event.to_cabin
        and (CABIN_RANK[event.to_cabin] >= CABIN_RANK[event.from_cabin])
    ):
        reader.fail(
            "event.to_cabin", "not_a_downgrade", "must be a lower class than from_cabin"
        )


def _rerouting(reader: _Reader, value: Any) -> Rerouting | None:
    if value is None:
        return None
    data = reader.mapping(value, "event.rerouting")
    if data is None:
        return None
    departure = reader.moment(data, "departure", "event.rerouting.")
    arrival = reader.moment(data, "arrival", "event.rerouting.")
    if departure is None or arrival is None:
        return None
    if arrival <= departure:
        reader.fail(
            "event.rerouting.arrival",
            "arrival_before_departure",
            "must be later than the rerouting's departure",
        )
        return None
    return Rerouting(departure, arrival)


def _flag(reader: _Reader, data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if isinstance(value, bool):
        return value
    reader.fail(f"event.{key}", "invalid_type", "must be true or false")
    return False


def _cabin(reader: _Reader, data: Mapping[str, Any], key: str, required: bool):
    value = data.get(key)
    if value is None:
        if required:
            reader.fail(f"event.{key}", "required", "is required")
        return None
    if value not in CABIN_RANK:
        reader.fail(
            f"event.{key}", "invalid_choice", f"must be one of: {', '.join(CABIN_RANK)}"
        )
        return None
    return value


def _weight(reader: _Reader, data: Mapping[str, Any]) -> Decimal | None:
    value = data.get("bag_weight_kg")
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        weight = Decimal(str(value))
    except InvalidOperation:
        weight = Decimal(-1)
    if not weight.is_finite() or weight <= 0:
        reader.fail(
            "event.bag_weight_kg", "invalid_amount", "must be a positive number"
        )
        return None
    return weight


def _passenger(reader: _Reader, value: Any) -> Passenger:
    if value is None:
        return Passenger()
    data = value if type(value) is dict else reader.mapping(value, "passenger")
    if data is None:
        return Passenger()
    return Passenger(
        reader.money(data, "one_way_fare", "passenger."), data.get("cabin")
    )
