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

from django.db.models import Q

from paxcare.cases.models import Case, Channel
from paxcare.cases.services import add_passenger_message
from paxcare.disruptions.models import AffectedPassenger
from paxcare.intake.drafts import CaseDraft

logger = logging.getLogger(__name__)


def disruption_case_for(draft: CaseDraft) -> Case | None:
    """Return the case a disruption opened or joined for this draft's passenger.

    A draft with an e-mail or phone is matched on them; one without any contact
    (a public post) on its booking reference. A booking reference alone never
    matches for a draft that gives a contact: it may be a fellow traveller's.
    """
    return disruption_cases_for([draft])[0]


def disruption_cases_for(drafts: Sequence[CaseDraft]) -> list[Case | None]:
    """Return ``disruption_case_for`` of each draft, from one query for them all."""
    return [row.case if row else None for row in _links_for(drafts)]


def _links_for(drafts: Sequence[CaseDraft]) -> list[AffectedPassenger | None]:
    """Return the newest disruption link matching each draft's passenger, or None."""
    people = [_person(draft) for draft in drafts]
    emails = {email for email, _, _ in people if email}
    phones = {phone for _, phone, _ in people if phone}
    references = {reference for _, _, reference in people if reference}
    if not (emails or phones or references):
        return [None] * len(drafts)
    person = Q(entry__email__in=emails) if emails else Q(pk__in=[])
    if phones:
        person |= Q(entry__phone__in=phones)
    if references:
        person |= Q(entry__booking_reference__in=references)
    rows = list(
        AffectedPassenger.objects.filter(person)
        .select_related("case", "entry__flight")
        .order_by("-disruption__opened_at", "-pk")
    )
    return [
        _newest_match(rows, draft, who)
        for draft, who in zip(drafts, people, strict=True)
    ]


def _person(draft: CaseDraft) -> tuple[str, str, str]:
    """Return the (e-mail, phone, booking reference) a draft is matched on."""
    if not (draft.flight_number or draft.booking_reference):
        return "", "", ""
    email = (draft.email or "").strip().lower()
    if email or draft.phone:
        return email, draft.phone or "", ""
    return "", "", (draft.booking_reference or "").upper()


def _newest_match(
    rows, draft: CaseDraft, who: tuple[str, str, str]
) -> AffectedPassenger | None:
    email, phone, reference = who
    if not (email or phone or reference):
        return None
    number = (draft.flight_number or "").upper()
    for row in rows:
        entry = row.entry
        if reference:
            if entry.booking_reference != reference:
                continue
        elif not ((email and entry.email == email) or (phone and entry.phone == phone)):
            continue
        if number and entry.flight.flight_number != number:
            continue
        if draft.flight_date and entry.flight.flight_date != draft.flight_date:
            continue
        return row
    return None


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
            draft.text,
            channel=draft.channel,
            external_id=draft.external_id,
            at=draft.received_at,
        )
        result.case = row.case
        logger.info("disruptions: message joined to case %s", row.case.number)


def _may_join(draft: CaseDraft, row: AffectedPassenger) -> bool:
    if draft.channel != Channel.WEB:
        return True
    reference = (draft.booking_reference or "").strip().upper()
    return reference == row.entry.booking_reference
