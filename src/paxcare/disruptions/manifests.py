"""Manifests: who is booked on a flight, checked row by row and kept up to date.

A manifest is sent whole or in parts, as often as the reservation system likes:
a passenger is one booking reference and one name on one flight, so sending the
same rows again changes nothing, and a row that changed (a new e-mail, a recorded
rebooking) updates that passenger only.
"""

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from paxcare.bulk import insert_rows
from paxcare.crm.models import Language
from paxcare.disruptions.models import Cabin, Flight, ManifestEntry
from paxcare.errors import FieldError
from paxcare.intake.drafts import (
    AIRLINE_CODE,
    FLIGHT_NUMBER,
    RECORD_LOCATOR,
    TICKET_NUMBER,
    normalise_phone,
)
from paxcare.money import MAX_AMOUNT, amount_fault, is_currency
from paxcare.remedies.engine.reference import airport
from paxcare.years import CODE as YEAR_CODE
from paxcare.years import year_fault

logger = logging.getLogger(__name__)

ENTRY_FIELDS = (
    "passenger_name",
    "booking_reference",
    "ticket_number",
    "email",
    "phone",
    "language",
    "fare_amount",
    "fare_currency",
    "cabin",
    "onward",
    "rebooked_flight",
    "rebooked_departure",
    "rebooked_arrival",
    "rebooking_accepted",
)
LANGUAGE_ALIASES = {
    "en": Language.ENGLISH,
    "english": Language.ENGLISH,
    "zh": Language.CHINESE,
    "zh-cn": Language.CHINESE,
    "zh-hans": Language.CHINESE,
    "zh_hans": Language.CHINESE,
    "chinese": Language.CHINESE,
}
# What the e-mail column holds (EmailField's 254 characters, RFC 5321's limit).
MAX_EMAIL_CHARS = 254
TRUE, FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n"}


@dataclass
class RowProblem:
    row: int
    errors: list[FieldError]


@dataclass
class ManifestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowProblem] = field(default_factory=list)
    changed_entry_ids: list[int] = field(default_factory=list)


def name_key(name: str) -> str:
    return " ".join(name.upper().split())


def load_manifest(
    flight: Flight, rows: Iterable[Mapping[str, Any]], *, first_row: int = 0
) -> ManifestReport:
    """Add or update the passengers of ``flight``; report each rejected row."""
    report = ManifestReport()
    clean: dict[tuple[str, str], ManifestEntry] = {}
    for number, raw in enumerate(rows, start=first_row):
        entry, errors = read_entry(flight, raw)
        key = (entry.booking_reference, entry.name_key)
        if not errors and key in clean and _differs(clean[key], entry):
            errors = [_repeated_passenger()]
        if errors:
            report.rejected.append(RowProblem(number, errors))
            continue
        clean[key] = entry
    if not clean:
        return report
    with transaction.atomic():
        _save(flight, clean, report)
    logger.info(
        "disruptions: manifest of flight %s: %d added, %d updated, %d rejected",
        flight.pk,
        report.added,
        report.updated,
        len(report.rejected),
    )
    return report


def _differs(first: ManifestEntry, again: ManifestEntry) -> bool:
    return any(getattr(first, name) != getattr(again, name) for name in ENTRY_FIELDS)


def _repeated_passenger() -> FieldError:
    # One booking reference and one name are one passenger: two rows saying
    # different things about them leave no way to tell which is right.
    return FieldError(
        "booking_reference",
        _(
            "This passenger (booking reference and name) is on an earlier row with "
            "other details; send each passenger once."
        ),
        "repeated_passenger",
    )


