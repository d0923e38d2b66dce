"""Offer, approve, pay: remedy offers and their state machine.

    proposed ──► approved ──► accepted ──► paid
        │            │
        ├─► declined ◄┤   (the approver refuses, or the passenger declines)
        └─► expired  ◄┘   (nobody answered before ``expires_at``)

The proposer's approval limit holds for what they give on a case, not per offer:
an offer waits for another person, a supervisor or administrator, when it takes
the money out on the case past the limit (``COUNTED_STATES``: the proposer's own
offers still waiting, offered, accepted or paid, and anyone's offers approved at
once without a second person). Amounts are converted with the dated rate table,
never compared across currencies as they stand. Splitting a sum into offers under
the limit therefore gains nothing. Miles have no price in the rate table, so every
miles offer takes a second person. An offer is money to pay: its currency must be
legal tender somewhere (``is_payable_currency``), never a unit of account such as
XDR, the SDR in which the Montreal Convention sets its limits. Only an approved
offer is shown to the passenger, who accepts or declines it in the portal; a
voucher or miles instead of money owed needs their explicit consent (EU261
Art. 7(3)).

Every step writes a case Event (``remedy.*``) and a ledger entry, in the same
transaction; ``receivers`` turns the offered and approval-needed events into
notifications.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from babel.core import get_global
from babel.numbers import get_territory_currencies
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from paxcare.cases.events import record_event
from paxcare.cases.models import Attachment, Case, Channel
from paxcare.cases.services import cases_visible_to, may_work
from paxcare.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from paxcare.money import MAX_AMOUNT, MAX_MILES, amount_fault, is_currency
from paxcare.remedies.models import (
    ExpenseKind,
    GoodwillRule,
    LedgerEntry,
    OfferKind,
    OfferState,
    RemedyOffer,
)
from paxcare.remedies.rates import NoRate, convert, rates_on
from paxcare.remedies.services import RemedyEvent, case_flight
from paxcare.routing.models import Role
from paxcare.routing.services import agent_profile

logger = logging.getLogger(__name__)

TRANSITIONS: dict[str, frozenset[str]] = {
    OfferState.PROPOSED: frozenset(
        {OfferState.APPROVED, OfferState.DECLINED, OfferState.EXPIRED}
    ),
    OfferState.APPROVED: frozenset(
        {OfferState.ACCEPTED, OfferState.DECLINED, OfferState.EXPIRED}
    ),
    OfferState.ACCEPTED: frozenset({OfferState.PAID}),
    OfferState.PAID: frozenset(),
    OfferState.DECLINED: frozenset(),
    OfferState.EXPIRED: frozenset(),
}
OPEN_STATES = frozenset({OfferState.PROPOSED, OfferState.APPROVED})
# What still counts against a proposer's limit on a case: everything not refused,
# declined or expired (those give the passenger nothing).
COUNTED_STATES = frozenset(
    {OfferState.PROPOSED, OfferState.APPROVED, OfferState.ACCEPTED, OfferState.PAID}
)
# Another proposer's offer counts once it was approved at once, within their own
# limit: no second person has seen it. One a second person approved was judged.
GIVEN_STATES = COUNTED_STATES - {OfferState.PROPOSED}
# What the passenger sees: nothing before a second person has approved.
PASSENGER_STATES = frozenset(set(OfferState) - {OfferState.PROPOSED})

MONEY_KINDS = frozenset(
    {
        OfferKind.COMPENSATION,
        OfferKind.REFUND,
        OfferKind.VOUCHER,
        OfferKind.REIMBURSEMENT,
    }
)
# An offer stays open this long for the approver and then the passenger.
VALID_DAYS = 30
CENT = Decimal("0.01")
REGIMES = frozenset({"eu261", "uk261", "appr", "us_dot", "caac", "montreal"})

APPROVAL_REASONS = {
    "over_limit": lambda: _("above the proposer's approval limit"),
    "case_over_limit": lambda: _(
        "with the other offers on this case, above the proposer's approval limit"
    ),
    "no_rate": lambda: _("no exchange rate to the proposer's limit currency"),
    "miles": lambda: _("miles always need a second person"),
    "no_limit": lambda: _("the proposer has no approval limit"),
}


def approval_reason_text(code: str) -> str:
    """Return the translated reason why an offer needed approval."""
    found = APPROVAL_REASONS.get(code)
    return found() if found else ""


@dataclass(frozen=True)
class Approval:
    """Whether an offer needs a second person, why, and the valuation used."""

    needs: bool
    reason: str = ""
    # ``value`` (this offer), ``case_value`` (with what counts on the case),
    # ``limit`` and ``limit_currency``, as decimal strings and a code.
    valuation: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OfferDraft:
    """What an agent proposes; checked by ``propose_offer``."""

    kind: str
    amount: Decimal | None = None
    currency: str = ""
    miles: int | None = None
    expense: str = ""
    description: str = ""
    regime: str = ""
    entitlement_code: str = ""
    goodwill_rule_id: int | None = None
    instead_of_money: bool = False
    receipt_ids: tuple[int, ...] = ()


# --- Lookups --------------------------------------------------------------------


def offers_visible_to(user) -> QuerySet[RemedyOffer]:
    """Return the offers of the cases ``user`` may see."""
    return RemedyOffer.objects.filter(case__in=cases_visible_to(user))


def offers_awaiting(user) -> QuerySet[RemedyOffer]:
    """Return the proposed offers ``user`` may approve (``may_approve``), as a query.

    One query whatever their number: the role is checked once and the cases in
    the query, instead of asking ``may_approve`` offer by offer.
    """
    if not is_approver(user):
        return RemedyOffer.objects.none()
    return (
        offers_visible_to(user)
        .filter(state=OfferState.PROPOSED)
        .exclude(proposed_by=user)
    )


def offer_for_staff(user, offer_id: int) -> RemedyOffer:
    """Return a visible offer; NotFound for a missing and a hidden one alike."""
    offer = (
        offers_visible_to(user)
        .select_related("case", "proposed_by", "approved_by")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        raise NotFound(_("No offer with this number."))
    return offer


def offers_for_case(case: Case) -> list[RemedyOffer]:
    """Return every offer of a case, oldest first (staff pages only)."""
    return list(
        case.remedy_offers.select_related("proposed_by", "approved_by", "paid_by")
    )


def offers_for_passenger(case: Case) -> list[RemedyOffer]:
    """Return the offers a passenger may see on their own case, oldest first."""
    return list(case.remedy_offers.filter(state__in=PASSENGER_STATES))


def offer_for_passenger(case: Case, offer_id: int) -> RemedyOffer:
    offer = case.remedy_offers.filter(pk=offer_id, state__in=PASSENGER_STATES).first()
    if offer is None:
        raise NotFound(_("No offer with this number."))
    return offer


# --- Who may do what --------------------------------------------------------------


def may_propose(user, case: Case) -> bool:
    return may_work(user, case)


def may_approve(user, offer: RemedyOffer) -> bool:
    """Supervisors and administrators who may work the case, never the proposer."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if offer.proposed_by_id == user.pk:
        return False
    return is_approver(user) and may_work(user, offer.case)


