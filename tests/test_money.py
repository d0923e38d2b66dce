"""What fits an amount column: paxcare.money."""

from decimal import Decimal

import pytest

from paxcare.money import amount_fault, format_amount, is_currency, minor_units


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


@pytest.mark.parametrize(
    ("text", "currency", "fault"),
    [
        ("5", "JPY", None),
        ("5.00", "JPY", None),
        ("5.50", "JPY", "finer_than_currency"),
        ("0.01", "KRW", "finer_than_currency"),
        ("5.50", "EUR", None),
        ("5.50", "BHD", None),
        ("5.505", "EUR", "too_precise"),
    ],
)
def test_an_amount_may_not_be_finer_than_its_currencys_minor_unit(
    text, currency, fault
):
    # Given an amount and its currency
    amount = Decimal(text)

    # When it is checked for an amount column
    found = amount_fault(amount, currency)

    # Then currencies without a minor unit take whole amounts only
    assert found == fault


def test_minor_units_of_whole_and_decimal_currencies():
    assert [minor_units(c) for c in ("JPY", "KRW", "CLP", "EUR", "CNY", "XDR")] == [
        0,
        0,
        0,
        2,
        2,
        2,
    ]


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (Decimal("500.00"), "JPY", "500"),
        ("1250000", "KRW", "1,250,000"),
        (Decimal("1519"), "XDR", "1,519.00"),
        ("150.5", "EUR", "150.50"),
        (600, "USD", "600.00"),
    ],
)
def test_format_amount_shows_the_currency_s_minor_units(amount, currency, text):
    assert format_amount(amount, currency) == text
