"""A passenger who writes later about a disrupted flight lands in the case it opened.

``disruption_case_for`` recognises the passenger: the same flight (its number, and
its date when the message gives one) and the same person (the e-mail or phone on
the booking, or the booking reference of a message that gives no contact).
``join_disruption_cases`` is the hook for intake's batch pipeline: it files each
such message on the existing case and marks the draft as handled, so intake opens
no second case; it matches a whole batch in one query. This module imports nothing
of intake but its drafts, so that intake may call it.
"""

import logging
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from django.db import connection

from paxcare.cases.models import Case, Channel
from paxcare.cases.services import add_passenger_message
from paxcare.disruptions.models import AffectedPassenger, Flight
from paxcare.intake.drafts import CaseDraft

logger = logging.getLogger(__name__)


def disruption_case_for(draft: CaseDraft) -> Case | None:
    """Return the case a disruption opened or joined for this draft's passenger.

    A draft with an e-mail or phone is matched on them; one without any contact
    (a public post) on its booking reference and its flight number together: a
    booking reference quoted in public may be anyone's, so it must come with the
    flight it was booked on. A booking reference never matches for a draft that
    gives a contact: it may be a fellow traveller's.
    """
    return disruption_cases_for([draft])[0]


def disruption_cases_for(drafts: Sequence[CaseDraft]) -> list[Case | None]:
    """Return ``disruption_case_for`` of each draft, from one query for them all."""
    return [row.case if row else None for row in _links_for(drafts)]


def _links_for(drafts: Sequence[CaseDraft]) -> list[AffectedPassenger | None]:
    """Return the newest disruption link matching each draft's passenger, or None.

    The candidates are found by one written-out query (intake runs it for every
    batch that names a flight, and most find nothing); only a match is then read
    with its case and flight.
    """
    people = [_person(draft) for draft in drafts]
    if not any(any(who) for who in people):
        return [None] * len(drafts)
    candidates = _candidates(drafts, people)
    chosen = [
        _newest_match(candidates, draft, who)
        for draft, who in zip(drafts, people, strict=True)
    ]
    wanted = {pk for pk in chosen if pk is not None}
    if not wanted:
        return [None] * len(drafts)
    rows = AffectedPassenger.objects.select_related("case", "entry__flight").in_bulk(
        wanted
    )
    return [rows.get(pk) if pk is not None else None for pk in chosen]


class _Candidate(NamedTuple):
    """An affected passenger as matched: who, on which flight."""

    pk: int
    email: str
    phone: str
    booking_reference: str
    flight_number: str
    flight_date: date


def _candidates(drafts, people) -> list[_Candidate]:
    """Return the links of the drafts' contacts and references, newest first.

    A draft that names its flight is looked for among that flight number's
    passengers only, so that PostgreSQL starts from the flight's index rather
    than reading every manifest entry; one without a flight number by its e-mail
    or phone anywhere; one without a contact by its booking reference.
    """
    arms, params = [], []
    flights = {(d.flight_number or "").upper() for d in drafts if d.flight_number}
    for on_flight in (True, False):
        emails, phones = set(), set()
        for draft, (email, phone, _) in zip(drafts, people, strict=True):
            if bool(draft.flight_number) == on_flight:
                emails.update([email] if email else [])
                phones.update([phone] if phone else [])
        contact, values = _either("e.email", emails, "e.phone", phones)
        if not contact:
            continue
        if on_flight:
            contact = f"f.flight_number IN {_in(flights)} AND ({contact})"
            values = [*sorted(flights), *values]
        arms.append(contact)
        params.extend(values)
    references = sorted({reference for _, _, reference in people if reference})
    if references:
        arms.append(f"e.booking_reference IN {_in(references)}")
        params.extend(references)
    sql = " UNION ALL ".join(_CANDIDATES_SQL + arm for arm in arms)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY 7 DESC, 1 DESC", params)
        rows = cursor.fetchall()
    return [_Candidate(*row[:5], _as_date(row[5])) for row in rows]


_CANDIDATES_SQL = (
    "SELECT ap.id, e.email, e.phone, e.booking_reference, f.flight_number,"
    " f.flight_date, d.opened_at"
    " FROM disruptions_affectedpassenger ap"
    " JOIN disruptions_manifestentry e ON e.id = ap.entry_id"
    " JOIN disruptions_flight f ON f.id = e.flight_id"
    " JOIN disruptions_disruption d ON d.id = ap.disruption_id"
    " WHERE "
)