def _save(flight: Flight, clean: dict, report: ManifestReport) -> None:
    known = {
        (e.booking_reference, e.name_key): e
        for e in ManifestEntry.objects.select_for_update().filter(
            flight=flight,
            booking_reference__in={key[0] for key in clean},
        )
    }
    new, changed = [], []
    now = timezone.now()
    for key, entry in clean.items():
        existing = known.get(key)
        if existing is None:
            new.append(entry)
            continue
        differs = [
            name
            for name in ENTRY_FIELDS
            if getattr(existing, name) != getattr(entry, name)
        ]
        if not differs:
            report.unchanged += 1
            continue
        for name in differs:
            setattr(existing, name, getattr(entry, name))
        existing.updated_at = now
        changed.append(existing)
    insert_rows(new)
    if changed:
        ManifestEntry.objects.bulk_update(changed, [*ENTRY_FIELDS, "updated_at"])
    report.added += len(new)
    report.updated += len(changed)
    report.changed_entry_ids += [e.pk for e in changed]


def read_entry(
    flight: Flight, raw: Mapping[str, Any]
) -> tuple[ManifestEntry, list[FieldError]]:
    """Return the checked, normalised entry of one row and the errors found.

    Nothing that the database cannot hold passes: a NUL character in any text
    (PostgreSQL refuses it), an amount beyond the fare column's 12 digits or 2
    decimal places, an unknown currency, an over-long e-mail, a far-off date.
    """
    errors = _nul_errors(raw, "")
    if errors:
        return ManifestEntry(flight=flight), errors
    name = " ".join(str(raw.get("passenger_name") or "").split())[:200]
    if not name:
        errors.append(FieldError("passenger_name", _("Give the name."), "required"))
    entry = ManifestEntry(
        flight=flight,
        passenger_name=name,
        name_key=name_key(name),
        booking_reference=_booking_reference(raw, errors),
        ticket_number=_ticket_number(raw, errors),
        email=_email(raw, errors),
        phone=_phone(raw, errors),
        language=_language(raw, errors),
        cabin=_cabin(raw, errors),
        onward=_onward(flight, raw.get("onward"), errors),
        rebooked_flight=_rebooked_flight(raw, errors),
        rebooking_accepted=_flag(raw, "rebooking_accepted", errors),
    )
    entry.fare_amount, entry.fare_currency = _fare(raw, errors)
    final = entry.onward[-1]["destination"] if entry.onward else flight.destination
    entry.rebooked_departure = _moment(
        raw.get("rebooked_departure"), flight.origin, "rebooked_departure", errors
    )
    entry.rebooked_arrival = _moment(
        raw.get("rebooked_arrival"), final, "rebooked_arrival", errors
    )
    checked = not any(
        e.field in ("rebooked_departure", "rebooked_arrival") for e in errors
    )
    if checked and bool(entry.rebooked_departure) != bool(entry.rebooked_arrival):
        errors.append(
            FieldError(
                "rebooked_arrival",
                _("Give both the departure and the arrival of the rebooking."),
                "required",
            )
        )
    return entry, errors


def _nul_errors(value: Any, path: str) -> list[FieldError]:
    """Return an error for each text in ``value`` (nested too) holding a NUL."""
    if isinstance(value, str):
        if "\x00" not in value:
            return []
        return [
            FieldError(
                path,
                _("Text must not contain NUL characters."),
                "nul_character",
            )
        ]
    if isinstance(value, Mapping):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return []
    found: list[FieldError] = []
    for key, item in items:
        found += _nul_errors(item, f"{path}.{key}" if path else str(key))
    return found


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value).strip()


def _booking_reference(raw, errors: list[FieldError]) -> str:
    value = _text(raw, "booking_reference").upper()
    if not RECORD_LOCATOR.match(value):
        errors.append(
            FieldError(
                "booking_reference",
                _("A booking reference has six letters and digits."),
                "invalid" if value else "required",
            )
        )
    return value


def _ticket_number(raw, errors: list[FieldError]) -> str:
    value = _text(raw, "ticket_number").replace(" ", "")
    if not value:
        return ""
    match = TICKET_NUMBER.match(value)
    if not match:
        errors.append(
            FieldError(
                "ticket_number", _("An e-ticket number has 13 digits (999-1234567890).")
            )
        )
        return ""
    return f"{match.group(1)}-{match.group(2)}"


