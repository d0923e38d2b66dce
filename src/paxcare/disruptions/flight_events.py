"""What an operations system tells us about a flight, checked and normalised.

The API, the generic CSV and the nycflights13 importer all hand a plain mapping to
``read_flight_event``; it answers a ``FlightEvent`` or raises ``InvalidInput`` with
every field at fault. Times may carry a UTC offset or be local at the airport they
belong to (departures at the origin, arrivals at the destination).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from paxcare.disruptions.delay_codes import cause_for_code, is_delay_code
from paxcare.disruptions.models import DisruptionKind, FlightStatus
from paxcare.errors import FieldError, InvalidInput
from paxcare.intake.drafts import AIRLINE_CODE, FLIGHT_NUMBER, RECEIVED_CLOCK_SKEW
from paxcare.remedies.engine.checks import countries
from paxcare.remedies.engine.reference import airport
from paxcare.remedies.engine.types import Cause
from paxcare.years import CODE as YEAR_CODE
from paxcare.years import year_fault

ON_TIME = "on_time"
EVENT_TYPES = (*DisruptionKind.values, ON_TIME)
CAUSES = frozenset(c.value for c in Cause)

# A delay opens care at 3 hours at the destination: where compensation starts under
# EU261/UK261 (Sturgeon) and APPR, and where a domestic US flight becomes a
# "significant change" under 14 CFR part 260.
DELAY_THRESHOLD_MINUTES = 180
# A schedule change counts when the flight now leaves an hour or more earlier (an
# earlier departure of over an hour is a cancellation under EU261, C-395/18) or
# arrives 3 hours or more later.
EARLIER_DEPARTURE_MINUTES = 60

TIME_FIELDS = (
    "scheduled_departure",
    "scheduled_arrival",
    "estimated_departure",
    "estimated_arrival",
    "actual_departure",
    "actual_arrival",
    "new_departure",
    "new_arrival",
    "notified_at",
    "issued_at",
)
# The longest scheduled flights (Singapore-New York) are blocked at under 19 hours;
# a longer schedule is a wrong date or a wrong offset, not a flight.
MAX_BLOCK_HOURS = 20
# Times that say when something already happened: like a case's received_at, they
# may run ahead of the server's clock by ordinary skew, no more. An issued_at in the
# future would make every real event after it stale.
PAST_FIELDS = ("issued_at", "notified_at")
# Times local at the destination when they carry no offset; all others at the origin.
ARRIVAL_FIELDS = frozenset(
    {"scheduled_arrival", "estimated_arrival", "actual_arrival", "new_arrival"}
)


@dataclass(frozen=True)
class FlightEvent:
    """One flight's news: its schedule, what happened, and why."""

    carrier: str
    flight_number: str
    flight_date: date
    origin: str
    destination: str
    scheduled_departure: datetime
    scheduled_arrival: datetime
    type: str
    estimated_departure: datetime | None = None
    estimated_arrival: datetime | None = None
    actual_departure: datetime | None = None
    actual_arrival: datetime | None = None
    new_departure: datetime | None = None
    new_arrival: datetime | None = None
    diverted_to: str = ""
    delay_code: str = ""
    cause: str = ""
    notified_at: datetime | None = None
    issued_at: datetime | None = None
    carrier_country: str = ""

    @property
    def arrival(self) -> datetime | None:
        """Return the best-known arrival at the destination."""
        return self.actual_arrival or self.estimated_arrival

    @property
    def departure(self) -> datetime | None:
        return self.actual_departure or self.estimated_departure

    @property
    def arrival_delay_minutes(self) -> int | None:
        """Return the delay at the destination; from the departure when unknown."""
        if self.type == DisruptionKind.SCHEDULE_CHANGE and self.new_arrival:
            return _minutes(self.new_arrival - self.scheduled_arrival)
        if self.arrival is not None:
            return _minutes(self.arrival - self.scheduled_arrival)
        if self.departure is not None:
            return _minutes(self.departure - self.scheduled_departure)
        return None

    @property
    def status(self) -> str:
        if self.type == DisruptionKind.CANCELLATION:
            return FlightStatus.CANCELLED
        if self.type == DisruptionKind.DIVERSION:
            return FlightStatus.DIVERTED
        if self.type == DisruptionKind.SCHEDULE_CHANGE:
            return FlightStatus.RESCHEDULED
        if self.type == DisruptionKind.DELAY and (self.arrival_delay_minutes or 0) > 0:
            return FlightStatus.DELAYED
        return FlightStatus.ON_TIME

    @property
    def cause_class(self) -> str:
        """Return the cause class: the one given, else the delay code's, else ''."""
        if self.cause:
            return self.cause
        found = cause_for_code(self.delay_code)
        return found.value if found else ""

    def qualifies(self) -> bool:
        """Say whether the event calls for proactive care of the passengers."""
        if self.type in (DisruptionKind.CANCELLATION, DisruptionKind.DIVERSION):
            return True
        if self.type == DisruptionKind.SCHEDULE_CHANGE:
            earlier = self.new_departure and _minutes(
                self.scheduled_departure - self.new_departure
            )
            later = self.arrival_delay_minutes or 0
            return bool(
                (earlier and earlier >= EARLIER_DEPARTURE_MINUTES)
                or later >= DELAY_THRESHOLD_MINUTES
            )
        if self.type == DisruptionKind.DELAY:
            return (self.arrival_delay_minutes or 0) >= DELAY_THRESHOLD_MINUTES
        return False

    def fingerprint(self) -> str:
        """Return a hash of what the event says; ``issued_at`` does not count."""
        data = self.to_data()
        data.pop("issued_at")
        text = json.dumps(data, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def to_data(self) -> dict[str, Any]:
        """Return the event as JSON-ready data, times in ISO 8601 with offsets."""
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, datetime | date):
                data[key] = value.isoformat()
        return data