def is_approver(user) -> bool:
    """Say whether ``user``'s role approves offers: superuser, supervisor, admin."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    profile = agent_profile(user)
    return profile is not None and profile.role in (Role.SUPERVISOR, Role.ADMIN)


# --- Proposing --------------------------------------------------------------------


def propose_offer(
    case: Case, draft: OfferDraft, *, actor, at: datetime | None = None
) -> RemedyOffer:
    """Propose a remedy; approve it at once when it is within the proposer's limit.

    ``actor`` None is PaxCare itself (for example a disruption wave): its offers
    always wait for a person to approve them. Raise InvalidInput for bad values.
    """
    if actor is not None and not may_propose(actor, case):
        raise PermissionDenied(_("You may not change this case."))
    at = at or timezone.now()
    values = _checked(case, draft, at)
    with transaction.atomic():
        # Locked before counting: two proposals at once cannot both fit the limit.
        Case.objects.select_for_update().filter(pk=case.pk).first()
        counted = counted_money([case.pk], actor).get(case.pk, [])
        approval = approval_needed(actor, values, at, counted)
        needs, reason = approval.needs, approval.reason
        receipts = values.pop("receipts")
        offer = RemedyOffer.objects.create(
            case=case,
            state=OfferState.PROPOSED,
            needs_approval=needs,
            approval_reason=reason,
            proposed_at=at,
            proposed_by=actor,
            expires_at=at + timedelta(days=VALID_DAYS),
            **values,
        )
        offer.receipts.set(receipts)
        data = {**_offer_data(offer), "needs_approval": needs, **approval.valuation}
        if reason:
            data["approval_reason"] = reason
        record_event(case, RemedyEvent.PROPOSED, actor=actor, data=data, at=at)
        _ledger(offer, at)
        if not needs:
            _approve(offer, actor, at, automatic=True)
    logger.info("remedies: offer %s proposed on case %s", offer.pk, case.number)
    return offer


def _checked(case: Case, draft: OfferDraft, at: datetime) -> dict[str, Any]:
    """Return model values for a draft, or raise InvalidInput with every fault."""
    faults: list[FieldError] = []
    kind = draft.kind if draft.kind in OfferKind.values else None
    if kind is None:
        faults.append(FieldError("kind", _("Choose a remedy."), "invalid_choice"))
    currency = (draft.currency or "").strip().upper()
    amount = _amount(draft, kind, currency, faults)
    if amount is not None:
        fault = currency_fault(currency, at.date())
        if fault is not None:
            faults.append(fault)
    miles = draft.miles
    if kind == OfferKind.MILES and (miles is None or miles <= 0):
        faults.append(FieldError("miles", _("Give a number of miles."), "required"))
    elif kind == OfferKind.MILES and miles > MAX_MILES:
        faults.append(
            FieldError(
                "miles",
                _("At most %(most)s miles.") % {"most": f"{MAX_MILES:,}"},
                "too_large",
            )
        )
    if kind != OfferKind.MILES:
        miles = None
    expense = draft.expense if kind == OfferKind.REIMBURSEMENT else ""
    if kind == OfferKind.REIMBURSEMENT and expense not in ExpenseKind.values:
        faults.append(FieldError("expense", _("Choose the expense."), "required"))
    receipts = list(case.attachments.filter(pk__in=draft.receipt_ids))
    if kind == OfferKind.REIMBURSEMENT and not receipts:
        faults.append(
            FieldError("receipts", _("Choose the receipts from the case's files."))
        )
    if draft.regime and draft.regime not in REGIMES:
        faults.append(FieldError("regime", _("Unknown regime."), "invalid_choice"))
    rule = None
    if draft.goodwill_rule_id is not None:
        rule = GoodwillRule.objects.filter(pk=draft.goodwill_rule_id).first()
        if rule is None:
            faults.append(FieldError("goodwill_rule", _("Unknown goodwill rule.")))
    description = (draft.description or "").strip()
    if len(description) > 500:
        faults.append(FieldError("description", _("At most 500 characters.")))
    if faults:
        raise InvalidInput(faults)
    return {
        "kind": kind,
        "amount": amount,
        "currency": currency if amount is not None else "",
        "miles": miles,
        "expense": expense,
        "description": description,
        "regime": draft.regime,
        "entitlement_code": (draft.entitlement_code or "")[:60],
        "goodwill_rule": rule,
        "instead_of_money": bool(draft.instead_of_money)
        and kind in (OfferKind.VOUCHER, OfferKind.MILES),
        "receipts": receipts,
    }


def _amount(
    draft: OfferDraft, kind: str | None, currency: str, faults: list
) -> Decimal | None:
    if kind == OfferKind.MILES:
        return None
    raw = draft.amount
    if raw is None:
        if kind in MONEY_KINDS:
            faults.append(FieldError("amount", _("Give an amount."), "required"))
        return None
    if kind == OfferKind.REBOOKING:
        faults.append(FieldError("amount", _("A rebooking has no amount.")))
        return None
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        amount = Decimal("NaN")
    fault = amount_fault(amount, currency)
    if fault == "too_precise":
        faults.append(FieldError("amount", _("Give at most two decimal places.")))
    elif fault == "finer_than_currency":
        message = _("%(currency)s has no minor unit: give a whole amount.")
        faults.append(
            FieldError("amount", message % {"currency": currency}, "too_precise")
        )
    elif fault == "too_large":
        faults.append(
            FieldError(
                "amount",
                _("At most %(most)s.") % {"most": f"{MAX_AMOUNT:,}"},
                "too_large",
            )
        )
    elif fault is not None:
        faults.append(FieldError("amount", _("Give an amount such as 600.00.")))
    elif amount <= 0:
        faults.append(FieldError("amount", _("Give an amount above zero.")))
    else:
        return amount.quantize(Decimal("0.01"))
    return None


# Units of account, not money: the SDR (XDR), the Sucre (XSU), the African
# Development Bank's unit (XUA) and the European bond units (XBA-XBD). CLDR marks
# none of them legal tender; they are removed by name as well, so that no change
# in its data makes one payable.
UNITS_OF_ACCOUNT = frozenset({"XDR", "XSU", "XUA", "XBA", "XBB", "XBC", "XBD"})


@lru_cache(maxsize=16)
def _tender_codes(on: date) -> frozenset[str]:
    """Return the currencies that are legal tender in some territory on ``on``."""
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, on, tender=True))
    return frozenset(codes) - UNITS_OF_ACCOUNT


def is_payable_currency(code: str, on: date | None = None) -> bool:
    """Return whether money can be paid in ``code`` (upper case) on ``on``.

    Payable means legal tender in some territory that day (CLDR's territory data):
    not the SDR, a metal, a test or funds code, nor a currency since withdrawn.
    """
    return code in _tender_codes(on or timezone.localdate())


def currency_fault(code: str, on: date) -> FieldError | None:
    """Return the field error of an offer's currency, or None when it is payable."""
    if not is_currency(code):
        return FieldError("currency", _("Give an ISO 4217 currency code."))
    if not is_payable_currency(code, on):
        message = _(
            "%(code)s cannot be paid: give the currency of the payment, such as "
            "EUR (XDR, the SDR, is a unit of account of the Montreal Convention)."
        ) % {"code": code}
        return FieldError("currency", message, "not_payable")
    return None


def counted_money(
    case_ids: Iterable[int], actor
) -> dict[int, list[tuple[Decimal, str]]]:
    """Return, per case, the money already out that counts against ``actor``'s limit.

    That is the actor's own offers still waiting, offered, accepted or paid, and
    anyone's offers approved at once within their own limit (no second person saw
    them); each as ``(amount, currency)``. PaxCare itself (``actor`` None) keeps
    no limit, so nothing counts.
    """
    if actor is None:
        return {}
    mine = Q(proposed_by=actor, state__in=COUNTED_STATES)
    unseen = Q(needs_approval=False, state__in=GIVEN_STATES)
    rows = (
        RemedyOffer.objects.filter(case_id__in=list(case_ids), amount__isnull=False)
        .filter(mine | unseen)
        .values_list("case_id", "amount", "currency")
    )
    found: dict[int, list[tuple[Decimal, str]]] = {}
    for case_id, amount, currency in rows:
        found.setdefault(case_id, []).append((amount, currency))
    return found


def approval_needed(
    actor,
    values: dict[str, Any],
    at: datetime,
    counted: Iterable[tuple[Decimal, str]] = (),
    table: dict | None = None,
) -> Approval:
    """Judge an offer against the proposer's limit, with what counts on its case.

    ``counted`` is the case's entry of ``counted_money``; ``table`` the rates of
    the day (``rates_on``), read here when not given.
    """
    if actor is None:
        return Approval(True, "no_limit")
    profile = agent_profile(actor)
    if profile is None:
        # A superuser without an agent profile has no limit to keep to.
        return Approval(not actor.is_superuser, "no_limit")
    if values["kind"] == OfferKind.MILES:
        return Approval(True, "miles")
    amount = values["amount"]
    if amount is None:
        return Approval(False)
    limit_currency = profile.approval_currency.upper()
    day = at.date()
    table = rates_on(day) if table is None else table
    try:
        value = convert(amount, values["currency"], limit_currency, day, table)
        before = sum(
            (convert(a, c, limit_currency, day, table) for a, c in counted),
            Decimal(0),
        )
    except NoRate:
        return Approval(True, "no_rate", {"limit_currency": limit_currency})
    valuation = {
        "value": str(value),
        "case_value": str((before + value).quantize(CENT)),
        "limit": str(profile.approval_limit.quantize(CENT)),
        "limit_currency": limit_currency,
    }
    if value > profile.approval_limit:
        return Approval(True, "over_limit", valuation)
    if before + value > profile.approval_limit:
        return Approval(True, "case_over_limit", valuation)
    return Approval(False, "", valuation)


# --- Moving along -----------------------------------------------------------------


def approve_offer(
    offer: RemedyOffer, *, actor, at: datetime | None = None
) -> RemedyOffer:
    """Approve a proposed offer as a second person; it is then offered."""
    at = at or timezone.now()
    with transaction.atomic():
        offer = _locked(offer)
        if not may_approve(actor, offer):
            raise PermissionDenied(_approval_refusal(actor, offer))
        expired = _expire_if_due(offer, at)
        if not expired:
            _check_move(offer, OfferState.APPROVED)
            _approve(offer, actor, at, automatic=False)
    _refuse_expired(expired)
    return offer


def reject_offer(
    offer: RemedyOffer, *, actor, reason: str = "", at: datetime | None = None
) -> RemedyOffer:
    """Refuse to approve a proposed offer; it ends declined."""
    at = at or timezone.now()
    with transaction.atomic():
        offer = _locked(offer)
        if not may_approve(actor, offer):
            raise PermissionDenied(_approval_refusal(actor, offer))
        if offer.state != OfferState.PROPOSED:
            raise Conflict(_("Only a proposed offer can be refused."), "invalid_state")
        _close(offer, OfferState.DECLINED, at, reason=_reason(reason))
        record_event(
            offer.case,
            RemedyEvent.DECLINED,
            actor=actor,
            data={
                **_offer_data(offer),
                "by": "approver",
                "reason": offer.declined_reason,
            },
            at=at,
        )
    return offer


def accept_offer(
    offer: RemedyOffer, *, consent: bool = False, at: datetime | None = None
) -> RemedyOffer:
    """The passenger accepts an approved offer (portal only).

    A voucher or miles instead of money owed needs ``consent``: the passenger's
    explicit agreement to take it instead of the money (EU261 Art. 7(3)).
    """
    at = at or timezone.now()
    with transaction.atomic():
        offer = _locked(offer)
        expired = _expire_if_due(offer, at)
        if not expired:
            _accept(offer, consent, at)
    _refuse_expired(expired)
    return offer


def _accept(offer: RemedyOffer, consent: bool, at: datetime) -> None:
    _check_move(offer, OfferState.ACCEPTED)
    if offer.instead_of_money and not consent:
        message = _("Tick the box to agree to take this instead of money.")
        raise InvalidInput([FieldError("consent", message, "required")])
    offer.state = OfferState.ACCEPTED
    offer.answered_at = at
    offer.consent_given = bool(consent and offer.instead_of_money)
    offer.save(update_fields=["state", "answered_at", "consent_given"])
    _ledger(offer, at)
    record_event(
        offer.case,
        RemedyEvent.ACCEPTED,
        label=_("passenger"),
        channel=Channel.WEB,
        data={**_offer_data(offer), "consent": offer.consent_given},
        at=at,
    )


def decline_offer(
    offer: RemedyOffer, *, reason: str = "", at: datetime | None = None
) -> RemedyOffer:
    """The passenger declines an approved offer (portal only)."""
    at = at or timezone.now()
    with transaction.atomic():
        offer = _locked(offer)
        expired = _expire_if_due(offer, at)
        if not expired:
            _decline(offer, reason, at)
    _refuse_expired(expired)
    return offer


def _decline(offer: RemedyOffer, reason: str, at: datetime) -> None:
    if offer.state != OfferState.APPROVED:
        raise Conflict(_("This offer cannot be declined now."), "invalid_state")
    offer.answered_at = at
    _close(offer, OfferState.DECLINED, at, reason=_reason(reason))
    record_event(
        offer.case,
        RemedyEvent.DECLINED,
        label=_("passenger"),
        channel=Channel.WEB,
        data={**_offer_data(offer), "by": "passenger", "reason": offer.declined_reason},
        at=at,
    )


def mark_offer_paid(
    offer: RemedyOffer, *, actor, reference: str, at: datetime | None = None
) -> RemedyOffer:
    """Record that an accepted offer was paid, issued or booked, with its reference."""
    reference = (reference or "").strip()
    if not reference or len(reference) > 100:
        raise InvalidInput(
            [
                FieldError(
                    "reference",
                    _("Give the payment, voucher or ticket reference (at most 100)."),
                    "required",
                )
            ]
        )
    at = at or timezone.now()
    with transaction.atomic():
        offer = _locked(offer)
        if not may_work(actor, offer.case):
            raise PermissionDenied(_("You may not change this case."))
        _check_move(offer, OfferState.PAID)
        offer.paid_at, offer.paid_by, offer.payment_reference = at, actor, reference
        _close(offer, OfferState.PAID, at)
        record_event(
            offer.case,
            RemedyEvent.PAID,
            actor=actor,
            data={**_offer_data(offer), "reference": reference},
            at=at,
        )
    return offer


def expire_offers(now: datetime | None = None, batch: int = 500) -> int:
    """Expire the open offers whose time ran out; return how many."""
    now = now or timezone.now()
    expired = 0
    while True:
        with transaction.atomic():
            offers = list(
                RemedyOffer.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("case")
                .filter(state__in=OPEN_STATES, expires_at__lte=now)
                .order_by("expires_at", "pk")[:batch]
            )
            for offer in offers:
                _expire(offer, now)
        expired += len(offers)
        if len(offers) < batch:
            return expired


# --- Pieces -----------------------------------------------------------------------


def _locked(offer: RemedyOffer) -> RemedyOffer:
    return (
        RemedyOffer.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=offer.pk)
    )


