"""What every regime shares: its rule book and how it words an entitlement."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..engine.facts import Facts, Outcome
from ..engine.rules import rule_book
from ..engine.text import render
from ..engine.types import Deadline, Entitlement, Kind, NotApplicable, Text


class Regime:
    """A body of passenger law read from ``rules/<regime>.json``."""

    regime: str

    def __init__(self, regime: str) -> None:
        self.regime = regime
        self.book = rule_book(regime)
        self._fixed_reasons: dict[tuple[str, str, Kind | None], NotApplicable] = {}
        self._citations: dict[tuple[str, str], str] = {}

    def assess(self, facts: Facts) -> Outcome:  # pragma: no cover - interface
        raise NotImplementedError

    def text(self, key: str, **values: object) -> Text:
        """Render the message ``key`` of this regime in both languages."""
        return render(self.book.message(key), **values)

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
        return Entitlement(
            regime=self.regime,
            kind=kind,
            code=f"{self.regime}.{code}",
            legal_basis=self._legal_basis(rules, basis),
            cumulative=cumulative,
            explanation=text,
            rule_version=rules["version"],
            amount=amount,
            currency=currency,
            owed_by=facts.carrier.code,
            paid_by=paid_by,
            deadline=deadline,
        )

    def _legal_basis(self, rules: dict[str, Any], basis: str) -> str:
        # The same few citations recur in every answer: build each once per version.
        key = (rules["version"], basis)
        found = self._citations.get(key)
        if found is None:
            legal = rules["legal"]
            articles = "; ".join(legal[part] for part in basis.split("+"))
            found = self._citations[key] = f"{rules['legal_prefix']}, {articles}"
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
        if values:
            outcome.refuse(self._not_applicable(code, message, kind, values))
            return
        # Reasons without values are the same every time: build each once.
        key = (code, message, kind)
        item = self._fixed_reasons.get(key)
        if item is None:
            item = self._fixed_reasons[key] = self._not_applicable(
                code, message, kind, {}
            )
        outcome.refuse(item)

    def _not_applicable(
        self, code: str, message: str, kind: Kind | None, values: dict[str, object]
    ) -> NotApplicable:
        return NotApplicable(
            regime=self.regime,
            code=code,
            reason=self.text(message, **values),
            kind=kind,
        )