def _minutes(span) -> int:
    return int(span.total_seconds() // 60)


def read_flight_event(raw: Mapping[str, Any]) -> FlightEvent:
    """Return the checked event of ``raw``; raise InvalidInput naming each bad field."""
    errors: list[FieldError] = []
    carrier, number = _flight_designator(raw, errors)
    origin = _airport_code(raw, "origin", errors)
    destination = _airport_code(raw, "destination", errors)
    if origin and origin == destination:
        errors.append(
            FieldError(
                "destination",
                _("The destination must be another airport than the origin."),
                "same_airport",
            )
        )
    kind = _text(raw, "type").lower()
    if kind not in EVENT_TYPES:
        errors.append(
            FieldError(
                "type",
                _("Unknown event type; use one of: %(types)s.")
                % {"types": ", ".join(EVENT_TYPES)},
                "invalid_choice",
            )
        )
    zones = {
        "origin": _zone(origin),
        "destination": _zone(destination),
    }
    times = {name: _moment(raw, name, zones, errors) for name in TIME_FIELDS}
    # A local time at an unknown airport cannot be read, but it was given: the
    # airport's error is the fault, not a missing time.
    given = {name for name in TIME_FIELDS if _text(raw, name)}
    for name in ("scheduled_departure", "scheduled_arrival"):
        if name not in given and not _has_error(errors, name):
            errors.append(FieldError(name, _("This time is required."), "required"))
    flight_date = _flight_date(raw, times["scheduled_departure"], zones, errors)
    extra = _details(raw, destination, errors)
    _check_order(times, given, kind, errors)
    _check_block_time(times, errors)
    _check_past(times, errors)
    if errors:
        raise InvalidInput(errors, message=_("The flight event is not valid."))
    return FlightEvent(
        carrier=carrier,
        flight_number=number,
        flight_date=flight_date,
        origin=origin,
        destination=destination,
        type=kind,
        **times,
        **extra,
    )


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value).strip()


