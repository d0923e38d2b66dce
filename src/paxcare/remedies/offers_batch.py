"""The batch form of ``offers``: one remedy on many cases, one decision on many offers.

A goodwill gesture for a whole disrupted flight reaches hundreds of cases. Each case
gets exactly what ``offers.propose_offer`` would give it: the same checks, the same
approval rule (the proposer's limit against the offer plus what already counts on
that case, converted with the dated rate table), the same ``remedy.*`` events and
ledger entries. Only the cost differs: a batch inserts its offers, ledger entries
and events together and announces the events once, so that comms queues the
batch's notifications in one go; a batch costs a dozen queries, not a dozen per
case. Its ``remedy.proposed`` events carry ``batch`` (the id of the batch's first
offer), so that the offers waiting for approval make one request to the approver
(``receivers``), not one each.

``approve_offers`` and ``reject_offers`` are one person's decision on many proposed
offers (a whole gesture waiting above the proposer's limit): every offer is checked
as ``approve_offer`` checks it, and each case's timeline records its own approval.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from paxcare.bulk import insert_rows
from paxcare.cases.events import announce, build_event
from paxcare.cases.models import Case, Event
from paxcare.cases.services import cases_visible_to
from paxcare.errors import PermissionDenied
from paxcare.remedies.models import OfferKind, OfferState, RemedyOffer
from paxcare.remedies.offers import (
    VALID_DAYS,
    Approval,
    OfferDraft,
    _checked,
    _expire_if_due,
    _offer_data,
    _reason,
    approval_needed,
    counted_money,
    is_approver,
    ledger_entry,
)
from paxcare.remedies.rates import rates_on
from paxcare.remedies.services import RemedyEvent, case_flights
from paxcare.routing.models import Role
from paxcare.routing.services import agent_profile

logger = logging.getLogger(__name__)

# Cases (or offers) per call: the rows of one batch stay a few hundred kilobytes and
# its statements far below SQLite's parameter limit, and a caller's transaction per
# batch holds its locks briefly.
MAX_BATCH = 200


@dataclass
class Decision:
    """What one decision on many offers did."""

    done: list[RemedyOffer] = field(default_factory=list)
    # Offers whose time ran out before the decision: now expired.
    expired: int = 0
    # Offers no longer proposed, proposed by the decider, or on cases they may not
    # work: left as they are.
    skipped: int = 0


def workable_case_ids(user, case_ids: Sequence[int]) -> set[int]:
    """Return the cases among ``case_ids`` that ``user`` may change (``may_work``)."""
    if user.is_superuser:
        return set(case_ids)
    profile = agent_profile(user)
    if profile is None or profile.role == Role.AUDITOR:
        return set()
    visible = cases_visible_to(user).filter(pk__in=list(case_ids))
    return set(visible.values_list("pk", flat=True))


def propose_offers(
    cases: Sequence[Case], draft: OfferDraft, *, actor, at: datetime | None = None
) -> list[RemedyOffer]:
    """Propose ``draft`` on every case, as ``propose_offer`` does on one; in order.

    Each offer is approved at once when, with what already counts on its case, it
    stays within the proposer's limit, and otherwise waits for a second person,
    like a single offer. Raise
    PermissionDenied when ``actor`` may not work one of the cases, InvalidInput for
    bad values, ValueError for a reimbursement (its receipts belong to one case).
    """
    if len(cases) > MAX_BATCH:
        raise ValueError(f"At most {MAX_BATCH} cases per batch.")
    if not cases:
        return []
    if draft.kind == OfferKind.REIMBURSEMENT or draft.receipt_ids:
        # Receipts are files of one case: no page or route offers this in a batch.
        raise ValueError("Expenses are reimbursed case by case, against receipts.")
    at = at or timezone.now()
    values = _checked(cases[0], draft, at)
    values.pop("receipts")
    with transaction.atomic():
        ids = [case.pk for case in cases]
        # Locked and read again with their categories, which the ledger copies;
        # locked before counting, so that no proposal meanwhile escapes the limit.
        locked = Case.objects.select_for_update(of=("self",)).select_related("category")
        found = locked.in_bulk(ids)
        if actor is not None and workable_case_ids(actor, ids) != set(ids):
            raise PermissionDenied(_("You may not change this case."))
        cases = [found[pk] for pk in ids]
        approvals = _approvals(cases, values, actor, at)
        offers = [
            _new_offer(case, values, approval, actor, at)
            for case, approval in zip(cases, approvals, strict=True)
        ]
        insert_rows(offers)
        events = _write_proposals(offers, approvals, actor, at)
        announce(events)
    waiting = sum(1 for offer in offers if offer.needs_approval)
    logger.info(
        "remedies: %d offers proposed in one batch, %d awaiting approval",
        len(offers),
        waiting,
    )
    return offers


def _approvals(
    cases: Sequence[Case], values: dict, actor, at: datetime
) -> list[Approval]:
    """Judge the offer on each case with what already counts there (one query).

    A case named twice counts the batch's first offer when judging the second.
    """
    counted = counted_money([case.pk for case in cases], actor)
    table = rates_on(at.date())
    approvals = []
    for case in cases:
        here = counted.setdefault(case.pk, [])
        approvals.append(approval_needed(actor, values, at, here, table))
        if values["amount"] is not None:
            here.append((values["amount"], values["currency"]))
    return approvals


def _write_proposals(
    offers: list[RemedyOffer], approvals: list[Approval], actor, at: datetime
) -> list[Event]:
    """Insert the batch's ledger entries and events; return the events."""
    flights = case_flights([offer.case for offer in offers])
    batch = offers[0].pk
    entries, events = [], []
    for offer, approval in zip(offers, approvals, strict=True):
        flight = flights[offer.case_id]
        proposed = {**_offer_data(offer), "state": OfferState.PROPOSED}
        proposed.update({"needs_approval": approval.needs, **approval.valuation})
        if approval.reason:
            proposed["approval_reason"] = approval.reason
        proposed["batch"] = batch
        events.append(_event(offer, RemedyEvent.PROPOSED, actor, proposed, at))
        entries.append(ledger_entry(offer, at, flight, OfferState.PROPOSED))
        if not approval.needs:
            entries.append(ledger_entry(offer, at, flight))
            events += _approval_events(offer, actor, at, automatic=True)
    insert_rows(entries)
    insert_rows(events)
    return events


