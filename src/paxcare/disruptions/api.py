"""``/api/v1/flights``: what an operations system sends, and what the disruptions are.

- ``POST /flights/events``: one flight's current picture (schedule, delay,
  cancellation, diversion, schedule change). The same event again answers
  ``unchanged``; a corrected one raises the disruption's version. The passengers'
  cases are opened or updated in the background once the event is stored.
- ``POST /flights/manifests``: the passengers of a known flight; any bad row makes
  the whole request 422 with each faulty field (``passengers.3.email``).
- ``GET /flights/disruptions`` and ``GET /flights/disruptions/{id}``: the
  disruptions the caller may see, with counts and what is owed in total.

Feeding flights and manifests is for supervisors and administrators (an
operations system gets a token of an administrator account).
"""

from datetime import date, datetime
from typing import Literal

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from paxcare.cases.schemas import TextSchema
from paxcare.disruptions import tasks
from paxcare.disruptions.access import disruptions_visible_to, may_act_on_all
from paxcare.disruptions.flight_events import EVENT_TYPES, read_flight_event
from paxcare.disruptions.ingest import CREATED, UPDATED, record_flight_event
from paxcare.disruptions.manifests import LANGUAGE_ALIASES, load_manifest
from paxcare.disruptions.models import Disruption, Flight
from paxcare.disruptions.proactive import public_path
from paxcare.disruptions.summary import summarise
from paxcare.disruptions.wording import at_airport
from paxcare.errors import FieldError, InvalidInput, NotFound, PermissionDenied

router = Router(tags=["flights"])

MAX_PASSENGERS = 1000
LIST_LIMIT = 200
EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]


class StrictSchema(TextSchema):
    model_config = ConfigDict(extra="forbid")


class FlightEventIn(StrictSchema):
    """One flight's current picture. Times without an offset are local at the
    airport they belong to (departures at the origin, arrivals at the destination).
    """

    carrier: str = Field(..., min_length=2, max_length=3, examples=["UA"])
    flight_number: str = Field(..., max_length=8, examples=["UA1545"])
    flight_date: date | None = Field(
        None,
        description="Local date of the scheduled departure at the origin; derived "
        "if absent, an error if it differs.",
    )
    origin: str = Field(..., min_length=3, max_length=3, examples=["EWR"])
    destination: str = Field(..., min_length=3, max_length=3, examples=["IAH"])
    scheduled_departure: datetime
    scheduled_arrival: datetime
    type: EventType  # type: ignore[valid-type]
    estimated_departure: datetime | None = None
    estimated_arrival: datetime | None = None
    actual_departure: datetime | None = None
    actual_arrival: datetime | None = Field(
        None, description="For a diversion: arrival at the planned destination."
    )
    new_departure: datetime | None = Field(None, description="Schedule change.")
    new_arrival: datetime | None = Field(None, description="Schedule change.")
    diverted_to: str | None = Field(None, min_length=3, max_length=3)
    delay_code: str | None = Field(None, max_length=2, examples=["41"])
    cause: str | None = Field(
        None, max_length=40, description="A cause class; overrides the delay code's."
    )
    notified_at: datetime | None = Field(
        None,
        description="When passengers were told of a cancellation; at most 5 "
        "minutes ahead of the server's clock.",
    )
    issued_at: datetime | None = Field(
        None,
        description="When operations issued this picture; at most 5 minutes ahead "
        "of the server's clock. An event issued before the last applied is stale.",
    )
    carrier_country: str | None = Field(
        None,
        min_length=2,
        max_length=2,
        description="Licence country of a carrier the remedies registry lacks.",
    )


class FlightOut(Schema):
    """A flight; times at the airports' clocks: departures with the origin's UTC
    offset, arrivals with the destination's."""

    carrier: str
    flight_number: str
    flight_date: date
    origin: str
    destination: str
    status: str
    scheduled_departure: datetime
    scheduled_arrival: datetime
    estimated_departure: datetime | None
    estimated_arrival: datetime | None
    actual_departure: datetime | None
    actual_arrival: datetime | None
    diverted_to: str
    delay_code: str
    cause: str


class DisruptionOut(Schema):
    id: int
    kind: str
    version: int
    qualifies: bool = Field(..., description="Whether it still calls for care.")
    arrival_delay_minutes: int | None
    public_url: str
    flight: FlightOut


class FlightEventOut(Schema):
    outcome: Literal["recorded", "created", "updated", "unchanged", "stale"]
    flight: FlightOut
    disruption: DisruptionOut | None


class FlightKey(StrictSchema):
    flight_number: str = Field(..., max_length=8)
    flight_date: date
    origin: str = Field(..., min_length=3, max_length=3)


class OnwardIn(StrictSchema):
    carrier: str = Field(..., min_length=2, max_length=3)
    flight_number: str = Field("", max_length=8)
    origin: str = Field(..., min_length=3, max_length=3)
    destination: str = Field(..., min_length=3, max_length=3)
    scheduled_departure: datetime
    scheduled_arrival: datetime


class PassengerIn(StrictSchema):
    passenger_name: str = Field(..., min_length=1, max_length=200)
    booking_reference: str = Field(..., min_length=6, max_length=6)
    ticket_number: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    language: str = Field(
        "en",
        max_length=10,
        description="en or zh-hans; also accepted: "
        + ", ".join(code for code in LANGUAGE_ALIASES if code not in ("en", "zh-hans")),
    )
    fare_amount: str | None = Field(None, max_length=20, examples=["320.00"])
    fare_currency: str = Field("", max_length=3)
    cabin: Literal["economy", "premium_economy", "business", "first", ""] = ""
    onward: list[OnwardIn] = Field(default_factory=list, max_length=6)
    rebooked_flight: str = Field("", max_length=8)
    rebooked_departure: datetime | None = None
    rebooked_arrival: datetime | None = Field(
        None, description="Arrival at the booking's final destination."
    )
    rebooking_accepted: bool | None = None