def _has_error(errors: list[FieldError], name: str) -> bool:
    return any(error.field == name for error in errors)


def _flight_designator(raw, errors: list[FieldError]) -> tuple[str, str]:
    carrier = _text(raw, "carrier").upper()
    number = _text(raw, "flight_number").upper().replace(" ", "")
    if number.isdigit() and carrier:
        number = f"{carrier}{int(number)}"
    match = FLIGHT_NUMBER.match(number)
    if not match:
        errors.append(
            FieldError(
                "flight_number",
                _("A flight number looks like CA981 or MU5101."),
                "invalid" if number else "required",
            )
        )
        return carrier, number
    carrier = carrier or match.group(1)
    if not AIRLINE_CODE.match(carrier):
        errors.append(
            FieldError(
                "carrier",
                _("An airline code has two (IATA) or three (ICAO) characters."),
            )
        )
    elif len(carrier) == 2 and carrier != match.group(1):
        # A three-letter (ICAO) carrier cannot be compared with the IATA prefix.
        errors.append(
            FieldError(
                "flight_number",
                _("The flight number does not start with the carrier's code, %(code)s.")
                % {"code": carrier},
                "carrier_mismatch",
            )
        )
    return carrier, number


def _airport_code(raw, key: str, errors: list[FieldError]) -> str:
    code = _text(raw, key).upper()
    if not code:
        errors.append(FieldError(key, _("This airport is required."), "required"))
    elif airport(code) is None:
        errors.append(FieldError(key, _("Unknown airport code."), "unknown_airport"))
    return code


def _zone(code: str) -> ZoneInfo | None:
    found = airport(code) if code else None
    return ZoneInfo(found.tz) if found else None


def _moment(raw, name: str, zones: dict, errors: list[FieldError]) -> datetime | None:
    value = raw.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            errors.append(
                FieldError(
                    name, _("Give a date and time in ISO 8601."), "invalid_datetime"
                )
            )
            return None
    if not isinstance(value, datetime):
        errors.append(
            FieldError(name, _("Give a date and time in ISO 8601."), "invalid_datetime")
        )
        return None
    fault = year_fault(value)
    if fault is not None:
        errors.append(FieldError(name, fault, YEAR_CODE))
        return None
    if value.utcoffset() is None:
        zone = zones["destination" if name in ARRIVAL_FIELDS else "origin"]
        if zone is None:
            return None
        value = value.replace(tzinfo=zone)
    return value


def _flight_date(raw, departure, zones, errors: list[FieldError]) -> date:
    value = raw.get("flight_date")
    if value and not (isinstance(value, date) and not isinstance(value, datetime)):
        try:
            value = date.fromisoformat(str(value).strip())
        except ValueError:
            errors.append(
                FieldError("flight_date", _("Give the date as YYYY-MM-DD."), "invalid")
            )
            return date.min
    local = None
    if departure is not None and zones["origin"] is not None:
        local = departure.astimezone(zones["origin"]).date()
    if value:
        fault = year_fault(value)
        if fault is not None:
            errors.append(FieldError("flight_date", fault, YEAR_CODE))
            return date.min
        if local is not None and value != local:
            errors.append(
                FieldError(
                    "flight_date",
                    _(
                        "The flight date is the local date of the scheduled "
                        "departure at the origin: %(date)s."
                    )
                    % {"date": local.isoformat()},
                    "date_mismatch",
                )
            )
        return value
    return local or date.min


