"""What cannot be true of an itinerary or an event, whatever its fields say.

``parse`` reads each field on its own; these checks compare fields with each other
and with the world: a date outside the years PaxCare works with, a flight that lands
where it left, a flight that leaves before the previous one lands or far from where
it landed, a notice given long after the flight left, a bag heavier than any bag, a
carrier licensed in no country. Each fault is ``(field, code, message)`` with the
field paths ``parse`` uses, so that the caller reports it like any other.

A well-formed request costs a few comparisons per flight here; the rules and their
reasons are in docs/remedies.md ("Requests that cannot be true").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from paxcare.years import CODE as YEAR_CODE
from paxcare.years import FIRST_YEAR, LAST_YEAR

from .reference import airport_table, great_circle_km
from .types import Event, Segment

Fault = tuple[str, str, str]

YEARS_MESSAGE = f"must be a date between the years {FIRST_YEAR} and {LAST_YEAR}"
# One booking's flights: the console takes six; no journey has more than sixteen.
MAX_SEGMENTS = 16
# Heavier than fifteen bags at 32 kg (the most a bag may weigh for the handlers'
# sake): a number beyond this is a slip, and the per-kilogram limits would pay it.
MAX_BAG_WEIGHT_KG = Decimal(500)
# A change of airports within one city (Orly to Roissy 35 km, Narita to Haneda
# 60 km, Malpensa to Bergamo 75 km) is a connection; more is another journey.
MAX_TRANSFER_KM = 100.0
# A delayed flight may be cancelled after its scheduled departure, so a notice up
# to three days after it stands (and counts as no notice); later, it is a slip.
MAX_NOTICE_AFTER_DEPARTURE = timedelta(days=3)
EVENT_MOMENTS = (
    "actual_arrival",
    "actual_departure",
    "notified_at",
    "delivered_at",
    "complained_at",
)


def request_faults(
    segments: Sequence[Segment],
    event: Event | None,
    carriers: Any = None,
) -> list[Fault]:
    """Return what cannot be true of ``segments``, ``event`` and the carriers given.

    ``segments`` are the flights that were read (none when one of them was faulty),
    ``event`` the event that was read or None, ``carriers`` the request's own
    ``carriers`` object as sent.
    """
    if carriers is None and _plausible(segments, event):
        return []
    return _all_faults(segments, event, carriers)


def _all_faults(
    segments: Sequence[Segment], event: Event | None, carriers: Any
) -> list[Fault]:
    """Check every flight, connection and moment; the long way of request_faults."""
    faults: list[Fault] = []
    if len(segments) > MAX_SEGMENTS:
        faults.append(
            ("segments", "too_many", f"must hold at most {MAX_SEGMENTS} flights")
        )
        return faults
    previous = None
    for index, segment in enumerate(segments):
        if not (
            FIRST_YEAR <= segment.scheduled_departure.year <= LAST_YEAR
            and FIRST_YEAR <= segment.scheduled_arrival.year <= LAST_YEAR
        ):
            _years(faults, f"segments[{index}].", segment)
            previous = None
            continue
        if segment.origin.code == segment.destination.code:
            faults.append(
                (
                    f"segments[{index}].destination",
                    "same_airport",
                    "must differ from the origin",
                )
            )
        if previous is not None:
            _connection(faults, index, previous, segment)
        previous = segment
    if event is not None:
        _event_faults(faults, event, segments)
    if carriers:
        _carrier_faults(faults, carriers)
    return faults


def _plausible(segments: Sequence[Segment], event: Event | None) -> bool:
    """Say, in a few comparisons per flight, that nothing below can be at fault."""
    if len(segments) > MAX_SEGMENTS:
        return False
    previous = None
    for segment in segments:
        departure = segment.scheduled_departure
        if not (
            FIRST_YEAR <= departure.year <= LAST_YEAR
            and FIRST_YEAR <= segment.scheduled_arrival.year <= LAST_YEAR
            and segment.origin.code != segment.destination.code
        ):
            return False
        if previous is not None and (
            departure <= previous.scheduled_arrival
            or previous.destination.code != segment.origin.code
        ):
            return False
        previous = segment
    if event is None:
        return True
    for moment in (
        event.actual_arrival,
        event.actual_departure,
        event.notified_at,
        event.delivered_at,
        event.complained_at,
    ):
        if moment is not None and not FIRST_YEAR <= moment.year <= LAST_YEAR:
            return False
    rerouting = event.rerouting
    if rerouting is not None and not (
        FIRST_YEAR <= rerouting.departure.year <= LAST_YEAR
        and FIRST_YEAR <= rerouting.arrival.year <= LAST_YEAR
    ):
        return False
    weight = event.bag_weight_kg
    if weight is not None and weight > MAX_BAG_WEIGHT_KG:
        return False
    notified = event.notified_at
    return (
        notified is None
        or not segments
        or notified - segments[event.segment_index].scheduled_departure
        <= MAX_NOTICE_AFTER_DEPARTURE
    )


def _years(faults: list[Fault], path: str, segment: Segment) -> None:
    for key in ("scheduled_departure", "scheduled_arrival"):
        if not FIRST_YEAR <= getattr(segment, key).year <= LAST_YEAR:
            faults.append((f"{path}{key}", YEAR_CODE, YEARS_MESSAGE))


def _connection(
    faults: list[Fault], index: int, previous: Segment, segment: Segment
) -> None:
    """Check that flight ``index`` leaves after, and near where, the previous lands."""
    path = f"segments[{index}]."
    if segment.scheduled_departure <= previous.scheduled_arrival:
        faults.append(
            (
                f"{path}scheduled_departure",
                "departs_before_previous_arrival",
                "must be later than the previous flight's scheduled arrival",
            )
        )
    landed, leaves = previous.destination, segment.origin
    if landed.code != leaves.code and great_circle_km(landed, leaves) > MAX_TRANSFER_KM:
        faults.append(
            (
                f"{path}origin",
                "not_connected",
                f"must be where the previous flight lands ({landed.code}), or an "
                f"airport within {MAX_TRANSFER_KM:.0f} km of it",
            )
        )


def _event_faults(
    faults: list[Fault], event: Event, segments: Sequence[Segment]
) -> None:
    for key in EVENT_MOMENTS:
        moment: datetime | None = getattr(event, key)
        if moment is not None and not FIRST_YEAR <= moment.year <= LAST_YEAR:
            faults.append((f"event.{key}", YEAR_CODE, YEARS_MESSAGE))
    rerouting = event.rerouting
    if rerouting is not None:
        for key in ("departure", "arrival"):
            if not FIRST_YEAR <= getattr(rerouting, key).year <= LAST_YEAR:
                faults.append((f"event.rerouting.{key}", YEAR_CODE, YEARS_MESSAGE))
    weight = event.bag_weight_kg
    if weight is not None and weight > MAX_BAG_WEIGHT_KG:
        faults.append(
            (
                "event.bag_weight_kg",
                "weight_too_large",
                f"must be at most {MAX_BAG_WEIGHT_KG} kg",
            )
        )
    notified = event.notified_at
    if notified is not None and segments and not faults:
        departure = segments[event.segment_index].scheduled_departure
        if notified - departure > MAX_NOTICE_AFTER_DEPARTURE:
            faults.append(
                (
                    "event.notified_at",
                    "notified_after_departure",
                    "must be before the flight's scheduled departure, or at most "
                    "3 days after it (a delayed flight cancelled later)",
                )
            )


def _carrier_faults(faults: list[Fault], carriers: Any) -> None:
    if not isinstance(carriers, Mapping):
        return
    for code, entry in carriers.items():
        country = entry.get("country") if isinstance(entry, Mapping) else None
        if (
            isinstance(country, str)
            and len(country.strip()) == 2
            and country.strip().isalpha()
            and country.strip().upper() not in countries()
        ):
            faults.append(
                (
                    f"carriers.{code}.country",
                    "unknown_country",
                    f"{country.strip()!r} is not a country with an airport",
                )
            )


@cache
def countries() -> frozenset[str]:
    """Return the ISO 3166 codes of every country with an airport."""
    return frozenset(found.country for found in airport_table().values())
