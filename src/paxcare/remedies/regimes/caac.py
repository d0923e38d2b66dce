"""China: the CAAC passenger service rules (2021) and flight regularity rules (2016).

Chinese law fixes no cash compensation for delays. It says what the carrier must
provide and who pays for it: the carrier when the cause is its own (maintenance,
crew, scheduling), the passenger when it is not (weather, air traffic control,
security), with the carrier still arranging. Every care entry carries ``paid_by``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..engine.facts import Facts, Outcome
from ..engine.rules import version_on
from ..engine.text import CAUSE_TEXT, money
from ..engine.types import BAGGAGE_EVENTS, Deadline, EventType, Kind, Text
from .base import Regime

CARRIER, PASSENGER = "carrier", "passenger"


class Caac(Regime):
    def __init__(self) -> None:
        super().__init__("caac")

    def assess_into(self, facts: Facts, outcome: Outcome) -> None:
        # Scope first: a journey the law never covers is out of scope on any date.
        if not self._in_scope(facts):
            self.refuse(outcome, "out_of_scope", "out_of_scope")
            return
        rules = version_on(self.regime, facts.flight_date)
        if rules is None:
            self.refuse(outcome, "not_in_force", "not_in_force", date=facts.flight_date)
            return
        granted = len(outcome.entitlements)
        event = facts.event.type
        if event in (EventType.DELAY, EventType.CANCELLATION):
            self._disruption(facts, rules, outcome)
        elif event is EventType.DENIED_BOARDING:
            self._denied_boarding(facts, rules, outcome)
        elif event in BAGGAGE_EVENTS:
            self._baggage(facts, rules, outcome)
        if self._something_happened(facts):
            # CCAR-273 sets the answer period for every complaint the carrier
            # receives, whatever else the rules fix for the event.
            self._complaint_answer(facts, rules, outcome)
        if len(outcome.entitlements) == granted:
            self.refuse(outcome, "not_covered", "not_covered")

    def _something_happened(self, facts: Facts) -> bool:
        """Say whether there is anything to complain of (a delay must be late)."""
        if facts.event.type is not EventType.DELAY:
            return True
        return (facts.departure_delay_minutes or 0) > 0 or (
            facts.arrival_delay_minutes or 0
        ) > 0

    def _in_scope(self, facts: Facts) -> bool:
        return (
            "CN" in facts.segment_origin_zones
            or "CN" in facts.segment_destination_zones
            or "CN" in facts.carrier_zones
        )

    def _payer(self, facts: Facts, rules: dict[str, Any]) -> str:
        """Return who pays for care; an unstated cause is the carrier's to prove."""
        cause = facts.event.cause
        if cause is None or cause in rules["carrier_causes"]:
            return CARRIER
        return PASSENGER

    def _stopover(self, facts: Facts) -> bool:
        """Say whether the passenger is held at an intermediate stop of one flight."""
        index = facts.event.segment_index
        if index == 0:
            return False
        segments = facts.assessment.segments
        same_flight = segments[index - 1].flight_number == facts.segment.flight_number
        domestic = (
            "CN" in facts.segment_origin_zones
            and "CN" in facts.segment_destination_zones
        )
        return same_flight and domestic

    def _disruption(
        self, facts: Facts, rules: dict[str, Any], outcome: Outcome
    ) -> None:
        cancelled = facts.event.type is EventType.CANCELLATION
        waiting = facts.departure_delay_minutes or 0.0
        if not cancelled and waiting <= 0:
            return
        self._information(facts, rules, outcome)
        if cancelled or waiting >= rules["meals_delay_minutes"]:
            self._care(facts, rules, outcome)
        if cancelled or waiting >= rules["involuntary_delay_minutes"]:
            self._refund_and_change(facts, rules, outcome)

    def _care(self, facts: Facts, rules: dict[str, Any], outcome: Outcome) -> None:
        if self._stopover(facts):
            payer, suffix, basis = CARRIER, "stopover", "care_stopover"
        else:
            payer = self._payer(facts, rules)
            suffix, basis = payer, f"care_{payer}"
        cause = CAUSE_TEXT[facts.event.cause]
        items = [("care.meals", f"meals_{suffix}")]
        if facts.overnight:
            items.append(("care.hotel", f"hotel_{suffix}"))
        for code, key in items:
            outcome.grant(
                self.fixed(
                    facts,
                    rules,
                    Kind.CARE,
                    code,
                    basis,
                    key,
                    cause=cause,
                    cumulative=True,
                    paid_by=payer,
                )
            )

    def _information(
        self, facts: Facts, rules: dict[str, Any], outcome: Outcome
    ) -> None:
        outcome.grant(
            self.fixed(
                facts,
                rules,
                Kind.CARE,
                "care.information",
                "information",
                "information",
                minutes=rules["information_minutes"],
                cumulative=True,
                paid_by=CARRIER,
            )
        )

    def _refund_and_change(
        self, facts: Facts, rules: dict[str, Any], outcome: Outcome
    ) -> None:
        fare = facts.assessment.passenger.one_way_fare
        refund = rules.get("involuntary_refund")
        deadline = None
        if refund is None:
            text = self.text("refund_2017")
        else:
            days = refund["refund_working_days"]
            text = self.wording("refund", days=days)
            deadline = self.once(
                ("refund_deadline", days),
                lambda: Deadline(
                    party="carrier",
                    action="refund",
                    period=days,
                    unit="working_days",
                    starts="refund_requested",
                    calendar="CN",
                ),
            )
        outcome.grant(
            self.entitlement(
                facts,
                rules,
                Kind.REFUND,
                "refund",
                "refund_involuntary",
                text,
                amount=fare.amount if fare else None,
                currency=fare.currency if fare else None,
                cumulative=False,
                deadline=deadline,
            )
        )
        payer = self._payer(facts, rules)
        outcome.grant(
            self.fixed(
                facts,
                rules,
                Kind.REROUTING,
                "rerouting",
                "rerouting_involuntary",
                f"rerouting_{payer}",
                cumulative=False,
                paid_by=payer,
            )
        )

    def _denied_boarding(
        self, facts: Facts, rules: dict[str, Any], outcome: Outcome
    ) -> None:
        if not facts.event.voluntary:
            outcome.grant(
                self.fixed(
                    facts,
                    rules,
                    Kind.COMPENSATION,
                    "compensation",
                    "denied_boarding",
                    "denied_boarding",
                    cumulative=True,
                    paid_by=CARRIER,
                )
            )
        self._refund_and_change(facts, rules, outcome)

    def _baggage(self, facts: Facts, rules: dict[str, Any], outcome: Outcome) -> None:
        if "CN" not in facts.everywhere:
            self.refuse(
                outcome, "not_covered", "international_baggage", Kind.LIABILITY_LIMIT
            )
            return
        per_kg = Decimal(rules["domestic_baggage_per_kg"])
        weight = facts.event.bag_weight_kg
        amount = per_kg * weight if weight is not None else None
        total = (
            Text(
                f" ({money(amount, 'CNY')} for {weight} kg)",
                f"（{weight}公斤共{money(amount, 'CNY')}）",
            )
            if amount is not None
            else Text("", "")
        )
        outcome.grant(
            self.entitlement(
                facts,
                rules,
                Kind.LIABILITY_LIMIT,
                "baggage_limit",
                "baggage_limit",
                self.text("baggage_limit", per_kg=money(per_kg, "CNY"), total=total),
                amount=amount,
                currency=rules["currency"] if amount else None,
                cumulative=True,
            )
        )

    def _complaint_answer(
        self, facts: Facts, rules: dict[str, Any], outcome: Outcome
    ) -> None:
        days = rules.get("complaint_answer_working_days")
        if days is None:
            return
        outcome.grant(
            self.fixed(
                facts,
                rules,
                Kind.CLAIM_DEADLINE,
                "complaint_answer",
                "complaint_answer",
                "complaint_answer",
                days=days,
                cumulative=True,
                deadline=self.once(
                    ("complaint_deadline", days),
                    lambda: Deadline(
                        party="carrier",
                        action="answer_complaint",
                        period=days,
                        unit="working_days",
                        starts="complaint_received",
                        calendar="CN",
                    ),
                ),
            )
        )
