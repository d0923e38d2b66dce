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

from ..engine.facts import Facts, Outcome, new_outcome
from ..engine.reference import great_circle_km, territories
from ..engine.rules import version_on
from ..engine.text import CAUSE_TEXT, join, kilometres, minutes, money, period, render
from ..engine.types import BAGGAGE_EVENTS, EventType, Kind, Text
from .base import Regime

HUNDRED = Decimal(100)


class EuStyleRegime(Regime):
    """Assess one assessment under EU261 (``"eu261"``) or UK261 (``"uk261"``)."""

    def assess(self, facts: Facts) -> Outcome:
        outcome = new_outcome()
        rules = version_on(self.regime, facts.flight_date)
        if rules is None:
            self.refuse(outcome, "not_in_force", "not_in_force", date=facts.flight_date)
            return outcome
        if not self._in_scope(facts, rules):
            scope = Text(rules["scope"]["en"], rules["scope"]["zh"])
            self.refuse(outcome, "out_of_scope", "out_of_scope", None, scope=scope)
            return outcome
        if facts.event.type in BAGGAGE_EVENTS:
            self.refuse(outcome, "not_covered", "not_covered_baggage")
            return outcome
        handler = {
            EventType.DELAY: self._delay,
            EventType.CANCELLATION: self._cancellation,
            EventType.DENIED_BOARDING: self._denied_boarding,
            EventType.DOWNGRADE: self._downgrade,
        }[facts.event.type]
        handler(facts, rules, outcome)
        return outcome

    # --- scope and bands ---------------------------------------------------------

    def _in_scope(self, facts: Facts, rules: dict[str, Any]) -> bool:
        """Apply Art. 3(1): departing the territory, or arriving on a listed carrier.

        ``inbound`` lists where an arriving journey is covered and on whose
        carriers: EU261 covers arrivals in the EU on EU carriers; UK261 covers
        arrivals in the UK on UK or EU carriers and arrivals in the EU, from outside
        the UK, on UK carriers.
        """
        table, on = territories(), facts.flight_date
        if table.contains(rules["territory"], facts.origin.country, on):
            return True
        return any(
            table.contains(rule["to"], facts.destination.country, on)
            and any(
                table.contains(area, facts.carrier.country, on)
                for area in rule["carriers"]
            )
            for rule in rules["inbound"]
        )

    def _band(self, facts: Facts, rules: dict[str, Any], km: float, domestic: bool):
        bands = rules["bands"]
        if domestic and km > bands[0]["max_km"]:
            return next(b for b in bands if b["id"] == rules["domestic_long_band"])
        return next(b for b in bands if b["max_km"] is None or km <= b["max_km"])

    def _domestic(self, rules: dict[str, Any], first: str, last: str, facts: Facts):
        table = territories()
        return table.contains(rules["territory"], first, facts.flight_date) and (
            table.contains(rules["territory"], last, facts.flight_date)
        )

    def _journey_band(self, facts: Facts, rules: dict[str, Any]):
        domestic = self._domestic(
            rules, facts.origin.country, facts.destination.country, facts
        )
        return self._band(facts, rules, facts.journey_km, domestic)

    # --- events ------------------------------------------------------------------

    def _delay(self, facts: Facts, rules: dict[str, Any], outcome: Outcome) -> None:
        self._delay_care(facts, rules, outcome)
        delay = facts.arrival_delay_minutes or 0.0
        if delay < rules["delay_compensation_minutes"]:
            self.refuse(
                outcome,
                "below_threshold",
                "below_threshold",
                Kind.COMPENSATION,
                delay=minutes(delay),
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
        text = render(
            self.book.message("compensation_delay"),
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
        text = render(
            self.book.message("compensation_cancellation"),
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
        text = render(
            self.book.message("compensation_denied_boarding"),
            money=money(Decimal(band["amount"]), rules["currency"]),
            km=kilometres(facts.journey_km),
        )
        self._rerouted_compensation(
            facts, rules, outcome, band, text, "compensation_denied_boarding"
        )

    def _downgrade(self, facts: Facts, rules: dict[str, Any], outcome: Outcome) -> None:
        segment = facts.segment
        km = great_circle_km(segment.origin, segment.destination)
        countries = (segment.origin.country, segment.destination.country)
        band = self._band(facts, rules, km, self._domestic(rules, *countries, facts))
        overseas = rules.get("downgrade_overseas_territory")
        if overseas and band["id"] == rules["domestic_long_band"]:
            # Art. 10(2)(c): between the European territory and a French overseas
            # department, exactly one end lies overseas.
            ends_overseas = [
                territories().contains(overseas, c, facts.flight_date)
                for c in countries
            ]
            if ends_overseas.count(True) == 1:
                band = rules["bands"][-1]
        percent = Decimal(band["downgrade_percent"])
        fare = facts.event.segment_fare
        amount = fare.amount * percent / HUNDRED if fare else None
        key = "downgrade" if fare else "downgrade_no_fare"
        text = render(
            self.book.message(key),
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
        if cause is None or cause.value not in rules["extraordinary_causes"]:
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
            text = render(
                self.book.message(basis.split("+")[0]),
                money=money(amount, rules["currency"]),
                notice=period(self._notice(facts)),
                km=kilometres(facts.journey_km),
            )
            text = join(text, self._reduction_text(rules, band))
            basis = f"{basis}+reduction_rerouting"
        self._grant_compensation(facts, rules, outcome, amount, basis, text)

    def _reduction_text(self, rules: dict[str, Any], band: dict[str, Any]) -> Text:
        return render(
            self.book.message("reduction"),
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
                render(self.book.message(refund_key)),
                amount=fare.amount if fare else None,
                currency=fare.currency if fare else None,
                cumulative=False,
            )
        )
        outcome.grant(
            self.entitlement(
                facts,
                rules,
                Kind.REROUTING,
                "rerouting",
                "rerouting",
                render(self.book.message("rerouting")),
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
        segment = facts.segment
        countries = (segment.origin.country, segment.destination.country)
        band = self._band(
            facts, rules, facts.segment_km, self._domestic(rules, *countries, facts)
        )
        if delay < band["limit_minutes"]:
            return
        meals = render(
            self.book.message("care_meals_delay"),
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
                    render(self.book.message("refund_delay")),
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
        items = [
            (
                "care.meals",
                "care_meals",
                meals or render(self.book.message("care_meals")),
            ),
            ("care.calls", "care_calls", render(self.book.message("care_calls"))),
        ]
        if facts.overnight:
            items.append(
                ("care.hotel", "care_hotel", render(self.book.message("care_hotel")))
            )
        for code, basis, text in items:
            outcome.grant(
                self.entitlement(
                    facts,
                    rules,
                    Kind.CARE,
                    code,
                    f"{trigger}+{basis}",
                    text,
                    cumulative=True,
                )
            )