# What a second approval, acceptance or payment of the same offer is told.
ALREADY = {
    OfferState.APPROVED: gettext_lazy("This offer was already approved."),
    OfferState.ACCEPTED: gettext_lazy("This offer was already accepted."),
    OfferState.PAID: gettext_lazy("This offer was already marked as paid."),
}


def _check_move(offer: RemedyOffer, new: str) -> None:
    if offer.state == new and new in ALREADY:
        raise Conflict(str(ALREADY[new]), "invalid_state")
    if new not in TRANSITIONS[offer.state]:
        raise Conflict(
            _("An offer cannot go from %(old)s to %(new)s.")
            % {"old": OfferState(offer.state).label, "new": OfferState(new).label},
            "invalid_state",
        )


def _expire_if_due(offer: RemedyOffer, at: datetime) -> bool:
    """Expire an open offer whose time has run out; return whether it did."""
    if offer.state in OPEN_STATES and offer.expires_at <= at:
        _expire(offer, at)
        return True
    return False


def _refuse_expired(expired: bool) -> None:
    # Raised after the transaction that expired the offer has committed.
    if expired:
        raise Conflict(_("This offer has expired."), "expired")


def _expire(offer: RemedyOffer, at: datetime) -> None:
    _close(offer, OfferState.EXPIRED, at)
    record_event(offer.case, RemedyEvent.EXPIRED, data=_offer_data(offer), at=at)


