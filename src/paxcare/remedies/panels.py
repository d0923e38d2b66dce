"""What the remedies panels on the console's and the portal's case pages show.

The case pages belong to other apps; each includes one template of ours, whose tag
calls these functions with the case and the person looking.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from paxcare.cases.models import Case
from paxcare.cases.services import may_work
from paxcare.money import format_amount
from paxcare.remedies import offers as offer_services
from paxcare.remedies.forms import (
    AcceptForm,
    CaseFactsForm,
    DeclineForm,
    OfferForm,
    SegmentFormSet,
    facts_initial,
    segment_initial,
)
from paxcare.remedies.models import EventKind, OfferKind, OfferState
from paxcare.remedies.names import KINDS, REGIMES, legal_citation
from paxcare.remedies.services import (
    case_assessment,
    case_facts,
    goodwill_for_case,
    known_trip,
    playbook_status,
    trip_assessment,
)

# Categories whose cases the engine can assess.
ASSESSED = ("flight.", "baggage.")

PAYERS = {
    "carrier": gettext_lazy("at the carrier's cost"),
    "passenger": gettext_lazy("at the passenger's cost"),
}
STATUS = {"met": gettext_lazy("met"), "missed": gettext_lazy("missed")}
EVENT_FOR_CATEGORY = {
    "flight.delay": EventKind.DELAY,
    "flight.cancellation": EventKind.CANCELLATION,
    "flight.denied_boarding": EventKind.DENIED_BOARDING,
    "flight.missed_connection": EventKind.DELAY,
    "baggage.delayed": EventKind.BAGGAGE_DELAY,
    "baggage.lost": EventKind.BAGGAGE_LOSS,
    "baggage.damaged": EventKind.BAGGAGE_DAMAGE,
    "baggage.pilferage": EventKind.BAGGAGE_DAMAGE,
}


def is_assessed(case: Case) -> bool:
    return case.category.code.startswith(ASSESSED)


def _language() -> str:
    return "zh" if (get_language() or "").startswith("zh") else "en"


def money_text(amount: str | Decimal | None, currency: str | None) -> str:
    """Return ``EUR 600.00``; SDR amounts read ``XDR 1,519.00``."""
    if amount is None:
        return ""
    return f"{currency or ''} {format_amount(amount, currency or '')}".strip()


# --- Facts forms ----------------------------------------------------------------


def facts_forms(case: Case) -> tuple[CaseFactsForm, SegmentFormSet]:
    """Return the facts form and itinerary formset, filled from what is known."""
    view = case_facts(case)
    if view is not None:
        return (
            CaseFactsForm(
                prefix="facts", initial=facts_initial(view.facts, view.segments)
            ),
            SegmentFormSet(prefix="segments", initial=segment_initial(view.segments)),
        )
    event = EVENT_FOR_CATEGORY.get(case.category.code, EventKind.DELAY)
    return (
        CaseFactsForm(prefix="facts", initial={"event_type": event}),
        SegmentFormSet(prefix="segments", initial=_segments_from_case(case)),
    )


def _segments_from_case(case: Case) -> list[dict[str, Any]]:
    booking = case.booking
    if booking is not None:
        rows = [
            {
                "marketing_carrier": s.carrier,
                "flight_number": s.flight_number,
                "origin": s.origin,
                "destination": s.destination,
            }
            for s in booking.segments.order_by("position")
        ]
        if rows:
            return rows
    if not case.flight_number:
        return []
    carrier = case.airline or case.flight_number[:2]
    return [{"marketing_carrier": carrier, "flight_number": case.flight_number}]


# --- Console --------------------------------------------------------------------


def console_panel(case: Case, user) -> dict[str, Any]:
    """Return the console panel's context for ``user`` looking at ``case``."""
    can_work = may_work(user, case)
    context: dict[str, Any] = {"case": case, "can_work": can_work}
    if is_assessed(case):
        context.update(_rights(case, can_work))
    playbook, steps = playbook_status(case)
    context["playbook"] = playbook
    context["steps"] = steps
    context["offers"] = [
        {
            "offer": offer,
            "money": money_text(offer.amount, offer.currency),
            "reason": offer_services.approval_reason_text(offer.approval_reason),
            "can_approve": offer.state == OfferState.PROPOSED
            and offer_services.may_approve(user, offer),
            "can_pay": can_work and offer.state == OfferState.ACCEPTED,
        }
        for offer in offer_services.offers_for_case(case)
    ]
    if can_work:
        context["offer_form"] = OfferForm(
            attachments=offer_services.receipt_choices(case)
        )
    return context


def _rights(case: Case, can_work: bool) -> dict[str, Any]:
    view = case_facts(case)
    answer = case_assessment(case, view)
    rights: dict[str, Any] = {"assessed": True, "has_facts": view is not None}
    if view is None:
        trip = known_trip(case)
        if trip is not None:
            answer = trip_assessment(case, trip)
            rights["has_facts"] = True
            rights["trip_source"] = trip.source
    language = _language()
    if answer is not None and "error" not in answer:
        rights["entitlements"] = [
            _entitlement(e, language) for e in answer["entitlements"]
        ]
        rights["not_applicable"] = [
            {
                "regime": REGIMES.get(n["regime"], n["regime"]),
                "reason": n["reason"][language],
            }
            for n in answer["not_applicable"]
        ]
    rights["goodwill"] = [
        {
            "rule": rule,
            "money": money_text(rule.amount, rule.currency),
            "kind": OfferKind(rule.kind).label,
        }
        for rule in goodwill_for_case(case, view)
    ]
    if can_work:
        rights["facts_form"], rights["segment_formset"] = facts_forms(case)
    return rights


def _entitlement(entitlement: dict[str, Any], language: str) -> dict[str, Any]:
    deadline = entitlement.get("deadline")
    offerable = (
        entitlement["kind"] in ("compensation", "refund") and entitlement["amount"]
    )
    return {
        "regime": REGIMES.get(entitlement["regime"], entitlement["regime"]),
        "regime_code": entitlement["regime"],
        "kind": KINDS.get(entitlement["kind"], entitlement["kind"]),
        "kind_code": entitlement["kind"],
        "code": entitlement["code"],
        "money": money_text(entitlement["amount"], entitlement["currency"]),
        "amount": entitlement["amount"],
        "currency": entitlement["currency"],
        "legal_basis": legal_citation(entitlement["legal_basis"]),
        "explanation": entitlement["explanation"][language],
        "cumulative": entitlement["cumulative"],
        "paid_by": PAYERS.get(entitlement.get("paid_by") or "", ""),
        "due_on": deadline.get("due_on") if deadline else None,
        "status": STATUS.get(deadline.get("status") or "", "") if deadline else "",
        "offerable": bool(offerable),
    }


# --- Portal ---------------------------------------------------------------------


def portal_panel(case: Case) -> dict[str, Any]:
    """Return the offers a passenger sees on their case, with the answer forms."""
    shown = offer_services.offers_for_passenger(case)
    return {
        "case": case,
        "offers": [
            {
                "offer": offer,
                "money": money_text(offer.amount, offer.currency),
                "open": offer.state == OfferState.APPROVED,
                "accept_form": AcceptForm(auto_id=f"offer{offer.pk}_%s"),
                "decline_form": DeclineForm(auto_id=f"offer{offer.pk}_%s"),
            }
            for offer in shown
        ],
        "consent_help": _(
            "A voucher or miles replace money only with your agreement: you may "
            "always ask for the money instead."
        ),
    }
