"""Bounded caches of the engine: plain dictionaries, emptied when full.

The hot paths look a key up in the dictionary themselves (a call would cost more
than the lookup); only a miss comes here to keep what it worked out.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

# Set while an answer is worked out when it depends on more than its request (an
# exchange rate from the caller's table): the answer cache does not keep it.
outside_facts: ContextVar[bool] = ContextVar("outside_facts", default=False)


def depends_on_outside_facts() -> None:
    """Say that the answer being worked out must not be kept by its request."""
    outside_facts.set(True)


def remember(memo: dict, key: object, value: T, size: int) -> T:
    """Keep ``value`` under ``key`` in ``memo``, emptied first if it holds ``size``."""
    if len(memo) >= size:
        memo.clear()
    memo[key] = value
    return value