def _approve(offer: RemedyOffer, actor, at: datetime, *, automatic: bool) -> None:
    offer.state = OfferState.APPROVED
    offer.approved_at = at
    offer.approved_by = actor
    offer.save(update_fields=["state", "approved_at", "approved_by"])
    _ledger(offer, at)
    data = {**_offer_data(offer), "automatic": automatic}
    record_event(offer.case, RemedyEvent.APPROVED, actor=actor, data=data, at=at)
    offered = {**_offer_data(offer), "expires_at": offer.expires_at.isoformat()}
    record_event(offer.case, RemedyEvent.OFFERED, actor=actor, data=offered, at=at)


def _close(offer: RemedyOffer, state: str, at: datetime, reason: str = "") -> None:
    offer.state = state
    offer.closed_at = at
    offer.declined_reason = reason
    offer.save()
    _ledger(offer, at)


def _reason(text: str) -> str:
    return (text or "").strip()[:300]


def _approval_refusal(actor, offer: RemedyOffer) -> str:
    if actor is not None and offer.proposed_by_id == getattr(actor, "pk", None):
        return _("Another person must approve an offer you proposed.")
    return _("Only a supervisor or administrator of the case may approve offers.")


def _offer_data(offer: RemedyOffer) -> dict[str, Any]:
    return {
        "offer": offer.pk,
        "kind": offer.kind,
        "amount": str(offer.amount) if offer.amount is not None else None,
        "currency": offer.currency,
        "miles": offer.miles,
        "state": offer.state,
    }


def _ledger(offer: RemedyOffer, at: datetime) -> None:
    ledger_entry(offer, at, case_flight(offer.case)).save(force_insert=True)


def ledger_entry(
    offer: RemedyOffer,
    at: datetime,
    flight: tuple[str, date | None],
    state: str | None = None,
) -> LedgerEntry:
    """Return the unsaved ledger entry of ``offer`` entering ``state`` (its own)."""
    case = offer.case
    flight_number, flight_date = flight
    return LedgerEntry(
        offer=offer,
        case=case,
        state=state or offer.state,
        kind=offer.kind,
        amount=offer.amount,
        currency=offer.currency,
        miles=offer.miles,
        regime=offer.regime,
        category=_category_code(case),
        flight_number=flight_number or "",
        flight_date=flight_date,
        occurred_at=at,
    )


def _category_code(case: Case) -> str:
    from paxcare.triage.models import Category

    if Case.category.is_cached(case):
        return case.category.code
    return Category.objects.values_list("code", flat=True).get(pk=case.category_id)


def receipt_choices(case: Case) -> Iterable[Attachment]:
    """Return the case's files an agent may attach to a reimbursement as receipts."""
    return case.attachments.order_by("uploaded_at", "id")
