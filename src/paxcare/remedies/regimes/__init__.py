"""The passenger-rights regimes the engine knows, in the order results list them."""

from __future__ import annotations

from functools import cache

from .appr import Appr
from .base import Regime
from .caac import Caac
from .eu261 import EuStyleRegime
from .montreal import Montreal
from .usdot import UsDot


@cache
def all_regimes() -> tuple[Regime, ...]:
    """Return one instance of every regime (their rule books load on first use)."""
    return (
        EuStyleRegime("eu261"),
        EuStyleRegime("uk261"),
        Appr(),
        UsDot(),
        Caac(),
        Montreal(),
    )
