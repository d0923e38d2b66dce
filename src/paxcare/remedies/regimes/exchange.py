"""Exchange rates for limits fixed in one currency: the US DOT caps are in dollars.

The engine reads no database. A caller that has a rate table sets it for the
assessments it runs (``rates_from``); the API and the command line give the
administrators' dated table (``table_rate``, through ``paxcare.remedies.rates``).
Without a table no rate is known, and a regime that needs one withholds the amount
and says why: a fare is never compared with a cap in another currency. An answer
that needed a conversion depends on the table, so the engine's answer cache does
not keep it (``engine.memo.depends_on_outside_facts``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal

from ..engine.memo import depends_on_outside_facts

# ``amount`` of ``source`` in ``target`` on a date, or None when no rate links them.
RateSource = Callable[[Decimal, str, str, date], Decimal | None]

_source: ContextVar[RateSource | None] = ContextVar("rate_source", default=None)


@contextmanager
def rates_from(source: RateSource | None) -> Iterator[None]:
    """Convert with ``source`` in the assessments run inside this block."""
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)


def converted(amount: Decimal, source: str, target: str, on: date) -> Decimal | None:
    """Return ``amount`` of ``source`` in ``target`` on ``on``; None without a rate."""
    if source == target:
        return amount
    # The answer now depends on the caller's rates, not on the request alone.
    depends_on_outside_facts()
    rates = _source.get()
    return None if rates is None else rates(amount, source, target, on)


def table_rate(amount: Decimal, source: str, target: str, on: date) -> Decimal | None:
    """Convert with the administrators' rate table (a ``RateSource``; needs Django)."""
    from paxcare.remedies.rates import NoRate, convert

    try:
        return convert(amount, source, target, on)
    except NoRate:
        return None