class ManifestIn(StrictSchema):
    flight: FlightKey
    passengers: list[PassengerIn] = Field(..., min_length=1, max_length=MAX_PASSENGERS)


class ManifestOut(Schema):
    added: int
    updated: int
    unchanged: int


class CountsOut(Schema):
    on_manifest: int
    affected: int
    reached: int = Field(
        ..., description="Passengers with a notification queued or sent on a channel."
    )
    opened: int
    joined: int
    current: int
    rebooked: int
    accepted: int


class TotalOut(Schema):
    regime: str
    kind: str
    currency: str
    amount: str
    passengers: int


class DisruptionDetail(DisruptionOut):
    counts: CountsOut
    totals: list[TotalOut]


def _require_operations(user) -> None:
    if not may_act_on_all(user):
        raise PermissionDenied(_("Only supervisors and administrators feed flights."))


def _disruption_out(disruption: Disruption | None) -> dict | None:
    if disruption is None:
        return None
    return {
        "id": disruption.pk,
        "kind": disruption.kind,
        "version": disruption.version,
        "qualifies": disruption.qualifies,
        "arrival_delay_minutes": disruption.arrival_delay_minutes,
        "public_url": public_path(disruption.flight),
        "flight": _flight_out(disruption.flight),
    }


def _flight_out(flight: Flight) -> dict:
    """Return the flight's fields, each time at its airport's clock."""
    data = {name: getattr(flight, name) for name in FlightOut.model_fields}
    for name in FlightOut.model_fields:
        if isinstance(data[name], datetime):
            place = flight.destination if name.endswith("_arrival") else flight.origin
            data[name] = at_airport(data[name], place)
    return data


@router.post(
    "/events",
    response={200: FlightEventOut, 201: FlightEventOut},
    operation_id="record_flight_event",
    summary="Record a flight's schedule, delay, cancellation or diversion",
)
def post_flight_event(request, payload: FlightEventIn):
    """Store the event; a new or corrected disruption gets its passengers' care.

    Whatever the outcome, the answer gives the flight's times at the airports'
    clocks: departures with the origin's UTC offset, arrivals with the
    destination's.
    """
    _require_operations(request.user)
    event = read_flight_event(payload.model_dump(exclude_none=True))
    with transaction.atomic():
        result = record_flight_event(event, source="api")
        if result.outcome in (CREATED, UPDATED):
            tasks.schedule_care(result.disruption.pk)
    body = {
        "outcome": result.outcome,
        "flight": _flight_out(result.flight),
        "disruption": _disruption_out(result.disruption),
    }
    return Status(201 if result.outcome == CREATED else 200, body)


@router.post(
    "/manifests",
    response=ManifestOut,
    operation_id="load_flight_manifest",
    summary="Add or update the passengers of a flight",
)
def post_manifest(request, payload: ManifestIn):
    """Store the passengers; those of a disrupted flight get their cases."""
    _require_operations(request.user)
    key = payload.flight
    flight = Flight.objects.filter(
        flight_number=key.flight_number.upper().replace(" ", ""),
        flight_date=key.flight_date,
        origin=key.origin.upper(),
    ).first()
    if flight is None:
        raise NotFound(_("No such flight: send its schedule as a flight event first."))
    rows = [p.model_dump(mode="json") for p in payload.passengers]
    with transaction.atomic():
        report = load_manifest(flight, rows)
        if report.rejected:
            raise InvalidInput(
                [
                    FieldError(f"passengers.{problem.row}.{e.field}", e.message, e.code)
                    for problem in report.rejected
                    for e in problem.errors
                ]
            )
        disruption = Disruption.objects.filter(flight=flight).first()
        if disruption is not None:
            tasks.schedule_care(disruption.pk, changed=report.changed_entry_ids)
    return {
        "added": report.added,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }


@router.get(
    "/disruptions",
    response=list[DisruptionOut],
    operation_id="list_disruptions",
    summary="List the disruptions you can see, latest news first",
)
def list_disruptions(request, on: date | None = None, limit: int = 50):
    """``on`` narrows to one flight date; at most 200 rows."""
    found = disruptions_visible_to(request.user).select_related("flight")
    if on is not None:
        found = found.filter(flight__flight_date=on)
    limit = max(1, min(limit, LIST_LIMIT))
    return [_disruption_out(d) for d in found.order_by("-updated_at", "-pk")[:limit]]


@router.get(
    "/disruptions/{disruption_id}",
    response=DisruptionDetail,
    operation_id="get_disruption",
    summary="A disruption with its counts and what is owed in total",
)
def get_disruption(request, disruption_id: int):
    disruption = (
        disruptions_visible_to(request.user)
        .select_related("flight")
        .filter(pk=disruption_id)
        .first()
    )
    if disruption is None:
        raise Http404
    summary = summarise(disruption)
    body = _disruption_out(disruption)
    body["counts"] = {
        name: getattr(summary, name)
        for name in (
            "on_manifest",
            "affected",
            "reached",
            "opened",
            "joined",
            "current",
            "rebooked",
            "accepted",
        )
    }
    body["totals"] = [
        {
            "regime": t.regime,
            "kind": t.kind,
            "currency": t.currency,
            "amount": f"{t.amount:.2f}",
            "passengers": t.passengers,
        }
        for t in summary.totals
    ]
    return body