def _either(first: str, values: set, second: str, others: set) -> tuple[str, list]:
    parts, params = [], []
    for column, chosen in ((first, values), (second, others)):
        if chosen:
            parts.append(f"{column} IN {_in(chosen)}")
            params.extend(sorted(chosen))
    return " OR ".join(parts), params


def _in(values) -> str:
    return "(" + ", ".join(["%s"] * len(values)) + ")"


def _as_date(value) -> date:
    # SQLite may hand a date of a compound query back as its text.
    return date.fromisoformat(value) if isinstance(value, str) else value


def _person(draft: CaseDraft) -> tuple[str, str, str]:
    """Return the (e-mail, phone, booking reference) a draft is matched on."""
    if not (draft.flight_number or draft.booking_reference):
        return "", "", ""
    email = (draft.email or "").strip().lower()
    if email or draft.phone:
        return email, draft.phone or "", ""
    return "", "", (draft.booking_reference or "").upper()


def _newest_match(
    candidates: list[_Candidate], draft: CaseDraft, who: tuple[str, str, str]
) -> int | None:
    email, phone, reference = who
    if not (email or phone or reference):
        return None
    number = (draft.flight_number or "").upper()
    if reference and not number:
        return None
    for row in candidates:
        if reference:
            if row.booking_reference != reference:
                continue
        elif not ((email and row.email == email) or (phone and row.phone == phone)):
            continue
        if number and row.flight_number != number:
            continue
        if draft.flight_date and row.flight_date != draft.flight_date:
            continue
        return row.pk
    return None


def flight_dates_on_record(
    numbers: Sequence[str], first: date, last: date
) -> dict[str, set[date]]:
    """Return the dates, from ``first`` to ``last``, of the flights PaxCare knows.

    Keyed by flight number; numbers without such a flight are left out. One
    query, none without numbers.
    """
    if not numbers:
        return {}
    found: dict[str, set[date]] = {}
    rows = Flight.objects.filter(
        flight_number__in=set(numbers), flight_date__range=(first, last)
    ).values_list("flight_number", "flight_date")
    for number, day in rows:
        found.setdefault(number, set()).add(day)
    return found


def join_disruption_cases(pairs: Sequence[tuple[CaseDraft, object]]) -> None:
    """File each draft about a disrupted flight on its passenger's existing case.

    ``pairs`` are intake's ``(draft, result)``; a joined draft's ``result.case`` is
    set to the existing case, which intake then leaves alone. Drafts on the
    ``system`` channel are PaxCare's own (the disruption's cases among them) and
    are never joined. A web form's contact is typed by whoever fills it in, so a
    web draft joins only when its booking reference is the passenger's as well,
    as the claim form asks. The drafts are matched in one query; a batch without
    a flight number or booking reference (PaxCare's own, most posts) costs none.
    """
    candidates = [
        (draft, result)
        for draft, result in pairs
        if draft.channel != Channel.SYSTEM
        and (draft.flight_number or draft.booking_reference)
        and getattr(result, "case", None) is None
    ]
    if not candidates:
        return
    found = _links_for([draft for draft, _ in candidates])
    for (draft, result), row in zip(candidates, found, strict=True):
        if row is None or not _may_join(draft, row):
            continue
        add_passenger_message(
            row.case,
            message_text(draft),
            channel=draft.channel,
            external_id=draft.external_id,
            at=draft.received_at,
            author_label=_author(draft),
        )
        result.case = row.case
        logger.info("disruptions: message joined to case %s", row.case.number)


def _author(draft: CaseDraft) -> str:
    """Return who wrote a draft matched without a contact (a post), else ""."""
    if draft.email or draft.phone:
        return ""  # matched on their own contact: the case's passenger
    return draft.social_handle or draft.passenger_name or ""


def message_text(draft: CaseDraft) -> str:
    """Return the words the passenger wrote: their subject, if any, and the text.

    A checked draft without a subject gets one made from the first line of its
    description; that subject is not the passenger's, and filing it as well would
    write the first line twice.
    """
    subject, description = draft.subject, draft.description
    if not subject or subject == _subject_from(description):
        return description
    return f"{subject}\n{description}"


def _subject_from(description: str) -> str:
    # The subject ``intake.drafts.clean_draft`` makes from a description.
    first_line = description.splitlines()[0] if description else ""
    return first_line[:80] + ("…" if len(first_line) > 80 else "")


def _may_join(draft: CaseDraft, row: AffectedPassenger) -> bool:
    if draft.channel != Channel.WEB:
        return True
    reference = (draft.booking_reference or "").strip().upper()
    return reference == row.entry.booking_reference
