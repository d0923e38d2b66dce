"""What every channel hands to intake: a CaseDraft, checked field by field."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from functools import cache

import airportsdata
import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from paxcare.cases.models import Channel
from paxcare.crm.models import Language
from paxcare.errors import FieldError
from paxcare.triage.models import Kind, Priority

MAX_SUBJECT_CHARS = 300
MAX_DESCRIPTION_CHARS = 20_000

RECORD_LOCATOR = re.compile(r"^[A-Z0-9]{6}$")
TICKET_NUMBER = re.compile(r"^(\d{3})-?(\d{10})$")
# Airline designator (two characters, at least one a letter) + 1-4 digits + suffix.
FLIGHT_NUMBER = re.compile(
    r"^(?=[A-Z0-9]{2}\d)(?![0-9]{2})([A-Z0-9]{2})(\d{1,4})([A-Z]?)$"
)
AIRLINE_CODE = re.compile(r"^(?![0-9]{2}$)[A-Z0-9]{2}$|^[A-Z]{3}$")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Hiragana and katakana: Japanese writes Chinese characters too, and a Japanese
# passenger is answered in English rather than in Chinese.
KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")

# A sender's clock may run a little ahead of ours (phones, bridges, mail servers):
# five minutes covers ordinary skew. A later time is a wrong clock or a wrong zone,
# and a case "received" in the future would sit in the backlog of no period.
RECEIVED_CLOCK_SKEW = timedelta(minutes=5)
# Imported history is welcome, but no helpdesk or social-media export an airline
# brings starts before 2000; an earlier time is a slip such as a two-digit year or
# a zero epoch (1970), and would land in the oldest backlog bucket for ever.
EARLIEST_RECEIVED_AT = datetime(2000, 1, 1, tzinfo=UTC)

# ``Choices.values`` builds a new list on every use; a draft checks four of them.
CHANNELS = frozenset(Channel.values)
KINDS = frozenset(Kind.values)
PRIORITIES = frozenset(Priority.values)
LANGUAGES = frozenset(Language.values)


@cache
def iata_airports() -> frozenset[str]:
    return frozenset(airportsdata.load("IATA"))


@dataclass
class CaseDraft:
    description: str
    channel: str
    subject: str = ""
    external_id: str | None = None
    kind: str = ""
    category: str = ""
    priority: str = ""
    language: str = ""
    passenger_name: str = ""
    email: str = ""
    phone: str = ""
    social_handle: str = ""
    booking_reference: str = ""
    ticket_number: str = ""
    airline: str = ""
    flight_number: str = ""
    flight_date: date | None = None
    airport: str = ""
    received_at: datetime | None = None
    # The words a search finds the case by in place of its description's (None:
    # the description's). PaxCare's own cases give the reason only: their
    # standard description is the same for every passenger of a flight.
    search_words: str | None = None
    require_contact: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return (
            f"{self.subject}\n{self.description}" if self.subject else self.description
        )


def clean_draft(
    draft: CaseDraft, known_categories: set[str], *, now: datetime | None = None
) -> list[FieldError]:
    """Normalise the draft in place; return every field that is wrong.

    A text field holding a NUL character gets that error alone: PostgreSQL cannot
    store the character, and the field's other checks would only repeat the fault.
    """
    # Before normalising: a subject made from a description is not the sender's.
    nul = _nul_errors(draft)
    errors: list[FieldError] = []
    _clean_text(draft, errors)
    _clean_choices(draft, known_categories, errors)
    _clean_contact(draft, errors)
    _clean_travel(draft, errors)
    _clean_received_at(draft, now or timezone.now(), errors)
    if nul:
        named = {error.field for error in nul}
        errors = nul + [error for error in errors if error.field not in named]
    return errors


def renamed(errors: list[FieldError], names: Mapping[str, str]) -> list[FieldError]:
    """Return the errors under the field names a channel's clients use.

    Two draft fields of one client field (a post's text is its subject and its
    description) give one error per message.
    """
    result: list[FieldError] = []
    for error in errors:
        field_name = names.get(error.field, error.field)
        moved = FieldError(field_name, error.message, error.code)
        if moved not in result:
            result.append(moved)
    return result


# Every field is looked at: the text fields are the ones holding a string.
DRAFT_FIELDS = tuple(item.name for item in fields(CaseDraft))


def _nul_errors(draft: CaseDraft) -> list[FieldError]:
    return [
        FieldError(name, _("Text must not contain NUL characters."), "nul_character")
        for name in DRAFT_FIELDS
        if isinstance(value := getattr(draft, name), str) and "\x00" in value
    ]


def _clean_received_at(
    draft: CaseDraft, now: datetime, errors: list[FieldError]
) -> None:
    received = draft.received_at
    if received is None:
        return
    if timezone.is_naive(received):
        received = timezone.make_aware(received, timezone.get_default_timezone())
        draft.received_at = received
    if received > now + RECEIVED_CLOCK_SKEW:
        message = _(
            "This time is in the future: a case can be received at most "
            "%(minutes)d minutes ahead of the server's clock."
        ) % {"minutes": RECEIVED_CLOCK_SKEW // timedelta(minutes=1)}
        errors.append(FieldError("received_at", message, "in_future"))
    elif received < EARLIEST_RECEIVED_AT:
        message = _("Times before %(date)s are not accepted; check the year.") % {
            "date": EARLIEST_RECEIVED_AT.date().isoformat()
        }
        errors.append(FieldError("received_at", message, "too_early"))


def _clean_text(draft: CaseDraft, errors: list[FieldError]) -> None:
    if draft.external_id is not None:
        # Spaces around an id are a sender's slip, and an empty id is no id
        # (stored, a second one broke the id's uniqueness).
        draft.external_id = draft.external_id.strip() or None
    draft.description = (draft.description or "").strip()
    draft.subject = " ".join((draft.subject or "").split())
    if not draft.description:
        errors.append(FieldError("description", _("Describe the problem."), "required"))
    elif len(draft.description) > MAX_DESCRIPTION_CHARS:
        errors.append(
            FieldError(
                "description",
                _("At most %(n)d characters; attach longer documents as files.")
                % {"n": MAX_DESCRIPTION_CHARS},
                "too_long",
            )
        )
    if len(draft.subject) > MAX_SUBJECT_CHARS:
        errors.append(
            FieldError(
                "subject",
                _("At most %(n)d characters.") % {"n": MAX_SUBJECT_CHARS},
                "too_long",
            )
        )
    if not draft.subject and draft.description:
        first_line = draft.description.splitlines()[0]
        draft.subject = first_line[:80] + ("…" if len(first_line) > 80 else "")
    if not draft.language:
        text = draft.text
        chinese = CJK.search(text) is not None and KANA.search(text) is None
        draft.language = Language.CHINESE if chinese else Language.ENGLISH


def _clean_choices(draft: CaseDraft, known: set[str], errors: list[FieldError]) -> None:
    if draft.channel not in CHANNELS:
        errors.append(FieldError("channel", _("Unknown channel."), "invalid_choice"))
    if draft.kind and draft.kind not in KINDS:
        errors.append(FieldError("kind", _("Unknown kind."), "invalid_choice"))
    if draft.priority and draft.priority not in PRIORITIES:
        errors.append(FieldError("priority", _("Unknown priority."), "invalid_choice"))
    if draft.category and draft.category not in known:
        errors.append(FieldError("category", _("Unknown category."), "invalid_choice"))
    if draft.language not in LANGUAGES:
        errors.append(FieldError("language", _("Unknown language."), "invalid_choice"))


def _clean_contact(draft: CaseDraft, errors: list[FieldError]) -> None:
    draft.passenger_name = " ".join((draft.passenger_name or "").split())[:200]
    draft.email = (draft.email or "").strip()
    if draft.email:
        try:
            validate_email(draft.email)
        except ValidationError:
            errors.append(
                FieldError("email", _("Enter a valid e-mail address."), "invalid")
            )
    draft.phone = (draft.phone or "").strip()
    if draft.phone:
        normalised = normalise_phone(draft.phone)
        if normalised is None:
            errors.append(
                FieldError(
                    "phone",
                    _(
                        "Enter the phone number with its country code, "
                        "e.g. +86 138 0013 8000."
                    ),
                    "invalid",
                )
            )
        else:
            draft.phone = normalised
    if draft.require_contact and not (draft.email or draft.phone):
        errors.append(
            FieldError(
                "email", _("Give an e-mail address or a phone number."), "required"
            )
        )


def normalise_phone(raw: str) -> str | None:
    """Return the number in E.164, or None when it is not a possible number.

    Text with letters is refused, not cut: phonenumbers drops an extension ("x",
    "ext. 12") and reads vanity letters as digits, and E.164 keeps neither.
    """
    if any(character.isalpha() for character in raw):
        return None
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _clean_travel(draft: CaseDraft, errors: list[FieldError]) -> None:
    draft.booking_reference = (draft.booking_reference or "").strip().upper()
    if draft.booking_reference and not RECORD_LOCATOR.match(draft.booking_reference):
        errors.append(
            FieldError(
                "booking_reference",
                _("A booking reference has six letters and digits."),
            )
        )
    draft.ticket_number = (draft.ticket_number or "").replace(" ", "")
    if draft.ticket_number:
        match = TICKET_NUMBER.match(draft.ticket_number)
        if not match:
            errors.append(
                FieldError(
                    "ticket_number",
                    _("An e-ticket number has 13 digits (999-1234567890)."),
                )
            )
        else:
            draft.ticket_number = f"{match.group(1)}-{match.group(2)}"
    draft.flight_number = (draft.flight_number or "").replace(" ", "").upper()
    if draft.flight_number:
        match = FLIGHT_NUMBER.match(draft.flight_number)
        if not match:
            errors.append(
                FieldError(
                    "flight_number", _("A flight number looks like CA981 or MU5101.")
                )
            )
        elif not draft.airline:
            draft.airline = match.group(1)
    draft.airline = (draft.airline or "").strip().upper()
    if draft.airline and not AIRLINE_CODE.match(draft.airline):
        errors.append(
            FieldError(
                "airline",
                _("An airline code has two (IATA) or three (ICAO) characters."),
            )
        )
    draft.airport = (draft.airport or "").strip().upper()
    if draft.airport and draft.airport not in iata_airports():
        errors.append(FieldError("airport", _("Unknown airport code.")))
