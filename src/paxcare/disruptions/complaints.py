"""A passenger who writes later about a disrupted flight lands in the case it opened.

``disruption_case_for`` recognises the passenger: the same flight (its number, and
its date when the message gives one) and the same person (the e-mail or phone on
the booking, or the booking reference of a message that gives no contact).
``join_disruption_cases`` is the hook for intake's batch pipeline: it files each
such message on the existing case and marks the draft as handled, so intake opens
no second case. This module imports nothing of intake but its drafts, so that
intake may call it.
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
    if not (draft.flight_number or draft.booking_reference):
        return None
    email = (draft.email or "").strip().lower()
    if email or draft.phone:
        person = Q(entry__email=email) if email else Q()
        if draft.phone:
            person |= Q(entry__phone=draft.phone)
    elif draft.booking_reference:
        person = Q(entry__booking_reference=draft.booking_reference.upper())
    else:
        return None
    rows = AffectedPassenger.objects.filter(person)
    if draft.flight_number:
        rows = rows.filter(entry__flight__flight_number=draft.flight_number.upper())
    if draft.flight_date:
        rows = rows.filter(entry__flight__flight_date=draft.flight_date)
    found = (
        rows.select_related("case").order_by("-disruption__opened_at", "-pk").first()
    )
    return found.case if found else None


def join_disruption_cases(pairs: Sequence[tuple[CaseDraft, object]]) -> None:
    """File each draft about a disrupted flight on its passenger's existing case.

    ``pairs`` are intake's ``(draft, result)``; a joined draft's ``result.case`` is
    set to the existing case, which intake then leaves alone. Drafts on the
    ``system`` channel are PaxCare's own (the disruption's cases among them) and
    are never joined.
    """
    for draft, result in pairs:
        if draft.channel == Channel.SYSTEM:
            continue
        if not (draft.flight_number or draft.booking_reference):
            continue
        case = disruption_case_for(draft)
        if case is None:
            continue
        add_passenger_message(
            case,
            draft.text,
            channel=draft.channel,
            external_id=draft.external_id,
            at=draft.received_at,
        )
        result.case = case
        logger.info("disruptions: message joined to case %s", case.number)
