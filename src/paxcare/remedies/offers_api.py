"""``/api/v1/remedies``: remedy offers for staff, the ledger totals, a case's rights.

Staff propose, approve, refuse and mark paid; accepting or declining belongs to the
passenger alone and happens in the portal, so no route here does either. Every
lookup goes through ``cases_visible_to``: a hidden case or offer answers 404.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from paxcare.cases.schemas import TextSchema
from paxcare.cases.services import cases_visible_to, get_case_for_staff
from paxcare.remedies import ledger, offers, services
from paxcare.remedies.models import RemedyOffer

router = Router(tags=["remedies"])
PAGE_MAX = 200


class OfferIn(TextSchema):
    case: str = Field(..., description="The case number", examples=["PX-7K3M-9QD4"])
    kind: str = Field(..., examples=["compensation"])
    amount: Decimal | None = Field(None, examples=["600.00"])
    currency: str = Field("", max_length=3, examples=["EUR"])
    miles: int | None = Field(None, ge=1)
    expense: str = Field("", description="hotel, meals or transport (reimbursements)")
    description: str = Field("", max_length=500)
    regime: str = Field("", examples=["eu261"])
    entitlement_code: str = Field("", max_length=60, examples=["eu261.compensation"])
    goodwill_rule: int | None = None
    instead_of_money: bool = False
    receipts: list[int] = Field(default_factory=list, description="Attachment ids")


class OfferOut(Schema):
    id: int
    case: str
    kind: str
    expense: str
    amount: str | None
    currency: str
    miles: int | None
    description: str
    regime: str
    entitlement_code: str
    instead_of_money: bool
    state: str
    needs_approval: bool
    approval_reason: str
    proposed_at: datetime
    proposed_by: str | None
    approved_at: datetime | None
    approved_by: str | None
    answered_at: datetime | None
    consent_given: bool
    declined_reason: str
    paid_at: datetime | None
    payment_reference: str
    expires_at: datetime
    receipts: list[int]


class RejectIn(TextSchema):
    reason: str = Field("", max_length=300)


class PayIn(TextSchema):
    reference: str = Field(..., min_length=1, max_length=100)


class OfferFilters(TextSchema):
    case: str | None = None
    state: str | None = None
    limit: int = Field(50, ge=1, le=PAGE_MAX)


class LedgerQuery(TextSchema):
    start: datetime | None = None
    end: datetime | None = None
    by: str | None = Field(None, description="category, flight, regime or month")
    category: str = Field("", description='A code, or a prefix ending in "."')
    flight: str = ""
    flight_date: date | None = None
    regime: str = ""
    state: str = ""


class LedgerRow(Schema):
    state: str
    kind: str
    currency: str | None
    amount: str | None = Field(..., description="Decimal as a string, two places")
    miles: int | None
    count: int
    category: str | None = None
    flight: str | None = None
    regime: str | None = None
    month: str | None = None


class LedgerOut(Schema):
    rows: list[LedgerRow]


def aware(moment: datetime) -> datetime:
    """Read a naive time as the server's local time."""
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def _out(offer: RemedyOffer) -> dict[str, Any]:
    return {
        "id": offer.pk,
        "case": offer.case.number,
        "kind": offer.kind,
        "expense": offer.expense,
        "amount": str(offer.amount) if offer.amount is not None else None,
        "currency": offer.currency,
        "miles": offer.miles,
        "description": offer.description,
        "regime": offer.regime,
        "entitlement_code": offer.entitlement_code,
        "instead_of_money": offer.instead_of_money,
        "state": offer.state,
        "needs_approval": offer.needs_approval,
        "approval_reason": offer.approval_reason,
        "proposed_at": offer.proposed_at,
        "proposed_by": _username(offer.proposed_by),
        "approved_at": offer.approved_at,
        "approved_by": _username(offer.approved_by),
        "answered_at": offer.answered_at,
        "consent_given": offer.consent_given,
        "declined_reason": offer.declined_reason,
        "paid_at": offer.paid_at,
        "payment_reference": offer.payment_reference,
        "expires_at": offer.expires_at,
        "receipts": sorted(offer.receipts.values_list("pk", flat=True)),
    }


def _fresh(offer: RemedyOffer) -> RemedyOffer:
    return RemedyOffer.objects.select_related("case", "proposed_by", "approved_by").get(
        pk=offer.pk
    )


@router.get(
    "/offers",
    response=list[OfferOut],
    operation_id="list_remedy_offers",
    summary="List the remedy offers of the cases you can see",
)
def list_offers(request, filters: Query[OfferFilters]):
    """Newest first; filter by case number and state."""
    found = offers.offers_visible_to(request.user).select_related(
        "case", "proposed_by", "approved_by"
    )
    if filters.case:
        found = found.filter(case=get_case_for_staff(request.user, filters.case))
    if filters.state:
        found = found.filter(state=filters.state)
    return [_out(o) for o in found.order_by("-proposed_at", "-pk")[: filters.limit]]


