"""What every regime shares: its rule book and how it words an entitlement.

Entitlements and reasons are immutable, so the ones that depend on nothing but
the rule data, the carrier and the message (care, rerouting, answer periods, fixed
reasons) are built once and shared by every answer that owes them; the cache lives
in the rule book, so it goes when the rule files are read again.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from ..engine.facts import Facts, Outcome, new_outcome
from ..engine.memo import remember
from ..engine.rules import RuleBook, rule_book
from ..engine.text import render
from ..engine.types import Deadline, Entitlement, Kind, NotApplicable, Text

T = TypeVar("T")

# Reasons with values (a delay, a date) are kept by their values, entitlements by
# carrier: 16,384 of them per regime at most, about 8 MB. At 4,096 the Montreal
# keys of a dozen carriers over three years (about 13,000) emptied it again and
# again: new itineraries were assessed 10-15 % slower.
MEMO_SIZE = 16_384


class Regime:
    """A body of passenger law read from ``rules/<regime>.json``."""

    regime: str

    def __init__(self, regime: str) -> None:
        self.regime = regime

    @property
    def book(self) -> RuleBook:
        """Return this regime's rule book as currently loaded."""
        return rule_book(self.regime)

    def assess(self, facts: Facts) -> Outcome:
        """Return what this regime owes for ``facts``, and what it withholds."""
        outcome = new_outcome()
        self.assess_into(facts, outcome)
        return outcome

    def assess_into(
        self, facts: Facts, outcome: Outcome
    ) -> None:  # pragma: no cover - interface
        """Add what this regime owes and withholds for ``facts`` to ``outcome``."""
        raise NotImplementedError

    def text(self, key: str, **values: object) -> Text:
        """Render the message ``key`` of this regime in both languages."""
        return render(rule_book(self.regime).messages[key], values)

    def entitlement(
        self,
        facts: Facts,
        rules: dict[str, Any],
        kind: Kind,
        code: str,
        basis: str,
        text: Text,
        *,
        cumulative: bool,
        amount: Decimal | None = None,
        currency: str | None = None,
        paid_by: str | None = None,
        deadline: Deadline | None = None,
    ) -> Entitlement:
        """Build an entitlement; ``basis`` names legal keys joined by ``+``."""
        version = rules["version"]
        memo = rule_book(self.regime).memo
        # The code and the citation recur in every answer: build each once.
        key = ("citation", version, code, basis)
        found = memo.get(key)
        if found is None:
            legal = rules["legal"]
            articles = "; ".join([legal[part] for part in basis.split("+")])
            found = (f"{self.regime}.{code}", f"{rules['legal_prefix']}, {articles}")
            remember(memo, key, found, MEMO_SIZE)
        return Entitlement(
            self.regime,
            kind,
            found[0],
            found[1],
            cumulative,
            text,
            version,
            amount,
            currency,
            facts.carrier.code,
            paid_by,
            deadline,
        )

    def fixed(
        self,
        facts: Facts,
        rules: dict[str, Any],
        kind: Kind,
        code: str,
        basis: str,
        message: str,
        *,
        cumulative: bool,
        paid_by: str | None = None,
        amount: Decimal | None = None,
        currency: str | None = None,
        deadline: Deadline | None = None,
        **values: object,
    ) -> Entitlement:
        """Return the entitlement worded by ``message``, built once per carrier.

        Only for entitlements that follow from the version alone: ``amount``,
        ``currency``, ``deadline`` and ``values`` come from the rule data, never
        from the passenger (so only ``values`` are part of the key).
        """
        key = (
            "fixed",
            rules["version"],
            facts.carrier.code,
            code,
            basis,
            message,
            paid_by,
            *values.items(),
        )
        memo = rule_book(self.regime).memo
        found = memo.get(key)
        if found is None:
            found = self.entitlement(
                facts,
                rules,
                kind,
                code,
                basis,
                self.text(message, **values),
                cumulative=cumulative,
                amount=amount,
                currency=currency,
                paid_by=paid_by,
                deadline=deadline,
            )
            remember(memo, key, found, MEMO_SIZE)
        return found

    def once(self, key: tuple, build: Callable[[], T]) -> T:
        """Return what ``build`` makes of the rule data, made once per ``key``."""
        memo = rule_book(self.regime).memo
        found = memo.get(key)
        if found is None:
            found = remember(memo, key, build(), MEMO_SIZE)
        return found

    def wording(self, message: str, **values: object) -> Text:
        """Render ``message`` once per set of ``values`` (rule data, as in fixed)."""
        key = ("wording", message, *values.items())
        memo = rule_book(self.regime).memo
        found = memo.get(key)
        if found is None:
            found = remember(memo, key, self.text(message, **values), MEMO_SIZE)
        return found

    def refuse(
        self,
        outcome: Outcome,
        code: str,
        message: str,
        kind: Kind | None = None,
        **values: object,
    ) -> None:
        """Record that this regime gives nothing (of ``kind``, or at all) and why."""
        # Reasons are immutable and recur: build each once per set of values.
        key = (
            ("reason", code, message, kind, *values.items())
            if values
            else ("reason", code, message, kind)
        )
        memo = rule_book(self.regime).memo
        item = memo.get(key)
        if item is None:
            reason = self.text(message, **values)
            item = NotApplicable(self.regime, code, reason, kind)
            remember(memo, key, item, MEMO_SIZE)
        outcome.not_applicable.append(item)
