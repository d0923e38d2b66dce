"""The Montreal Convention 1999: liability limits and the deadlines that guard them.

It governs international carriage between States Parties: the first origin and the
final destination in two States Parties, or both in one with a stop in another.
Canada's APPR applies the same baggage limits to domestic Canadian journeys.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ..engine.facts import Facts, Outcome, local_date
from ..engine.memo import remember
from ..engine.reference import territories
from ..engine.rules import rule_book, version_on
from ..engine.text import join, money
from ..engine.types import Deadline, Entitlement, EventType, Kind
from .appr import _add_years
from .base import MEMO_SIZE, Regime

BAG_KEYS = {
    EventType.BAGGAGE_LOSS: "baggage_loss",
    EventType.BAGGAGE_DAMAGE: "baggage_damage",
    EventType.BAGGAGE_DELAY: "baggage_delay",
}


class Montreal(Regime):
    def __init__(self) -> None:
        super().__init__("montreal")

    def assess_into(self, facts: Facts, outcome: Outcome) -> None:
        rules = version_on(self.regime, facts.flight_date)
        event = facts.event.type
        if rules is None:
            # Scope first: a journey within one State (but a Canadian one's bags)
            # is never the Convention's, so it is out of scope, not merely early;
            # an international one is before its time, whichever States join later.
            canadian_bags = event in BAG_KEYS and self._domestic_canada(facts)
            if not (self._between_states(facts) or canadian_bags):
                self.refuse(outcome, "out_of_scope", "out_of_scope")
                return
            self.refuse(outcome, "not_in_force", "not_in_force", date=facts.flight_date)
            return
        international = self._international(facts, rules)
        canadian = not international and self._domestic_canada(facts)
        if not international and not (canadian and event in BAG_KEYS):
            self.refuse(outcome, "out_of_scope", "out_of_scope")
            return
        if event in BAG_KEYS:
            self._baggage(facts, rules, outcome, canadian)
        elif event is EventType.DELAY and (facts.arrival_delay_minutes or 0) > 0:
            self._limit(facts, rules, outcome, "delay", rules["delay_limit"])
        else:
            self.refuse(outcome, "not_covered", "not_covered")
            return
        self._action(facts, rules, outcome)

    def _international(self, facts: Facts, rules: dict[str, Any]) -> bool:
        """Say whether the journey is international carriage under the Convention.

        The answer follows from the countries alone once the territories have
        settled (``Territories.settled``), so it is kept per itinerary's countries.
        """
        table, on = territories(), facts.flight_date
        key: tuple = ("international", rules["version"], facts.countries)
        if on < table.settled:
            key += (on,)
        memo = rule_book(self.regime).memo
        found = memo.get(key)
        if found is None:
            found = remember(memo, key, self._crosses_borders(facts, rules), MEMO_SIZE)
        return found

    def _crosses_borders(self, facts: Facts, rules: dict[str, Any]) -> bool:
        table, on = territories(), facts.flight_date
        sovereign, countries = table.sovereign, facts.countries
        first = sovereign.get(countries[0], countries[0])
        last = sovereign.get(countries[-1], countries[-1])
        party = rules["territory"]
        if party not in table.zones(first, on) or party not in table.zones(last, on):
            return False
        return self._between_states(facts)

    def _between_states(self, facts: Facts) -> bool:
        """Say whether the journey leaves its State: other ends, or a foreign stop."""
        sovereign, countries = territories().sovereign, facts.countries
        first = sovereign.get(countries[0], countries[0])
        return any(sovereign.get(c, c) != first for c in countries[1:])

    def _domestic_canada(self, facts: Facts) -> bool:
        return "CA" in facts.everywhere

    def _baggage(
        self, facts: Facts, rules: dict[str, Any], outcome: Outcome, canadian: bool
    ) -> None:
        event = facts.event
        key = BAG_KEYS[event.type]
        basis = f"{key}+domestic_canada" if canadian else key
        self._limit(facts, rules, outcome, key, rules["baggage_limit"], basis, canadian)
        if event.type is EventType.BAGGAGE_DAMAGE:
            self._complaint(
                facts, rules, outcome, "damage", rules["damage_complaint_days"]
            )
        elif event.type is EventType.BAGGAGE_DELAY:
            if event.delivered_at is None:
                self._lost_after(facts, rules, outcome)
            else:
                self._complaint(
                    facts, rules, outcome, "delay", rules["delay_complaint_days"]
                )

    def _limit(
        self,
        facts: Facts,
        rules: dict[str, Any],
        outcome: Outcome,
        key: str,
        limit: str,
        basis: str | None = None,
        canadian: bool = False,
    ) -> None:
        """Grant the version's liability ``limit`` (a decimal string) for ``key``."""
        memo_key = ("limit", rules["version"], facts.carrier.code, key, basis, canadian)
        outcome.grant(
            self.once(
                memo_key,
                lambda: self._limit_entitlement(
                    facts, rules, key, Decimal(limit), basis, canadian
                ),
            )
        )

    def _limit_entitlement(
        self,
        facts: Facts,
        rules: dict[str, Any],
        key: str,
        limit: Decimal,
        basis: str | None,
        canadian: bool,
    ) -> Entitlement:
        text = self.text(key, money=money(limit, "XDR"), limit=f"{limit:,.0f}")
        if canadian:
            text = join(text, self.text("domestic_canada"))
        return self.entitlement(
            facts,
            rules,
            Kind.LIABILITY_LIMIT,
            f"{key}_limit",
            basis or key,
            text,
            amount=limit,
            currency=rules["currency"],
            cumulative=True,
        )

    def _complaint(
        self,
        facts: Facts,
        rules: dict[str, Any],
        outcome: Outcome,
        what: str,
        days: int,
    ) -> None:
        event = facts.event
        starts_on = event.delivered_at.date() if event.delivered_at else None
        due = starts_on + timedelta(days=days) if starts_on else None
        status = None
        if due is None:
            text = self.text("complaint_unknown", days=days)
        else:
            text = self.text(f"complaint_{what}", days=days, due=due.isoformat())
        if due is not None and event.complained_at is not None:
            complained = event.complained_at.date()
            status = "met" if complained <= due else "missed"
            text = join(
                text, self.text(f"complaint_{status}", on=complained.isoformat())
            )
        deadline = Deadline(
            party="passenger",
            action="written_complaint",
            period=days,
            unit="days",
            starts="bag_received" if what == "damage" else "bag_delivered",
            starts_on=starts_on,
            due_on=due,
            status=status,
        )
        outcome.grant(
            self.entitlement(
                facts,
                rules,
                Kind.CLAIM_DEADLINE,
                f"complaint_{what}",
                f"complaint_{what}",
                text,
                cumulative=True,
                deadline=deadline,
            )
        )

    def _lost_after(
        self, facts: Facts, rules: dict[str, Any], outcome: Outcome
    ) -> None:
        days = rules["lost_after_days"]
        starts_on = self._arrival_date(facts)
        due = starts_on + timedelta(days=days)
        outcome.grant(
            self.entitlement(
                facts,
                rules,
                Kind.CLAIM_DEADLINE,
                "lost_after",
                "lost_after",
                self.text("lost_after", days=days, due=due.isoformat()),
                cumulative=True,
                deadline=Deadline(
                    party="passenger",
                    action="claim_as_lost",
                    period=days,
                    unit="days",
                    starts="scheduled_arrival",
                    starts_on=starts_on,
                    due_on=due,
                ),
            )
        )

    def _action(self, facts: Facts, rules: dict[str, Any], outcome: Outcome) -> None:
        starts_on = self._arrival_date(facts)
        # The period follows from the version, the carrier and the arrival day
        # alone, and the passengers of one flight share all three.
        key = ("action", rules["version"], facts.carrier.code, starts_on)
        outcome.grant(
            self.once(key, lambda: self._action_entitlement(facts, rules, starts_on))
        )

    def _action_entitlement(
        self, facts: Facts, rules: dict[str, Any], starts_on: date
    ) -> Entitlement:
        years = rules["action_years"]
        due = _add_years(starts_on, years)
        return self.entitlement(
            facts,
            rules,
            Kind.CLAIM_DEADLINE,
            "action",
            "action",
            self.text("action", years=years, due=due.isoformat()),
            cumulative=True,
            deadline=Deadline(
                party="passenger",
                action="legal_action",
                period=years,
                unit="years",
                starts="arrival",
                starts_on=starts_on,
                due_on=due,
            ),
        )

    def _arrival_date(self, facts: Facts) -> date:
        arrived = facts.event.actual_arrival or facts.scheduled_arrival
        return local_date(arrived, facts.destination)
