"""United States: denied boarding (part 250), refunds (part 260), baggage (part 254).

US law pays no cash for delays or cancellations; it pays for involuntary denied
boarding at a US airport, refunds tickets and bag fees, and sets the domestic
baggage liability floor.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..engine.facts import Facts, Outcome
from ..engine.rules import version_on
from ..engine.text import join, minutes, money
from ..engine.types import EventType, Kind
from .base import Regime
from .exchange import converted

HUNDRED = Decimal(100)


class UsDot(Regime):
    def __init__(self) -> None:
        super().__init__("us_dot")

    def assess_into(self, facts: Facts, outcome: Outcome) -> None:
        # Scope first: a journey the law never covers is out of scope on any date.
        if "US" not in facts.anywhere:
            self.refuse(outcome, "out_of_scope", "out_of_scope")
            return
        rules = version_on(self.regime, facts.flight_date)
        if rules is None:
            self.refuse(outcome, "not_in_force", "not_in_force", date=facts.flight_date)
            return
        domestic = "US" in facts.everywhere
        event = facts.event.type
        if event is EventType.DENIED_BOARDING:
            self._denied_boarding(facts, rules, outcome, domestic)
        elif event in (EventType.DELAY, EventType.CANCELLATION, EventType.DOWNGRADE):
            self._refunds(facts, rules, outcome, domestic)
        else:
            self._baggage(facts, rules, outcome, domestic)

    def _denied_boarding(
        self, facts: Facts, rules: dict[str, Any], outcome: Outcome, domestic: bool
    ) -> None:
        if "US" not in facts.segment_origin_zones:
            self.refuse(outcome, "out_of_scope", "dbc_out_of_scope", Kind.COMPENSATION)
            return
        if facts.event.voluntary:
            self.refuse(outcome, "voluntary", "voluntary", Kind.COMPENSATION)
            return
        dbc = rules["dbc"]
        late = facts.arrival_delay_minutes
        if late is not None and late <= dbc["no_compensation_max_minutes"]:
            self.refuse(
                outcome,
                "below_threshold",
                "dbc_within_hour" if late >= 0 else "dbc_early",
                Kind.COMPENSATION,
                delay=minutes(abs(late)),
            )
            return
        scope = "domestic" if domestic else "international"
        # "1 to 2 hours" (4 international) late earns 200 %: the bound is included.
        double = late is not None and late <= dbc["double_max_minutes"][scope]
        percent = dbc["double_percent"] if double else dbc["quadruple_percent"]
        cap = Decimal(dbc["caps"]["double" if double else "quadruple"])
        fare = facts.assessment.passenger.one_way_fare
        amount: Decimal | None = None
        currency: str | None = rules["currency"]
        if fare is None:
            text = self.text("dbc_no_fare", percent=percent, cap=money(cap, "USD"))
        else:
            # The caps are in US dollars (14 CFR 250.5): convert the fare first.
            fare_usd = converted(
                fare.amount, fare.currency, rules["currency"], facts.flight_date
            )
            if fare_usd is None:
                self.refuse(
                    outcome,
                    "no_rate",
                    "dbc_no_rate",
                    Kind.COMPENSATION,
                    percent=percent,
                    fare=money(fare.amount, fare.currency),
                    cap=money(cap, "USD"),
                    date=facts.flight_date,
                )
                return
            amount = min(fare_usd * percent / HUNDRED, cap)
            key = "dbc" if late is not None else "dbc_not_rerouted"
            text = self.text(
                key,
                money=money(amount, rules["currency"]),
                percent=percent,
                fare=money(fare.amount, fare.currency),
                cap=money(cap, "USD"),
                delay=minutes(late or 0),
            )
            if fare.currency != rules["currency"]:
                text = join(
                    text,
                    self.text(
                        "dbc_converted",
                        fare=money(fare_usd, rules["currency"]),
                        date=facts.flight_date,
                    ),
                )
        outcome.grant(
            self.entitlement(
                facts,
                rules,
                Kind.COMPENSATION,
                "compensation",
                "dbc+dbc_payment",
                text,
                amount=amount,
                currency=currency,
                cumulative=True,
            )
        )

    def _refunds(
        self, facts: Facts, rules: dict[str, Any], outcome: Outcome, domestic: bool
    ) -> None:
        part260 = rules.get("part260")
        if part260 is None:
            self.refuse(
                outcome,
                "not_in_force",
                "feature_not_in_force",
                Kind.REFUND,
                date=facts.flight_date,
            )
            return
        fare = facts.assessment.passenger.one_way_fare
        event = facts.event.type
        scope = "domestic" if domestic else "international"
        limit = part260["significant_change_minutes"][scope]
        late = facts.arrival_delay_minutes or 0.0
        if event is EventType.CANCELLATION:
            key = "refund_cancellation"
        elif event is EventType.DOWNGRADE:
            key, fare = "refund_downgrade", None
        elif late >= limit:
            key = "refund_change"
        else:
            self.refuse(outcome, "not_covered", "no_delay_compensation")
            return
        text = self.text(
            key,
            card=part260["refund_days"]["card"],
            other=part260["refund_days"]["other"],
            delay=minutes(late),
            limit=minutes(limit),
        )
        outcome.grant(
            self.entitlement(
                facts,
                rules,
                Kind.REFUND,
                "refund",
                key,
                text,
                amount=fare.amount if fare else None,
                currency=fare.currency if fare else None,
                cumulative=False,
            )
        )

    def _baggage(
        self, facts: Facts, rules: dict[str, Any], outcome: Outcome, domestic: bool
    ) -> None:
        if not domestic:
            self.refuse(
                outcome, "not_covered", "international_baggage", Kind.LIABILITY_LIMIT
            )
        if domestic:
            limit = Decimal(rules["baggage_limit"])
            outcome.grant(
                self.fixed(
                    facts,
                    rules,
                    Kind.LIABILITY_LIMIT,
                    "baggage_limit",
                    "baggage_limit",
                    "baggage_limit",
                    money=money(limit, "USD"),
                    amount=limit,
                    currency=rules["currency"],
                    cumulative=True,
                )
            )
        part260 = rules.get("part260")
        fee = facts.event.bag_fee
        if (
            part260 is None
            or fee is None
            or facts.event.type is EventType.BAGGAGE_DAMAGE
        ):
            return
        if facts.event.type is EventType.BAGGAGE_LOSS:
            text = self.text("bag_fee_lost", money=money(fee.amount, fee.currency))
            self._bag_fee(
                facts, rules, outcome, fee.amount, fee.currency, "bag_fee_lost", text
            )
            return
        hours = self._bag_fee_hours(facts, part260, domestic)
        limit_text = minutes(hours * 60)
        delivered = facts.event.delivered_at
        if delivered is None:
            self.refuse(
                outcome, "pending", "bag_fee_pending", Kind.REFUND, limit=limit_text
            )
            return
        arrived = facts.event.actual_arrival or facts.scheduled_arrival
        waited = (delivered - arrived).total_seconds() / 60
        if waited <= hours * 60:
            self.refuse(
                outcome,
                "below_threshold",
                "bag_fee_in_time",
                Kind.REFUND,
                delay=minutes(waited),
                limit=limit_text,
            )
            return
        text = self.text(
            "bag_fee",
            money=money(fee.amount, fee.currency),
            delay=minutes(waited),
            limit=limit_text,
        )
        self._bag_fee(facts, rules, outcome, fee.amount, fee.currency, "bag_fee", text)

    def _bag_fee_hours(
        self, facts: Facts, part260: dict[str, Any], domestic: bool
    ) -> int:
        hours = part260["bag_fee_hours"]
        if domestic:
            return hours["domestic"]
        segment = facts.segment
        flown = (
            segment.scheduled_arrival - segment.scheduled_departure
        ).total_seconds()
        if flown / 3600 > part260["long_flight_hours"]:
            return hours["international_long"]
        return hours["international_short"]

    def _bag_fee(self, facts, rules, outcome, amount, currency, basis, text) -> None:
        outcome.grant(
            self.entitlement(
                facts,
                rules,
                Kind.REFUND,
                "bag_fee",
                basis,
                text,
                amount=amount,
                currency=currency,
                cumulative=True,
            )
        )