def approve_offers(
    offers: Sequence[RemedyOffer], *, actor, at: datetime | None = None
) -> Decision:
    """Approve many proposed offers as one decision of a second person.

    Each offer is checked as ``approve_offer`` checks it; those the actor may not
    approve (their own, another department's, no longer proposed) are skipped and
    those whose time ran out are expired. Raise PermissionDenied when the actor is
    neither a supervisor nor an administrator.
    """
    at = at or timezone.now()
    with transaction.atomic():
        decision, ready = _decidable(offers, actor, at)
        for offer in ready:
            offer.state = OfferState.APPROVED
            offer.approved_at, offer.approved_by = at, actor
        RemedyOffer.objects.filter(pk__in=[o.pk for o in ready]).update(
            state=OfferState.APPROVED, approved_at=at, approved_by=actor
        )
        events: list[Event] = []
        for offer in ready:
            events += _approval_events(offer, actor, at, automatic=False)
        _write(ready, at, events)
        decision.done = ready
    return decision


def reject_offers(
    offers: Sequence[RemedyOffer],
    *,
    actor,
    reason: str = "",
    at: datetime | None = None,
) -> Decision:
    """Refuse many proposed offers as one decision; each ends declined."""
    at = at or timezone.now()
    reason = _reason(reason)
    with transaction.atomic():
        decision, ready = _decidable(offers, actor, at)
        for offer in ready:
            offer.state, offer.closed_at, offer.declined_reason = (
                OfferState.DECLINED,
                at,
                reason,
            )
        RemedyOffer.objects.filter(pk__in=[o.pk for o in ready]).update(
            state=OfferState.DECLINED, closed_at=at, declined_reason=reason
        )
        events = [
            _event(
                offer,
                RemedyEvent.DECLINED,
                actor,
                {**_offer_data(offer), "by": "approver", "reason": reason},
                at,
            )
            for offer in ready
        ]
        _write(ready, at, events)
        decision.done = ready
    return decision


# --- Pieces -----------------------------------------------------------------------


def _new_offer(case, values, approval: Approval, actor, at) -> RemedyOffer:
    approved = not approval.needs
    return RemedyOffer(
        case=case,
        state=OfferState.APPROVED if approved else OfferState.PROPOSED,
        needs_approval=approval.needs,
        approval_reason=approval.reason,
        proposed_at=at,
        proposed_by=actor,
        approved_at=at if approved else None,
        approved_by=actor if approved else None,
        expires_at=at + timedelta(days=VALID_DAYS),
        **values,
    )


def _event(offer: RemedyOffer, type: str, actor, data: dict, at) -> Event:
    return build_event(offer.case, type, actor=actor, data=data, at=at)


def _approval_events(offer: RemedyOffer, actor, at, *, automatic: bool) -> list:
    approved = {**_offer_data(offer), "automatic": automatic}
    offered = {**_offer_data(offer), "expires_at": offer.expires_at.isoformat()}
    return [
        _event(offer, RemedyEvent.APPROVED, actor, approved, at),
        _event(offer, RemedyEvent.OFFERED, actor, offered, at),
    ]


def _decidable(
    offers: Sequence[RemedyOffer], actor, at: datetime
) -> tuple[Decision, list[RemedyOffer]]:
    """Lock the offers; return the decision so far and the offers ready for it."""
    if len(offers) > MAX_BATCH:
        raise ValueError(f"At most {MAX_BATCH} offers per batch.")
    if not is_approver(actor):
        raise PermissionDenied(
            _("Only a supervisor or administrator of the case may approve offers.")
        )
    locked = list(
        RemedyOffer.objects.select_for_update(of=("self",))
        .select_related("case", "case__category")
        .filter(pk__in=[offer.pk for offer in offers])
        .order_by("pk")
    )
    workable = workable_case_ids(actor, [offer.case_id for offer in locked])
    decision, ready = Decision(), []
    for offer in locked:
        if offer.proposed_by_id == actor.pk or offer.case_id not in workable:
            decision.skipped += 1
        elif _expire_if_due(offer, at):
            decision.expired += 1
        elif offer.state != OfferState.PROPOSED:
            decision.skipped += 1
        else:
            ready.append(offer)
    return decision, ready


def _write(offers: list[RemedyOffer], at: datetime, events: list[Event]) -> None:
    flights = case_flights([offer.case for offer in offers])
    insert_rows([ledger_entry(o, at, flights[o.case_id]) for o in offers])
    insert_rows(events)
    announce(events)