def _email(raw, errors: list[FieldError]) -> str:
    value = _text(raw, "email").lower()
    if not value:
        return ""
    if len(value) > MAX_EMAIL_CHARS:
        errors.append(
            FieldError(
                "email",
                _("An e-mail address has at most %(most)d characters.")
                % {"most": MAX_EMAIL_CHARS},
                "too_long",
            )
        )
        return ""
    try:
        validate_email(value)
    except ValidationError:
        errors.append(FieldError("email", _("Enter a valid e-mail address.")))
        return ""
    return value


def _phone(raw, errors: list[FieldError]) -> str:
    value = _text(raw, "phone")
    if not value:
        return ""
    normalised = normalise_phone(value)
    if normalised is None:
        text = _("Enter the phone number with its country code, e.g. %(example)s.")
        errors.append(FieldError("phone", text % {"example": "+86 138 0013 8000"}))
        return ""
    return normalised


def _language(raw, errors: list[FieldError]) -> str:
    value = _text(raw, "language").lower() or Language.ENGLISH
    language = LANGUAGE_ALIASES.get(value)
    if language is None:
        errors.append(FieldError("language", _("Unknown language."), "invalid_choice"))
        return Language.ENGLISH
    return language


def _cabin(raw, errors: list[FieldError]) -> str:
    value = _text(raw, "cabin").lower().replace(" ", "_")
    if value and value not in Cabin.values:
        errors.append(FieldError("cabin", _("Unknown cabin."), "invalid_choice"))
        return ""
    return value


def _fare(raw, errors: list[FieldError]) -> tuple[Decimal | None, str]:
    amount_text = _text(raw, "fare_amount")
    currency = _text(raw, "fare_currency").upper()
    if not amount_text:
        return None, ""
    try:
        amount = Decimal(amount_text)
    except InvalidOperation:
        amount = Decimal("NaN")
    fault = _amount_fault(amount, currency)
    if fault is None and amount < 0:
        fault = "negative"
    if fault == "too_large":
        errors.append(
            FieldError(
                "fare_amount",
                _("A fare is at most %(most)s.") % {"most": f"{MAX_AMOUNT:,}"},
                "too_large",
            )
        )
    elif fault == "too_precise":
        errors.append(
            FieldError(
                "fare_amount",
                _("Give the fare with at most two decimal places."),
                "too_precise",
            )
        )
    elif fault == "finer_than_currency":
        errors.append(
            FieldError(
                "fare_amount",
                _("%(currency)s has no minor unit: give a whole amount, e.g. 500.")
                % {"currency": currency},
                "too_precise",
            )
        )
    elif fault is not None:
        errors.append(
            FieldError("fare_amount", _("Give the fare as a number, e.g. 320.00."))
        )
    if not currency:
        errors.append(
            FieldError(
                "fare_currency",
                _("Give the currency as three letters (ISO 4217), e.g. USD."),
                "required",
            )
        )
    elif not is_currency(currency):
        errors.append(
            FieldError(
                "fare_currency",
                _("Unknown currency: give an ISO 4217 code, e.g. USD."),
                "unknown_currency",
            )
        )
    if fault is not None or not is_currency(currency):
        return None, ""
    return amount.quantize(Decimal("0.01")), currency


def _amount_fault(amount: Decimal, currency: str) -> str | None:
    # A number of more digits than the decimal context holds cannot even be
    # rounded to cents: it is too large for the column anyway.
    try:
        return amount_fault(amount, currency)
    except InvalidOperation:
        return "too_large"


def _flag(raw, key: str, errors: list[FieldError]) -> bool | None:
    value = raw.get(key)
    if value is None or value == "" or isinstance(value, bool):
        return value if isinstance(value, bool) else None
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    errors.append(FieldError(key, _("Answer true or false.")))
    return None


def _rebooked_flight(raw, errors: list[FieldError]) -> str:
    value = _text(raw, "rebooked_flight").upper().replace(" ", "")
    if value and not FLIGHT_NUMBER.match(value):
        errors.append(
            FieldError(
                "rebooked_flight", _("A flight number looks like CA981 or MU5101.")
            )
        )
        return ""
    return value


