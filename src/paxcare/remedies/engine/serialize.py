"""Turn results and input errors into JSON-ready dictionaries.

Amounts become strings with two decimals (``"600.00"``): a float would turn
EUR 0.10 into 0.1000000000000000055511151231257827.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .parse import InputError
from .types import Deadline, Entitlement, NotApplicable, Result

CENT = Decimal("0.01")


def amount_text(amount: Decimal | None) -> str | None:
    """Return ``amount`` as a two-decimal string, or None."""
    return None if amount is None else str(amount.quantize(CENT))


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
        "starts_on": deadline.starts_on.isoformat() if deadline.starts_on else None,
        "due_on": deadline.due_on.isoformat() if deadline.due_on else None,
        "status": deadline.status,
    }


def entitlement_to_dict(entitlement: Entitlement) -> dict[str, Any]:
    return {
        "regime": entitlement.regime,
        "kind": entitlement.kind.value,
        "code": entitlement.code,
        "amount": amount_text(entitlement.amount),
        "currency": entitlement.currency,
        "legal_basis": entitlement.legal_basis,
        "cumulative": entitlement.cumulative,
        "owed_by": entitlement.owed_by,
        "paid_by": entitlement.paid_by,
        "deadline": deadline_to_dict(entitlement.deadline),
        "rule_version": entitlement.rule_version,
        "explanation": {
            "en": entitlement.explanation.en,
            "zh": entitlement.explanation.zh,
        },
    }


def not_applicable_to_dict(item: NotApplicable) -> dict[str, Any]:
    return {
        "regime": item.regime,
        "kind": item.kind.value if item.kind else None,
        "code": item.code,
        "reason": {"en": item.reason.en, "zh": item.reason.zh},
    }


def result_to_dict(result: Result) -> dict[str, Any]:
    """Return the JSON-ready form of one assessment's result."""
    return {
        "id": result.id,
        "entitlements": [entitlement_to_dict(e) for e in result.entitlements],
        "not_applicable": [not_applicable_to_dict(n) for n in result.not_applicable],
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
