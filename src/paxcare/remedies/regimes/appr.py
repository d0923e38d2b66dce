"""Canada's Air Passenger Protection Regulations (APPR).

Three cause classes decide what is owed: outside the carrier's control (rebooking,
and since 2022 a refund when rebooking takes too long), within its control but
required for safety (plus care), within its control (plus compensation by the
carrier's size and the lateness at the destination).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ..engine.facts import Facts, Outcome
from ..engine.rules import version_on
from ..engine.text import CAUSE_TEXT, join, minutes, money, period
from ..engine.types import BAGGAGE_EVENTS, Deadline, EventType, Kind, Text
from .base import Regime

WITHIN, SAFETY, OUTSIDE = "within_control", "safety_required", "outside_control"
SIZE_TEXT = {"large": Text("large", "大型"), "small": Text("small", "小型")}


class Appr(Regime):
    def __init__(self) -> None:
        super().__init__("appr")

    def assess_into(self, facts: Facts, outcome: Outcome) -> None:
        # Scope first: a journey the law never covers is out of scope on any date.
        if "CA" not in facts.anywhere:
            self.refuse(outcome, "out_of_scope", "out_of_scope")
            return
        rules = version_on(self.regime, facts.flight_date)
        if rules is None:
            self.refuse(outcome, "not_in_force", "not_in_force", date=facts.flight_date)
            return
        event = facts.event.type
        if event in BAGGAGE_EVENTS or event is EventType.DOWNGRADE:
            self.refuse(outcome, "not_covered", "not_covered")
            return
        if event is EventType.DENIED_BOARDING:
            self._denied_boarding(facts, rules, outcome)
        elif "delay_compensation" not in rules:
            self.refuse(
                outcome, "not_in_force", "feature_not_in_force", date=facts.flight_date
            )
        else:
            self._delay_or_cancellation(facts, rules, outcome)

    def _cause_class(self, facts: Facts, rules: dict[str, Any]) -> str:
        """Return the cause class; an unstated cause counts as within control."""
        cause = facts.event.cause
        if cause is None:
            return WITHIN
        key = ("cause_classes", rules["version"])
        return self.once(key, lambda: _cause_classes(rules)).get(cause, WITHIN)

    def _delay_or_cancellation(
        self, facts: Facts, rules: dict[str, Any], outcome: Outcome
    ) -> None:
        cause_class = self._cause_class(facts, rules)
        cancelled = facts.event.type is EventType.CANCELLATION
        late = facts.arrival_delay_minutes
        waiting = facts.departure_delay_minutes if not cancelled else None
        if cause_class != OUTSIDE and (
            cancelled or (waiting or 0) >= rules["care_delay_minutes"]
        ):
            self._care(facts, rules, outcome)
        if cancelled or (late or 0) >= rules["rebooking_delay_minutes"]:
            self._rebooking(facts, rules, outcome, cause_class)
        self._compensation(facts, rules, outcome, cause_class, late)

    def _compensation(
        self,
        facts: Facts,
        rules: dict[str, Any],
        outcome: Outcome,
        cause_class: str,
        late: float | None,
    ) -> None:
        if cause_class == OUTSIDE:
            self.refuse(
                outcome,
                "outside_control",
                "outside_control",
                Kind.COMPENSATION,
                cause=CAUSE_TEXT[facts.event.cause],
            )
            return
        if cause_class == SAFETY:
            self.refuse(
                outcome, "safety_required", "safety_required", Kind.COMPENSATION
            )
            return
        notice = self._notice(facts)
        if notice > timedelta(days=rules["compensation_notice_days"]):
            self.refuse(
                outcome,
                "notice_given",
                "notice_given",
                Kind.COMPENSATION,
                notice=period(notice),
            )
            return
        size, assumed = self._size(facts)
        if late is None:
            amount = Decimal(rules["refunded_compensation"][size])
            text = self.text(
                "compensation_refunded",
                money=money(amount, "CAD"),
                size=SIZE_TEXT[size],
            )
            basis = "compensation_refunded"
        else:
            band = None
            for row in rules["delay_compensation"][size]:
                if late >= row["from_minutes"]:
                    band = row
            if band is None:
                self.refuse(
                    outcome,
                    "below_threshold",
                    "below_threshold" if late >= 0 else "arrived_early",
                    Kind.COMPENSATION,
                    delay=minutes(abs(late)),
                )
                return
            amount = Decimal(band["amount"])
            text = self.text(
                "compensation",
                money=money(amount, "CAD"),
                size=SIZE_TEXT[size],
                delay=minutes(late),
            )
            basis = (
                "compensation_cancellation"
                if facts.event.type is EventType.CANCELLATION
                else "compensation_delay"
            )
        if assumed:
            text = join(text, self.text("size_assumed"))
        outcome.grant(
            self.entitlement(
                facts,
                rules,
                Kind.COMPENSATION,
                "compensation",
                basis,
                text,
                amount=amount,
                currency=rules["currency"],
                cumulative=True,
            )
        )
        self._claim_deadlines(facts, rules, outcome)

    def _denied_boarding(
        self, facts: Facts, rules: dict[str, Any], outcome: Outcome
    ) -> None:
        cause_class = self._cause_class(facts, rules)
        if facts.event.voluntary:
            self.refuse(outcome, "voluntary", "voluntary", Kind.COMPENSATION)
            return
        # Denied boarding's care and alternative travel came into force with the
        # first phase (15 July 2019), before those of delays and cancellations.
        if cause_class != OUTSIDE:
            self._care(facts, rules, outcome)
        self._rebooking(facts, rules, outcome, cause_class)
        if cause_class == OUTSIDE:
            self.refuse(
                outcome,
                "outside_control",
                "outside_control",
                Kind.COMPENSATION,
                cause=CAUSE_TEXT[facts.event.cause],
            )
            return
        if cause_class == SAFETY:
            # s. 20 compensates a denial within the carrier's control only when it
            # was not required for safety (s. 11 against s. 12).
            self.refuse(
                outcome, "safety_required", "safety_required", Kind.COMPENSATION
            )
            return
        late = facts.arrival_delay_minutes
        bands = rules["denied_boarding"]
        if late is None:
            band, key = bands[-1], "denied_boarding_not_rerouted"
        else:
            band = next(
                b
                for b in bands
                if b["below_minutes"] is None or late < b["below_minutes"]
            )
            key = "denied_boarding"
        amount = Decimal(band["amount"])
        text = self.text(key, money=money(amount, "CAD"), delay=minutes(late or 0))
        outcome.grant(
            self.entitlement(
                facts,
                rules,
                Kind.COMPENSATION,
                "compensation",
                "denied_boarding",
                text,
                amount=amount,
                currency=rules["currency"],
                cumulative=True,
            )
        )

    def _care(self, facts: Facts, rules: dict[str, Any], outcome: Outcome) -> None:
        outcome.grant(
            self.fixed(
                facts,
                rules,
                Kind.CARE,
                "care.food",
                "care",
                "care_food",
                cumulative=True,
            )
        )
        if facts.overnight:
            outcome.grant(
                self.fixed(
                    facts,
                    rules,
                    Kind.CARE,
                    "care.hotel",
                    "care",
                    "care_hotel",
                    cumulative=True,
                )
            )

    def _rebooking(
        self, facts: Facts, rules: dict[str, Any], outcome: Outcome, cause_class: str
    ) -> None:
        side = "outside" if cause_class == OUTSIDE else "within"
        outcome.grant(
            self.fixed(
                facts,
                rules,
                Kind.REROUTING,
                "rerouting",
                f"rerouting_{side}",
                f"rerouting_{side}",
                cumulative=False,
            )
        )
        if side == "outside" and not rules.get("outside_control_refund"):
            return
        fare = facts.assessment.passenger.one_way_fare
        outcome.grant(
            self.entitlement(
                facts,
                rules,
                Kind.REFUND,
                "refund",
                f"refund_{side}",
                self.wording(
                    f"refund_{side}", hours=rules.get("outside_control_refund_hours")
                ),
                amount=fare.amount if fare else None,
                currency=fare.currency if fare else None,
                cumulative=False,
            )
        )

    def _claim_deadlines(
        self, facts: Facts, rules: dict[str, Any], outcome: Outcome
    ) -> None:
        due = _add_years(facts.flight_date, rules["claim_window_years"])
        window = Deadline(
            party="passenger",
            action="claim",
            period=rules["claim_window_years"],
            unit="years",
            starts="flight_date",
            starts_on=facts.flight_date,
            due_on=due,
        )
        outcome.grant(
            self.entitlement(
                facts,
                rules,
                Kind.CLAIM_DEADLINE,
                "claim_window",
                "claim_window",
                self.text("claim_window", due=due.isoformat()),
                cumulative=True,
                deadline=window,
            )
        )
        answer = self.once(
            ("claim_answer", rules["version"]),
            lambda: Deadline(
                party="carrier",
                action="answer_claim",
                period=rules["claim_answer_days"],
                unit="days",
                starts="claim_received",
            ),
        )
        outcome.grant(
            self.fixed(
                facts,
                rules,
                Kind.CLAIM_DEADLINE,
                "claim_answer",
                "claim_answer",
                "claim_answer",
                cumulative=True,
                deadline=answer,
            )
        )

    def _notice(self, facts: Facts) -> timedelta:
        notified = facts.event.notified_at
        if notified is None:
            return timedelta(0)
        return facts.segment.scheduled_departure - notified

    def _size(self, facts: Facts) -> tuple[str, bool]:
        """Return the carrier's APPR size, and whether it had to be assumed."""
        size = facts.carrier.appr_size
        if size in SIZE_TEXT:
            return size, False
        return "large", True


def _cause_classes(rules: dict[str, Any]) -> dict[str, str]:
    """Return each cause's class; a cause listed twice is in the first class."""
    classes: dict[str, str] = {}
    for name, causes in rules["causes"].items():
        for cause in causes:
            classes.setdefault(cause, name)
    return classes


def _add_years(start: date, years: int) -> date:
    """Return the same day ``years`` later; 29 February falls back to the 28th."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)