def _moment(value, place: str, name: str, errors: list[FieldError]):
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            errors.append(FieldError(name, _("Give a date and time in ISO 8601.")))
            return None
    if not isinstance(value, datetime):
        errors.append(FieldError(name, _("Give a date and time in ISO 8601.")))
        return None
    fault = year_fault(value)
    if fault is not None:
        errors.append(FieldError(name, fault, YEAR_CODE))
        return None
    if value.utcoffset() is None:
        found = airport(place)
        if found is None:
            errors.append(FieldError(name, _("Give a date and time in ISO 8601.")))
            return None
        value = value.replace(tzinfo=ZoneInfo(found.tz))
    return value


def _onward(flight: Flight, value, errors: list[FieldError]) -> list[dict[str, str]]:
    """Return the onward segments, checked: airports known, in order, in time."""
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            errors.append(FieldError("onward", _("Give the onward flights as a list.")))
            return []
        # JSON may spell a NUL as an escape, which the row's check cannot see.
        nul = _nul_errors(value, "onward")
        if nul:
            errors += nul
            return []
    if not isinstance(value, list):
        errors.append(FieldError("onward", _("Give the onward flights as a list.")))
        return []
    segments: list[dict[str, str]] = []
    place, ready = flight.destination, flight.scheduled_arrival
    for index, raw in enumerate(value):
        segment = _segment(raw, f"onward.{index}", place, ready, errors)
        if segment is None:
            return []
        segments.append(segment)
        place = segment["destination"]
        ready = datetime.fromisoformat(segment["scheduled_arrival"])
    return segments


def _segment(raw, path: str, place: str, ready: datetime, errors) -> dict | None:
    if not isinstance(raw, Mapping):
        errors.append(FieldError(path, _("Each onward flight is an object.")))
        return None
    before = len(errors)
    carrier = _text(raw, "carrier").upper()
    if not AIRLINE_CODE.match(carrier):
        errors.append(
            FieldError(
                f"{path}.carrier",
                _("An airline code has two (IATA) or three (ICAO) characters."),
            )
        )
    number = _text(raw, "flight_number").upper().replace(" ", "")
    if number and not FLIGHT_NUMBER.match(number):
        errors.append(
            FieldError(
                f"{path}.flight_number",
                _("A flight number looks like CA981 or MU5101."),
            )
        )
    origin = _text(raw, "origin").upper()
    destination = _text(raw, "destination").upper()
    for key, code in (("origin", origin), ("destination", destination)):
        if airport(code) is None:
            errors.append(FieldError(f"{path}.{key}", _("Unknown airport code.")))
    if origin and origin == destination:
        errors.append(
            FieldError(
                f"{path}.destination",
                _("The destination must be another airport than the origin."),
                "same_airport",
            )
        )
    if origin and origin != place:
        errors.append(
            FieldError(
                f"{path}.origin",
                _("An onward flight leaves from where the previous one lands."),
                "not_connected",
            )
        )
    departure = _moment(
        raw.get("scheduled_departure"), origin, f"{path}.scheduled_departure", errors
    )
    arrival = _moment(
        raw.get("scheduled_arrival"), destination, f"{path}.scheduled_arrival", errors
    )
    if departure is None or arrival is None:
        if len(errors) == before:
            errors.append(
                FieldError(
                    f"{path}.scheduled_departure",
                    _("Give the scheduled departure and arrival."),
                    "required",
                )
            )
        return None
    if departure <= ready or arrival <= departure:
        errors.append(
            FieldError(
                f"{path}.scheduled_departure",
                _("An onward flight leaves after the previous one lands."),
                "not_connected",
            )
        )
    if len(errors) > before:
        return None
    return {
        "carrier": carrier,
        "flight_number": number,
        "origin": origin,
        "destination": destination,
        "scheduled_departure": departure.isoformat(),
        "scheduled_arrival": arrival.isoformat(),
    }