def _details(raw, destination: str, errors: list[FieldError]) -> dict[str, str]:
    delay_code = _text(raw, "delay_code")
    if delay_code and not is_delay_code(delay_code):
        errors.append(
            FieldError(
                "delay_code",
                _("An IATA delay code has two digits, e.g. 41 or 71."),
                "invalid",
            )
        )
    cause = _text(raw, "cause").lower()
    if cause and cause not in CAUSES:
        errors.append(
            FieldError(
                "cause",
                _("Unknown cause; use one of: %(causes)s.")
                % {"causes": ", ".join(sorted(CAUSES))},
                "invalid_choice",
            )
        )
    diverted_to = _text(raw, "diverted_to").upper()
    if diverted_to and airport(diverted_to) is None:
        errors.append(
            FieldError("diverted_to", _("Unknown airport code."), "unknown_airport")
        )
    elif diverted_to and diverted_to == destination:
        errors.append(
            FieldError(
                "diverted_to",
                _("A diverted flight lands at another airport than its destination."),
                "same_airport",
            )
        )
    country = _text(raw, "carrier_country").upper()
    if country and (len(country) != 2 or not country.isalpha()):
        errors.append(
            FieldError(
                "carrier_country",
                _("Give the country as two letters (ISO 3166), e.g. US."),
            )
        )
    elif country and country not in countries():
        errors.append(
            FieldError(
                "carrier_country",
                _("Unknown country: give its ISO 3166 code, e.g. US."),
                "unknown_country",
            )
        )
    return {
        "delay_code": delay_code,
        "cause": cause,
        "diverted_to": diverted_to,
        "carrier_country": country,
    }


def _check_order(
    times: dict, given: set[str], kind: str, errors: list[FieldError]
) -> None:
    departure, arrival = times["scheduled_departure"], times["scheduled_arrival"]
    if departure and arrival and arrival <= departure:
        errors.append(
            FieldError(
                "scheduled_arrival",
                _("The arrival must be later than the departure."),
                "arrival_before_departure",
            )
        )
    for dep, arr in (
        ("actual_departure", "actual_arrival"),
        ("estimated_departure", "estimated_arrival"),
        ("new_departure", "new_arrival"),
    ):
        if times[dep] and times[arr] and times[arr] <= times[dep]:
            errors.append(
                FieldError(
                    arr,
                    _("The arrival must be later than the departure."),
                    "arrival_before_departure",
                )
            )
    for name in ("actual_arrival", "estimated_arrival"):
        if departure and times[name] and times[name] <= departure:
            errors.append(
                FieldError(
                    name,
                    _("The arrival must be later than the scheduled departure."),
                    "arrival_before_departure",
                )
            )
    if kind == DisruptionKind.DELAY and not any(
        name in given
        for name in (
            "estimated_departure",
            "estimated_arrival",
            "actual_departure",
            "actual_arrival",
        )
    ):
        errors.append(
            FieldError(
                "estimated_arrival",
                _("A delay needs an estimated or actual time."),
                "required",
            )
        )
    if kind == DisruptionKind.SCHEDULE_CHANGE and not (
        "new_departure" in given and "new_arrival" in given
    ):
        errors.append(
            FieldError(
                "new_departure",
                _("A schedule change needs the new departure and arrival."),
                "required",
            )
        )


def _check_block_time(times: dict, errors: list[FieldError]) -> None:
    limit = timedelta(hours=MAX_BLOCK_HOURS)
    for dep, arr in (
        ("scheduled_departure", "scheduled_arrival"),
        ("new_departure", "new_arrival"),
    ):
        if times[dep] and times[arr] and times[arr] - times[dep] > limit:
            errors.append(
                FieldError(
                    arr,
                    _(
                        "No flight is scheduled for more than %(hours)d hours: "
                        "check the dates and the UTC offsets."
                    )
                    % {"hours": MAX_BLOCK_HOURS},
                    "too_long",
                )
            )


def _check_past(times: dict, errors: list[FieldError]) -> None:
    latest = timezone.now() + RECEIVED_CLOCK_SKEW
    for name in PAST_FIELDS:
        if times[name] and times[name] > latest:
            errors.append(
                FieldError(
                    name,
                    _(
                        "This time is in the future: it may be at most %(minutes)d "
                        "minutes ahead of the server's clock."
                    )
                    % {"minutes": RECEIVED_CLOCK_SKEW // timedelta(minutes=1)},
                    "in_future",
                )
            )
