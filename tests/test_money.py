"""What fits an amount column: paxcare.money."""

from decimal import Decimal

import pytest

from paxcare.money import amount_fault, is_currency


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("600", None),
        ("600.10", None),
        ("600.100", None),
        ("9999999999.99", None),
        ("100.123", "too_precise"),
        ("10000000000", "too_large"),
        ("1e999999", "too_large"),
        # More digits than the decimal context holds: too large, not an exception.
        ("99999999999999999999999999999.123", "too_large"),
        ("NaN", "not_finite"),
        ("Infinity", "not_finite"),
    ],
)
def test_amount_fault(text, fault):
    assert amount_fault(Decimal(text)) == fault


def test_currencies_are_iso_4217_codes():
    assert [is_currency(c) for c in ("EUR", "CNY", "XDR", "ZZZ", "eur")] == [
        True,
        True,
        True,
        False,
        False,
    ]