@router.post(
    "/offers",
    response={201: OfferOut},
    operation_id="propose_remedy_offer",
    summary="Propose a remedy to the passenger of a case",
)
def propose(request, payload: OfferIn):
    """Within the proposer's limit the offer is approved at once; else it waits."""
    case = get_case_for_staff(request.user, payload.case)
    draft = offers.OfferDraft(
        kind=payload.kind,
        amount=payload.amount,
        currency=payload.currency,
        miles=payload.miles,
        expense=payload.expense,
        description=payload.description,
        regime=payload.regime,
        entitlement_code=payload.entitlement_code,
        goodwill_rule_id=payload.goodwill_rule,
        instead_of_money=payload.instead_of_money,
        receipt_ids=tuple(payload.receipts),
    )
    offer = offers.propose_offer(case, draft, actor=request.user)
    return Status(201, _out(_fresh(offer)))


@router.get(
    "/offers/{offer_id}",
    response=OfferOut,
    operation_id="get_remedy_offer",
    summary="Read one remedy offer",
)
def get_offer(request, offer_id: int):
    return _out(offers.offer_for_staff(request.user, offer_id))


@router.post(
    "/offers/{offer_id}/approve",
    response=OfferOut,
    operation_id="approve_remedy_offer",
    summary="Approve a proposed offer (a supervisor other than the proposer)",
)
def approve(request, offer_id: int):
    offer = offers.offer_for_staff(request.user, offer_id)
    return _out(_fresh(offers.approve_offer(offer, actor=request.user)))


@router.post(
    "/offers/{offer_id}/reject",
    response=OfferOut,
    operation_id="reject_remedy_offer",
    summary="Refuse to approve a proposed offer",
)
def reject(request, offer_id: int, payload: RejectIn):
    offer = offers.offer_for_staff(request.user, offer_id)
    offer = offers.reject_offer(offer, actor=request.user, reason=payload.reason)
    return _out(_fresh(offer))


@router.post(
    "/offers/{offer_id}/pay",
    response=OfferOut,
    operation_id="pay_remedy_offer",
    summary="Record that an accepted offer was paid, issued or booked",
)
def pay(request, offer_id: int, payload: PayIn):
    offer = offers.offer_for_staff(request.user, offer_id)
    offer = offers.mark_offer_paid(
        offer, actor=request.user, reference=payload.reference
    )
    return _out(_fresh(offer))


@router.get(
    "/ledger",
    response=LedgerOut,
    operation_id="get_remedies_ledger",
    summary="Ledger totals by state, kind and currency for a period",
)
def get_ledger(request, query: Query[LedgerQuery]):
    """Entries in ``[start, end)``, naive times local; split with ``by``."""
    filters = ledger.LedgerFilter(
        start=aware(query.start) if query.start else None,
        end=aware(query.end) if query.end else None,
        category=query.category,
        flight_number=query.flight,
        flight_date=query.flight_date,
        regime=query.regime,
        state=query.state,
    )
    rows = ledger.ledger_totals(cases_visible_to(request.user), filters, by=query.by)
    return {"rows": rows}


class CaseRightsOut(Schema):
    case: str
    assessment: dict[str, Any] | None
    goodwill: list[dict[str, Any]]
    playbook: dict[str, Any] | None


@router.get(
    "/cases/{number}",
    response=CaseRightsOut,
    operation_id="get_case_remedies",
    summary="A case's entitlements, matching goodwill rules and playbook progress",
)
def case_remedies(request, number: str):
    """``assessment`` is null until the case's trip facts are saved."""
    case = get_case_for_staff(request.user, number)
    view = services.case_facts(case)
    playbook, states = services.playbook_status(case)
    return {
        "case": case.number,
        "assessment": services.case_assessment(case, view),
        "goodwill": [_rule(rule) for rule in services.goodwill_for_case(case, view)],
        "playbook": None
        if playbook is None
        else {
            "name": {"en": playbook.name_en, "zh": playbook.name_zh},
            "steps": [
                {
                    "id": state.step.pk,
                    "code": state.step.code,
                    "required": state.step.required,
                    "done": state.done is not None,
                }
                for state in states
            ],
        },
    }


def _rule(rule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "kind": rule.kind,
        "amount": str(rule.amount) if rule.amount is not None else None,
        "currency": rule.currency or None,
        "miles": rule.miles,
        "note": {"en": rule.note_en, "zh": rule.note_zh},
    }
