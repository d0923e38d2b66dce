"""What the public sees of a disruption: the flight, the reason, the rules. Nobody.

Everything here is read from the flight and the disruption alone (never from the
manifest or the cases), in the active language, so that the page and both feeds
cannot show a passenger's data even by mistake.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils.translation import get_language, pgettext_lazy

from paxcare.disruptions.models import Disruption
from paxcare.disruptions.wording import (
    HOW_TO_CLAIM,
    at_airport,
    headline,
    reason_text,
    when,
)

PUBLIC_KEY = re.compile(r"^([A-Z0-9]{3,8})-(\d{8})-([A-Z]{3})$")
PAGE_SIZE = 50
# Short names for the public, in the page's language.
REGIME_NAMES = {
    "eu261": pgettext_lazy("regime", "EU 261/2004"),
    "uk261": pgettext_lazy("regime", "UK 261"),
    "appr": pgettext_lazy("regime", "APPR (Canada)"),
    "us_dot": pgettext_lazy("regime", "US DOT"),
    "caac": pgettext_lazy("regime", "CAAC"),
    "montreal": pgettext_lazy("regime", "Montreal Convention"),
}


@dataclass(frozen=True)
class PublicEntitlement:
    regime: str
    regime_name: str
    kind: str
    amount: str | None
    currency: str | None
    text: str


@dataclass(frozen=True)
class PublicDisruption:
    key: str
    flight_number: str
    carrier: str
    flight_date: date
    origin: str
    destination: str
    status: str
    status_label: str
    kind: str
    headline: str
    reason: str
    delay_minutes: int | None
    scheduled_departure: datetime
    scheduled_arrival: datetime
    expected_departure: datetime | None
    expected_arrival: datetime | None
    diverted_to: str
    entitlements: list[PublicEntitlement]
    how_to_claim: list[str]
    version: int
    updated_at: datetime

    def when(self, name: str) -> str:
        return when(getattr(self, name))


def recent_disruptions(*, on: date | None = None) -> QuerySet[Disruption]:
    """Return disruptions, latest news first, optionally of one flight date."""
    found = Disruption.objects.select_related("flight").order_by("-updated_at", "-pk")
    if on is not None:
        found = found.filter(flight__flight_date=on)
    return found


def find_disruption(key: str) -> Disruption | None:
    """Return the disruption of the flight named ``UA1545-20130101-EWR``, or None."""
    match = PUBLIC_KEY.match((key or "").upper())
    if not match:
        return None
    number, day, origin = match.groups()
    try:
        flight_date = date(int(day[:4]), int(day[4:6]), int(day[6:]))
    except ValueError:
        return None
    return (
        Disruption.objects.select_related("flight")
        .filter(
            flight__flight_number=number,
            flight__flight_date=flight_date,
            flight__origin=origin,
        )
        .first()
    )


def public_view(disruption: Disruption) -> PublicDisruption:
    """Return what may be published about ``disruption``, in the active language.

    The flight's times are at their airports' clocks: departures at the origin,
    arrivals at the destination (the planned one, also for a diverted flight).
    """
    flight = disruption.flight
    origin, destination = flight.origin, flight.destination
    short = "zh" if (get_language() or "").startswith("zh") else "en"
    entitlements = [
        PublicEntitlement(
            regime=e["regime"],
            regime_name=str(REGIME_NAMES.get(e["regime"], e["regime"])),
            kind=e["kind"],
            amount=e["amount"],
            currency=e["currency"],
            text=e["explanation"][short],
        )
        for e in disruption.public_entitlements.get("entitlements", [])
        if e["kind"] not in ("liability_limit", "claim_deadline")
    ]
    regimes = sorted({e.regime for e in entitlements})
    return PublicDisruption(
        key=flight.public_key,
        flight_number=flight.flight_number,
        carrier=flight.carrier,
        flight_date=flight.flight_date,
        origin=flight.origin,
        destination=flight.destination,
        status=flight.status,
        status_label=str(flight.get_status_display()),
        kind=disruption.kind,
        headline=headline(flight, disruption),
        reason=reason_text(flight.cause),
        delay_minutes=disruption.arrival_delay_minutes,
        scheduled_departure=at_airport(flight.scheduled_departure, origin),
        scheduled_arrival=at_airport(flight.scheduled_arrival, destination),
        expected_departure=at_airport(
            flight.actual_departure or flight.estimated_departure, origin
        ),
        expected_arrival=at_airport(
            flight.actual_arrival or flight.estimated_arrival, destination
        ),
        diverted_to=flight.diverted_to,
        entitlements=entitlements,
        how_to_claim=[str(HOW_TO_CLAIM[r]) for r in regimes if r in HOW_TO_CLAIM],
        version=disruption.version,
        updated_at=disruption.updated_at,
    )
