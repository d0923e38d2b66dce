"""Bounded caches of the engine: plain dictionaries, emptied when full.

The hot paths look a key up in the dictionary themselves (a call would cost more
than the lookup); only a miss comes here to keep what it worked out.
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def remember(memo: dict, key: object, value: T, size: int) -> T:
    """Keep ``value`` under ``key`` in ``memo``, emptied first if it holds ``size``."""
    if len(memo) >= size:
        memo.clear()
    memo[key] = value
    return value
