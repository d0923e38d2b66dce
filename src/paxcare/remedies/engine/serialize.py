"""Turn results and input errors into JSON-ready dictionaries.

Amounts become strings with two decimals (``"600.00"``): a float would turn
EUR 0.10 into 0.1000000000000000055511151231257827.

The regimes share most entitlements and every reason between answers, so each is
turned into a dictionary once and the answers share those dictionaries: treat an
answer as read-only, as ``service.assess_request``'s cached answers already are.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from .memo import remember
from .parse import InputError
from .types import Deadline, Entitlement, Kind, NotApplicable, Result

CENT = Decimal("0.01")
# A StrEnum's ``value`` is a Python property; a dictionary gives the plain string
# in a fifth of the time.
KIND_TEXT: dict[Kind | None, str | None] = {kind: kind.value for kind in Kind}
KIND_TEXT[None] = None


def amount_text(amount: Decimal | None) -> str | None:
    """Return ``amount`` as a two-decimal string, or None."""
    return None if amount is None else str(amount.quantize(CENT))


# Days as text: ``date.isoformat`` costs about 3,500 machine instructions, a lookup
# a tenth of that, and deadlines fall on a few thousand days. 4,096 entries: ~1 MB.
_iso_days: dict[date, str] = {}


def _iso(day: date) -> str:
    found = _iso_days.get(day)
    if found is None:
        found = remember(_iso_days, day, day.isoformat(), 4096)
    return found


def deadline_to_dict(deadline: Deadline | None) -> dict[str, Any] | None:
    if deadline is None:
        return None
    return {
        "party": deadline.party,
        "action": deadline.action,
        "period": deadline.period,
        "unit": deadline.unit,
        "calendar": deadline.calendar,
        "starts": deadline.starts,
        "starts_on": _iso(deadline.starts_on) if deadline.starts_on else None,
        "due_on": _iso(deadline.due_on) if deadline.due_on else None,
        "status": deadline.status,
    }


def entitlement_to_dict(entitlement: Entitlement) -> dict[str, Any]:
    """Return the JSON-ready form of ``entitlement``, made once per entitlement."""
    found = entitlement.serialized
    if found is not None:
        return found
    amount = entitlement.amount
    explanation = entitlement.explanation
    deadline = entitlement.deadline
    found = entitlement.serialized = {
        "regime": entitlement.regime,
        "kind": KIND_TEXT[entitlement.kind],
        "code": entitlement.code,
        "amount": None if amount is None else str(amount.quantize(CENT)),
        "currency": entitlement.currency,
        "legal_basis": entitlement.legal_basis,
        "cumulative": entitlement.cumulative,
        "owed_by": entitlement.owed_by,
        "paid_by": entitlement.paid_by,
        "deadline": None if deadline is None else deadline_to_dict(deadline),
        "rule_version": entitlement.rule_version,
        "explanation": {"en": explanation.en, "zh": explanation.zh},
    }
    return found


def not_applicable_to_dict(item: NotApplicable) -> dict[str, Any]:
    """Return the JSON-ready form of ``item``, made once per reason."""
    found = item.serialized
    if found is None:
        found = item.serialized = {
            "regime": item.regime,
            "kind": KIND_TEXT[item.kind],
            "code": item.code,
            "reason": {"en": item.reason.en, "zh": item.reason.zh},
        }
    return found


def result_to_dict(result: Result) -> dict[str, Any]:
    """Return the JSON-ready form of one assessment's result."""
    # Most items were turned into dictionaries before: take those without a call.
    return {
        "id": result.id,
        "entitlements": [
            e.serialized or entitlement_to_dict(e) for e in result.entitlements
        ],
        "not_applicable": [
            n.serialized or not_applicable_to_dict(n) for n in result.not_applicable
        ],
    }


def error_to_dict(identifier: Any, error: InputError) -> dict[str, Any]:
    """Return the JSON-ready error line of an input that could not be assessed."""
    return {
        "id": identifier,
        "error": {
            "code": error.code,
            "message": error.message,
            "fields": [
                {"field": f.field, "code": f.code, "message": f.message}
                for f in error.fields
            ],
        },
    }
