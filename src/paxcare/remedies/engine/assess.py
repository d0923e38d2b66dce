"""Assess one passenger's entitlements under every regime that applies."""

from __future__ import annotations

from dataclasses import replace

from ..regimes import all_regimes
from .facts import gather_facts, new_outcome
from .text import join
from .types import Assessment, Entitlement, Kind, Result, Text

NOT_CUMULATIVE = Text(
    " Not paid on top of compensation under another regime for the same event: the"
    " passenger receives one, and the others may be deducted.",
    "同一事件不得在多个规则下重复获得赔偿：旅客获得其中一项，其余可予扣减。",
)


COMPENSATION = Kind.COMPENSATION


def assess(assessment: Assessment) -> Result:
    """Return every entitlement owed, and why the other regimes give nothing."""
    facts = gather_facts(assessment)
    outcome = new_outcome()
    for regime in all_regimes():
        regime.assess_into(facts, outcome)
    # Positional: a keyword call costs twice as much.
    return Result(
        assessment.id,
        tuple(_mark_overlapping_compensation(outcome.entitlements)),
        tuple(outcome.not_applicable),
    )


def _mark_overlapping_compensation(
    entitlements: list[Entitlement],
) -> list[Entitlement]:
    """Mark cash compensation from two or more regimes as not cumulative."""
    paying = {
        e.regime
        for e in entitlements
        if e.kind is COMPENSATION and e.amount is not None
    }
    if len(paying) < 2:
        return entitlements
    return [
        replace(e, cumulative=False, explanation=join(e.explanation, NOT_CUMULATIVE))
        if e.kind is COMPENSATION and e.amount is not None
        else e
        for e in entitlements
    ]
