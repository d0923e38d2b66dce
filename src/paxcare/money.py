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


# The currencies ISO 4217 (list one) gives no minor unit: an amount in one of them
# is whole. All others have two or more decimals, of which the columns keep two.
WHOLE_CURRENCIES = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "UYI",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)


@cache
def _codes() -> frozenset[str]:
    return frozenset(list_currencies()) | {"XDR"}


def is_currency(code: str) -> bool:
    """Return whether ``code`` (upper case) is an ISO 4217 currency code."""
    return code in _codes()


def minor_units(code: str) -> int:
    """Return the decimal places an amount in ``code`` may have: 0 for JPY, else 2."""
    return 0 if code in WHOLE_CURRENCIES else 2


def format_amount(amount: Decimal | str | int, currency: str) -> str:
    """Return ``amount`` for display: "1,519.00" in EUR, "500" in JPY.

    Every amount shown to a reader goes through here, so a currency without a minor
    unit never reads "JPY 500.00".
    """
    return f"{Decimal(amount):,.{minor_units(currency)}f}"


def amount_fault(amount: Decimal, currency: str = "") -> str | None:
    """Return the name of what keeps ``amount`` out of an amount column, or None.

    ``not_finite``, ``too_large`` (beyond MAX_AMOUNT), ``too_precise`` (more than
    two decimal places) or, given its ``currency``, ``finer_than_currency`` (finer
    than the currency's minor unit, such as JPY 5.50); the callers word them in the
    user's language.
    """
    if not amount.is_finite():
        return "not_finite"
    # Size first: quantizing a number of more digits than the context holds raises.
    if abs(amount) > MAX_AMOUNT:
        return "too_large"
    if amount != amount.quantize(CENT):
        return "too_precise"
    if currency and amount != amount.quantize(
        Decimal(1).scaleb(-minor_units(currency))
    ):
        return "finer_than_currency"
    return None
