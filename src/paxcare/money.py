"""Money as PaxCare stores it: ISO 4217 codes and amounts that fit their columns.

Amounts are ``DecimalField(max_digits=12, decimal_places=2)`` everywhere, so up to
9,999,999,999.99; miles are whole and at most ``MAX_MILES``. The currency codes are
CLDR's list of ISO 4217 codes (through Babel), current and historic, plus ``XDR``
(the IMF's special drawing right, the Montreal Convention's unit).
"""

from decimal import Decimal
from functools import cache

from babel.numbers import list_currencies

MAX_AMOUNT = Decimal("9999999999.99")
CENT = Decimal("0.01")
# PositiveIntegerField holds 2,147,483,647; no award comes near a hundred million.
MAX_MILES = 100_000_000


@cache
def _codes() -> frozenset[str]:
    return frozenset(list_currencies()) | {"XDR"}


def is_currency(code: str) -> bool:
    """Return whether ``code`` (upper case) is an ISO 4217 currency code."""
    return code in _codes()


def amount_fault(amount: Decimal) -> str | None:
    """Return the name of what keeps ``amount`` out of an amount column, or None.

    ``not_finite``, ``too_large`` (beyond MAX_AMOUNT) or ``too_precise`` (more than
    two decimal places); the callers word them in the user's language.
    """
    if not amount.is_finite():
        return "not_finite"
    # Size first: quantizing a number of more digits than the context holds raises.
    if abs(amount) > MAX_AMOUNT:
        return "too_large"
    if amount != amount.quantize(CENT):
        return "too_precise"
    return None
