"""Currency conversion with the dated rate table administrators keep.

Amounts in two currencies are never compared as they stand: one is converted with
the rate in force on the day, directly, inverted, or through one common currency.
A missing rate is an answer of its own (``NoRate``), never a guess.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from paxcare.remedies.models import ExchangeRate

CENT = Decimal("0.01")


class NoRate(LookupError):
    """No rate links two currencies on a date."""

    def __init__(self, source: str, target: str, on: date) -> None:
        super().__init__(f"No exchange rate from {source} to {target} on {on}.")
        self.source = source
        self.target = target
        self.on = on


def rates_on(on: date) -> dict[str, dict[str, Decimal]]:
    """Return every rate in force on ``on``, both ways: ``rates[a][b]`` = 1 a in b."""
    latest: dict[tuple[str, str], tuple[date, Decimal]] = {}
    for row in ExchangeRate.objects.filter(effective_from__lte=on).values_list(
        "base", "quote", "rate", "effective_from"
    ):
        base, quote, rate, since = row
        key = (base.upper(), quote.upper())
        if rate > 0 and (key not in latest or since > latest[key][0]):
            latest[key] = (since, rate)
    table: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for (base, quote), (_since, rate) in latest.items():
        table[base][quote] = rate
        table[quote].setdefault(base, Decimal(1) / rate)
    return table


def convert(
    amount: Decimal,
    source: str,
    target: str,
    on: date,
    table: dict[str, dict[str, Decimal]] | None = None,
) -> Decimal:
    """Return ``amount`` of ``source`` in ``target`` on ``on``, to the cent.

    Raise ``NoRate`` when the table links the two neither directly nor through one
    common currency.
    """
    source, target = source.upper(), target.upper()
    if source == target:
        return amount
    table = rates_on(on) if table is None else table
    rate = _rate(table, source, target)
    if rate is None:
        raise NoRate(source, target, on)
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def _rate(table: dict[str, dict[str, Decimal]], source: str, target: str):
    direct = table.get(source, {})
    if target in direct:
        return direct[target]
    for middle, first in sorted(direct.items()):
        second = table.get(middle, {}).get(target)
        if second is not None:
            return first * second
    return None
