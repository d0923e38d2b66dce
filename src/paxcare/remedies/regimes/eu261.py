"""EU261 and UK261: one structure, two territories, two currencies.

The UK kept Regulation 261/2004 in its own law at the end of the Brexit transition
period with pounds instead of euros and the UK instead of the EU, so one class
reads both rule files. Where the law is ambiguous the choice is written in
``docs/remedies.md``; the airline runs this platform, so Art. 7(2) reductions are
applied wherever the regulation allows them and the explanation says so.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from ..engine.facts import Facts, Outcome
from ..engine.reference import territories
from ..engine.rules import version_on
from ..engine.text import CAUSE_TEXT, join, kilometres, minutes, money, period
from ..engine.types import (
    BAGGAGE_EVENTS,
    Entitlement,
    EventType,
    Kind,
    NotApplicable,
    Text,
)
from .base import Regime

HUNDRED = Decimal(100)


class EuStyleRegime(Regime):
    """Assess one assessment under EU261 (``"eu261"``) or UK261 (``"uk261"``)."""

    def assess_into(self, facts: Facts, outcome: Outcome) -> None:
        rules = version_on(self.regime, facts.flight_date)
        if rules is None:
            # Scope first, by the first version: a journey the regulation never
            # covers is out of scope, not merely before its time.
            first = self.book.versions[0]
            if not self._in_scope_at_start(facts, first):
                outcome.not_applicable.append(self._out_of_scope(first))
                return
            self.refuse(outcome, "not_in_force", "not_in_force", date=facts.flight_date)
            return
        if not self._in_scope(facts, rules):
            outcome.not_applicable.append(self._out_of_scope(rules))
            return
        event = facts.event.type
        if event in BAGGAGE_EVENTS:
            self.refuse(outcome, "not_covered", "not_covered_baggage")
            return
        if event is EventType.DELAY:
            self._delay(facts, rules, outcome)
        elif event is EventType.CANCELLATION:
            self._cancellation(facts, rules, outcome)
        elif event is EventType.DENIED_BOARDING:
            self._denied_boarding(facts, rules, outcome)
        else:
            self._downgrade(facts, rules, outcome)

    # --- scope and bands ---------------------------------------------------------

    def _in_scope(self, facts: Facts, rules: dict[str, Any]) -> bool:
        """Apply Art. 3(1): departing the territory, or arriving on a listed carrier.

        ``inbound`` lists where an arriving journey is covered and on whose
        carriers: EU261 covers arrivals in the EU on EU carriers; UK261 covers
        arrivals in the UK on UK or EU carriers and arrivals in the EU, from outside
        the UK, on UK carriers.
        """
        if rules["territory"] in facts.zones[0]:
            return True
        arriving, carrier = facts.zones[-1], facts.carrier_zones
        for rule in rules["inbound"]:
            if rule["to"] in arriving and not carrier.isdisjoint(rule["carriers"]):
                return True
        return False

    def _in_scope_at_start(self, facts: Facts, first: dict[str, Any]) -> bool:
        """Apply Art. 3(1) of the first version with the territories of its first day.

        For a flight before the regulation: the UK's territory, say, begins with
        UK261, so a London departure of 2019 is covered-but-not-yet, not out of scope.
        """
        table, on = territories(), self.book.starts[0]
        if first["territory"] in table.zones(facts.countries[0], on):
            return True
        arriving = table.zones(facts.countries[-1], on)
        carrier = table.zones(facts.carrier.country, on)
        return any(
            rule["to"] in arriving and not carrier.isdisjoint(rule["carriers"])
            for rule in first["inbound"]
        )

    def _out_of_scope(self, rules: dict[str, Any]) -> NotApplicable:
        """Return the version's reason for a journey it does not cover."""
        return self.once(
            ("out_of_scope", rules["version"]),
            lambda: NotApplicable(
                self.regime,
                "out_of_scope",
                self.text("out_of_scope", scope=self._scope(rules)),
            ),
        )

    def _scope(self, rules: dict[str, Any]) -> Text:
        """Return the version's description of what the regulation covers."""
        return Text(rules["scope"]["en"], rules["scope"]["zh"])

    def _band(self, facts: Facts, rules: dict[str, Any], km: float, domestic: bool):
        bands = rules["bands"]
        if domestic and km > bands[0]["max_km"]:
            wanted = rules["domestic_long_band"]
            for band in bands:
                if band["id"] == wanted:
                    return band
        for band in bands:
            if band["max_km"] is None or km <= band["max_km"]:
                return band
        raise LookupError(f"no distance band for {km} km")

    def _domestic(
        self, rules: dict[str, Any], first: frozenset[str], last: frozenset[str]
    ) -> bool:
        """Say whether both ends (their territories given) lie in the territory."""
        return rules["territory"] in first and rules["territory"] in last

    def _journey_band(self, facts: Facts, rules: dict[str, Any]):
        domestic = self._domestic(rules, facts.zones[0], facts.zones[-1])
        return self._band(facts, rules, facts.journey_km, domestic)

    # --- events ------------------------------------------------------------------

    def _delay(self, facts: Facts, rules: dict[str, Any], outcome: Outcome) -> None:
        self._delay_care(facts, rules, outcome)
        delay = facts.arrival_delay_minutes or 0.0
        if delay < rules["delay_compensation_minutes"]:
            self.refuse(
                outcome,
                "below_threshold",
                "below_threshold" if delay >= 0 else "arrived_early",
                Kind.COMPENSATION,
                delay=minutes(abs(delay)),
            )
            return
        if self._extraordinary(facts, rules, outcome):
            return
        band = self._journey_band(facts, rules)
        amount = Decimal(band["amount"])
        reduced = band["id"] in rules["delay_reduction_bands"] and (
            delay <= band["limit_minutes"]
        )
        basis = "compensation_delay"
        if reduced:
            amount = amount * (HUNDRED - rules["reduction_percent"]) / HUNDRED
            basis = "compensation_delay+reduction_delay"
        text = self.text(
            "compensation_delay",
            money=money(amount, rules["currency"]),
            km=kilometres(facts.journey_km),
            delay=minutes(delay),
        )
        if reduced:
            text = join(text, self._reduction_text(rules, band))
        self._grant_compensation(facts, rules, outcome, amount, basis, text)

    def _cancellation(
        self, facts: Facts, rules: dict[str, Any], outcome: Outcome
    ) -> None:
        self._refund_and_rerouting(facts, rules, outcome, "refund")
        self._care(facts, rules, outcome, "care_cancellation")
        notice = self._notice(facts)
        exemption = self._notice_exemption(facts, rules, notice)
        if exemption is not None:
            self.refuse(
                outcome,
                *exemption,
                Kind.COMPENSATION,
                **self._notice_values(rules, notice),
            )
            return
        if self._extraordinary(facts, rules, outcome):
            return
        band = self._journey_band(facts, rules)
        text = self.text(
            "compensation_cancellation",
            money=money(Decimal(band["amount"]), rules["currency"]),
            notice=period(notice),
            km=kilometres(facts.journey_km),
        )
        self._rerouted_compensation(
            facts, rules, outcome, band, text, "compensation_cancellation"
        )

    def _denied_boarding(
        self, facts: Facts, rules: dict[str, Any], outcome: Outcome
    ) -> None:
        self._refund_and_rerouting(facts, rules, outcome, "refund")
        if facts.event.voluntary:
            self.refuse(
                outcome, "voluntary", "voluntary_denied_boarding", Kind.COMPENSATION
            )
            return
        self._care(facts, rules, outcome, "care_denied_boarding")
        band = self._journey_band(facts, rules)
        text = self.text(
            "compensation_denied_boarding",
            money=money(Decimal(band["amount"]), rules["currency"]),
            km=kilometres(facts.journey_km),
        )
        self._rerouted_compensation(
            facts, rules, outcome, band, text, "compensation_denied_boarding"
        )

    def _downgrade(self, facts: Facts, rules: dict[str, Any], outcome: Outcome) -> None:
        km = facts.segment_km
        ends = (facts.segment_origin_zones, facts.segment_destination_zones)
        band = self._band(facts, rules, km, self._domestic(rules, *ends))
        overseas = rules.get("downgrade_overseas_territory")
        # Art. 10(2)(c): between the European territory and a French overseas
        # department, exactly one end lies overseas.
        if (
            overseas
            and band["id"] == rules["domestic_long_band"]
            and (overseas in ends[0]) != (overseas in ends[1])
        ):
            band = rules["bands"][-1]
        percent = Decimal(band["downgrade_percent"])
        fare = facts.event.segment_fare
        amount = fare.amount * percent / HUNDRED if fare else None
        key = "downgrade" if fare else "downgrade_no_fare"
        text = self.text(
            key,
            percent=band["downgrade_percent"],
            fare=money(fare.amount, fare.currency) if fare else "",
            km=kilometres(km),
        )
        outcome.grant(
            self.entitlement(
                facts,
                rules,
                Kind.REFUND,
                "downgrade",
                "downgrade",
                text,
                amount=amount,
                currency=fare.currency if fare else None,
                cumulative=True,
            )
        )

    # --- pieces ------------------------------------------------------------------

    def _notice(self, facts: Facts) -> timedelta:
        """Return how long before departure the cancellation was announced.

        Without a notification time the passenger is taken to have learnt it at the
        airport: the carrier bears the burden of proving when it informed them.
        """
        notified = facts.event.notified_at
        if notified is None:
            return timedelta(0)
        return facts.segment.scheduled_departure - notified

    def _notice_exemption(
        self, facts: Facts, rules: dict[str, Any], notice: timedelta
    ) -> tuple[str, str] | None:
        windows = rules["notice"]
        if notice >= timedelta(days=windows["full_days"]):
            return ("notice_given", "notice_given")
        limits = windows[
            "partial" if notice >= timedelta(days=windows["partial_days"]) else "short"
        ]
        rerouting = facts.event.rerouting
        if rerouting is None:
            return None
        earliest = facts.segment.scheduled_departure - timedelta(
            minutes=limits["earlier_departure_minutes"]
        )
        late_by = rerouting.arrival - facts.scheduled_arrival
        if rerouting.departure >= earliest and late_by < timedelta(
            minutes=limits["later_arrival_minutes"]
        ):
            return ("rerouting_within_limits", "rerouting_within_limits")
        return None

    def _notice_values(self, rules: dict[str, Any], notice: timedelta) -> dict:
        windows = rules["notice"]
        limits = windows[
            "partial" if notice >= timedelta(days=windows["partial_days"]) else "short"
        ]
        return {
            "notice": period(notice),
            "earlier": minutes(limits["earlier_departure_minutes"]),
            "later": minutes(limits["later_arrival_minutes"]),
        }

    def _extraordinary(
        self, facts: Facts, rules: dict[str, Any], outcome: Outcome
    ) -> bool:
        cause = facts.event.cause
        if cause is None or cause not in rules["extraordinary_causes"]:
            return False
        self.refuse(
            outcome,
            "extraordinary_circumstances",
            "extraordinary",
            Kind.COMPENSATION,
            cause=CAUSE_TEXT[cause],
        )
        return True

    def _rerouted_compensation(
        self,
        facts: Facts,
        rules: dict[str, Any],
        outcome: Outcome,
        band: dict[str, Any],
        text: Text,
        basis: str,
    ) -> None:
        """Grant the band's amount, halved when the rerouting arrives within limits."""
        amount = Decimal(band["amount"])
        late = facts.arrival_delay_minutes
        if late is not None and late <= band["limit_minutes"]:
            amount = amount * (HUNDRED - rules["reduction_percent"]) / HUNDRED
            text = self.text(
                basis.split("+")[0],
                money=money(amount, rules["currency"]),
                notice=period(self._notice(facts)),
                km=kilometres(facts.journey_km),
            )
            text = join(text, self._reduction_text(rules, band))
            basis = f"{basis}+reduction_rerouting"
        self._grant_compensation(facts, rules, outcome, amount, basis, text)

    def _reduction_text(self, rules: dict[str, Any], band: dict[str, Any]) -> Text:
        return self.text(
            "reduction",
            percent=rules["reduction_percent"],
            limit=minutes(band["limit_minutes"]),
        )

    def _grant_compensation(
        self,
        facts: Facts,
        rules: dict[str, Any],
        outcome: Outcome,
        amount: Decimal,
        basis: str,
        text: Text,
    ) -> None:
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

    def _refund_and_rerouting(
        self, facts: Facts, rules: dict[str, Any], outcome: Outcome, refund_key: str
    ) -> None:
        fare = facts.assessment.passenger.one_way_fare
        outcome.grant(
            self.entitlement(
                facts,
                rules,
                Kind.REFUND,
                "refund",
                "refund",
                self.text(refund_key),
                amount=fare.amount if fare else None,
                currency=fare.currency if fare else None,
                cumulative=False,
            )
        )
        outcome.grant(
            self.fixed(
                facts,
                rules,
                Kind.REROUTING,
                "rerouting",
                "rerouting",
                "rerouting",
                cumulative=False,
            )
        )

    def _delay_care(
        self, facts: Facts, rules: dict[str, Any], outcome: Outcome
    ) -> None:
        """Apply Art. 6: care by the flight's distance and its departure delay."""
        delay = facts.departure_delay_minutes
        if delay is None:
            return
        ends = (facts.segment_origin_zones, facts.segment_destination_zones)
        band = self._band(facts, rules, facts.segment_km, self._domestic(rules, *ends))
        if delay < band["limit_minutes"]:
            return
        meals = self.text(
            "care_meals_delay",
            delay=minutes(delay),
            limit=minutes(band["limit_minutes"]),
            km=kilometres(facts.segment_km),
        )
        self._care(facts, rules, outcome, "care_delay", meals=meals)
        if delay >= rules["refund_delay_minutes"]:
            fare = facts.assessment.passenger.one_way_fare
            outcome.grant(
                self.entitlement(
                    facts,
                    rules,
                    Kind.REFUND,
                    "refund",
                    "refund_delay",
                    self.text("refund_delay"),
                    amount=fare.amount if fare else None,
                    currency=fare.currency if fare else None,
                    cumulative=False,
                )
            )

    def _care(
        self,
        facts: Facts,
        rules: dict[str, Any],
        outcome: Outcome,
        trigger: str,
        meals: Text | None = None,
    ) -> None:
        basis = f"{trigger}+care_meals"
        if meals is None:
            outcome.grant(self._fixed_care(facts, rules, "meals", basis))
        else:
            outcome.grant(
                self.entitlement(
                    facts, rules, Kind.CARE, "care.meals", basis, meals, cumulative=True
                )
            )
        outcome.grant(self._fixed_care(facts, rules, "calls", f"{trigger}+care_calls"))
        if facts.overnight:
            basis = f"{trigger}+care_hotel"
            outcome.grant(self._fixed_care(facts, rules, "hotel", basis))

    def _fixed_care(
        self, facts: Facts, rules: dict[str, Any], item: str, basis: str
    ) -> Entitlement:
        return self.fixed(
            facts,
            rules,
            Kind.CARE,
            f"care.{item}",
            basis,
            f"care_{item}",
            cumulative=True,
        )
