"""The published policy: what passengers are entitled to, and how to claim.

Every figure on the page comes from the rule data in force on the day (the regime
files under ``rules/``) and from the goodwill rules in the database, so the page
changes with the data; the sentences around the figures are translated strings.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from paxcare.remedies.engine.rules import rule_book
from paxcare.remedies.models import CauseKind, EventKind, GoodwillRule, OfferKind
from paxcare.remedies.services import goodwill_rules_in_force


def _language() -> str:
    return "zh" if (get_language() or "").startswith("zh") else "en"


def _hours(minutes: int | float) -> str:
    hours = Decimal(minutes) / 60
    return f"{hours:.0f}" if hours == hours.to_integral_value() else f"{hours:.1f}"


def _money(amount: str | Decimal, currency: str) -> str:
    value = Decimal(amount)
    if value == value.to_integral_value():
        return f"{currency} {value:,.0f}"
    return f"{currency} {value:,.2f}"


def published_policy(on: date) -> dict[str, Any]:
    """Return the page's sections for the rules in force on ``on``."""
    sections = []
    for regime, build in (
        ("eu261", _eu_style),
        ("uk261", _eu_style),
        ("appr", _appr),
        ("us_dot", _us_dot),
        ("caac", _caac),
        ("montreal", _montreal),
    ):
        book = rule_book(regime)
        rules = book.version_on(on)
        if rules is None:
            continue
        sections.append(
            {
                "regime": regime,
                "title": book.title[_language()],
                "version": rules["version"],
                "items": build(rules),
            }
        )
    return {"on": on, "sections": sections, "goodwill": goodwill_lines(on)}


def _eu_style(rules: dict[str, Any]) -> list[str]:
    currency = rules["currency"]
    a, b, c = rules["bands"]
    causes = ", ".join(
        str(CauseKind(cause).label) for cause in rules["extraordinary_causes"]
    )
    notice = rules["notice"]["full_days"]
    return [
        _("Covers %(scope)s.") % {"scope": rules["scope"][_language()]},
        _(
            "Compensation when the final destination is reached %(hours)s hours or "
            "more late, when a flight is cancelled less than %(days)s days before "
            "departure, or when boarding is denied against your will: %(a)s for "
            "flights up to %(a_km)s km, %(b)s up to %(b_km)s km (and for longer "
            "flights within the area), %(c)s beyond."
        )
        % {
            "hours": _hours(rules["delay_compensation_minutes"]),
            "days": notice,
            "a": _money(a["amount"], currency),
            "a_km": f"{a['max_km']:,}",
            "b": _money(b["amount"], currency),
            "b_km": f"{b['max_km']:,}",
            "c": _money(c["amount"], currency),
        },
        _(
            "The compensation may be halved when the new flight arrives no more than "
            "%(a)s, %(b)s or %(c)s hours late, by distance."
        )
        % {
            "a": _hours(a["limit_minutes"]),
            "b": _hours(b["limit_minutes"]),
            "c": _hours(c["limit_minutes"]),
        },
        _(
            "No compensation when extraordinary circumstances caused the disruption: "
            "%(causes)s. Technical faults and strikes of the airline's own staff are "
            "not extraordinary."
        )
        % {"causes": causes},
        _(
            "Meals, refreshments and two calls or messages while you wait (from "
            "%(a)s, %(b)s or %(c)s hours by distance), and a hotel with transport "
            "when the new departure is on a later day."
        )
        % {
            "a": _hours(a["limit_minutes"]),
            "b": _hours(b["limit_minutes"]),
            "c": _hours(c["limit_minutes"]),
        },
        _(
            "A refund within 7 days or rerouting, your choice, after a cancellation "
            "or denied boarding, and a refund after a delay of %(hours)s hours or more."
        )
        % {"hours": _hours(rules["refund_delay_minutes"])},
        _(
            "Placed in a lower class: %(a)s%%, %(b)s%% or %(c)s%% of that flight's "
            "fare back, by distance."
        )
        % {
            "a": a["downgrade_percent"],
            "b": b["downgrade_percent"],
            "c": c["downgrade_percent"],
        },
    ]


def _appr(rules: dict[str, Any]) -> list[str]:
    items = [
        _("Covers every flight to, from and within Canada."),
    ]
    denied = rules["denied_boarding"]
    items.append(
        _(
            "Denied boarding for a reason within the airline's control: CAD "
            "%(a)s if you arrive less than %(a_h)s hours late, CAD %(b)s if less "
            "than %(b_h)s hours, CAD %(c)s beyond."
        )
        % {
            "a": f"{Decimal(denied[0]['amount']):,.0f}",
            "a_h": _hours(denied[0]["below_minutes"]),
            "b": f"{Decimal(denied[1]['amount']):,.0f}",
            "b_h": _hours(denied[1]["below_minutes"]),
            "c": f"{Decimal(denied[2]['amount']):,.0f}",
        }
    )
    bands = rules.get("delay_compensation")
    if bands:
        for size, label in (
            ("large", _("a large airline")),
            ("small", _("a small airline")),
        ):
            rows = bands[size]
            items.append(
                _(
                    "Delay or cancellation within the airline's control and not "
                    "required for safety, from %(who)s: CAD %(a)s from %(a_h)s hours "
                    "late at the destination, CAD %(b)s from %(b_h)s hours, CAD %(c)s "
                    "from %(c_h)s hours."
                )
                % {
                    "who": label,
                    "a": f"{Decimal(rows[0]['amount']):,.0f}",
                    "a_h": _hours(rows[0]["from_minutes"]),
                    "b": f"{Decimal(rows[1]['amount']):,.0f}",
                    "b_h": _hours(rows[1]["from_minutes"]),
                    "c": f"{Decimal(rows[2]['amount']):,.0f}",
                    "c_h": _hours(rows[2]["from_minutes"]),
                }
            )
        items.append(
            _(
                "Food, drink and a means of communication after %(hours)s hours of "
                "waiting, a hotel when the wait runs overnight, and a new flight or a "
                "refund."
            )
            % {"hours": _hours(rules["care_delay_minutes"])}
        )
        items.append(
            _(
                "Claim the compensation within %(years)s year of the flight; the "
                "airline pays or explains its refusal within %(days)s days."
            )
            % {"years": rules["claim_window_years"], "days": rules["claim_answer_days"]}
        )
    return items


def _us_dot(rules: dict[str, Any]) -> list[str]:
    dbc = rules["dbc"]
    items = [
        _(
            "Denied boarding against your will on a flight from the United States: "
            "nothing if the new flight arrives within %(free)s hour; %(double)s%% of "
            "the one-way fare (at most %(cap2)s) if it arrives within %(dom)s hours "
            "(domestic) or %(intl)s hours (international); %(quad)s%% (at most "
            "%(cap4)s) beyond."
        )
        % {
            "free": _hours(dbc["no_compensation_max_minutes"]),
            "double": dbc["double_percent"],
            "cap2": _money(dbc["caps"]["double"], "USD"),
            "dom": _hours(dbc["double_max_minutes"]["domestic"]),
            "intl": _hours(dbc["double_max_minutes"]["international"]),
            "quad": dbc["quadruple_percent"],
            "cap4": _money(dbc["caps"]["quadruple"], "USD"),
        },
        _("Lost, damaged or delayed bags on a domestic journey: at least %(limit)s.")
        % {"limit": _money(rules["baggage_limit"], "USD")},
    ]
    part260 = rules.get("part260")
    if part260:
        items.append(
            _(
                "An automatic refund when a flight is cancelled, or changed by "
                "%(dom)s hours or more (domestic) or %(intl)s hours or more "
                "(international), and you do not travel."
            )
            % {
                "dom": _hours(part260["significant_change_minutes"]["domestic"]),
                "intl": _hours(part260["significant_change_minutes"]["international"]),
            }
        )
        hours = part260["bag_fee_hours"]
        items.append(
            _(
                "The checked-bag fee back when the bag comes more than %(dom)s hours "
                "after a domestic flight, %(short)s hours after an international "
                "flight of up to %(long)s hours, or %(long_h)s hours after a longer "
                "one."
            )
            % {
                "dom": hours["domestic"],
                "short": hours["international_short"],
                "long": part260["long_flight_hours"],
                "long_h": hours["international_long"],
            }
        )
    return items


def _caac(rules: dict[str, Any]) -> list[str]:
    items = [
        _(
            "Covers flights to, from and within mainland China, and flights of "
            "airlines licensed there."
        ),
        _(
            "The airline publishes a delay or cancellation and its cause within "
            "%(minutes)s minutes of learning of it."
        )
        % {"minutes": rules["information_minutes"]},
        _(
            "When the airline caused the delay (maintenance, crew, scheduling), meals "
            "and, overnight, a hotel at its cost; for weather, air traffic control, "
            "security and other causes, the airline helps arrange them at your cost. "
            "At an intermediate stop of a domestic flight they are at the airline's "
            "cost whatever the cause."
        ),
        _("Checked bags on a domestic journey: up to %(per_kg)s per kilogram.")
        % {"per_kg": _money(rules["domestic_baggage_per_kg"], "CNY")},
    ]
    refund = rules.get("involuntary_refund")
    if refund:
        items.append(
            _(
                "An involuntary refund without fees, completed within %(days)s working "
                "days."
            )
            % {"days": refund["refund_working_days"]}
        )
    days = rules.get("complaint_answer_working_days")
    if days:
        items.append(
            _(
                "Complaints are answered within %(days)s working days of receipt, "
                "counted on China's working days."
            )
            % {"days": days}
        )
    return items


def _montreal(rules: dict[str, Any]) -> list[str]:
    return [
        _(
            "Covers international journeys between the states that joined the "
            "Convention."
        ),
        _(
            "Lost, damaged or delayed bags: proven losses up to %(limit)s Special "
            "Drawing Rights per passenger, unless you declared a higher value. "
            "Delay of the passenger: proven damage up to %(delay)s Special Drawing "
            "Rights."
        )
        % {
            "limit": f"{Decimal(rules['baggage_limit']):,.0f}",
            "delay": f"{Decimal(rules['delay_limit']):,.0f}",
        },
        _(
            "Complain in writing within %(damage)s days of receiving a damaged bag "
            "and within %(delay)s days of receiving a delayed one. A bag that has not "
            "arrived %(lost)s days after it should have counts as lost."
        )
        % {
            "damage": rules["damage_complaint_days"],
            "delay": rules["delay_complaint_days"],
            "lost": rules["lost_after_days"],
        },
        _("Legal action must be brought within %(years)s years of the arrival.")
        % {"years": rules["action_years"]},
    ]


def goodwill_lines(on: date) -> list[str]:
    """Return one sentence per goodwill rule in force on ``on``."""
    return [goodwill_line(rule) for rule in goodwill_rules_in_force(on)]


def goodwill_line(rule: GoodwillRule) -> str:
    """Say what a goodwill rule gives, and when: "Delay of 2-4 hours: voucher ..."."""
    event = str(EventKind(rule.event_type).label)
    if rule.max_delay_minutes is not None:
        when = _("%(event)s of %(low)s to %(high)s hours") % {
            "event": event,
            "low": _hours(rule.min_delay_minutes),
            "high": _hours(rule.max_delay_minutes),
        }
    elif rule.min_delay_minutes:
        when = _("%(event)s of %(low)s hours or more") % {
            "event": event,
            "low": _hours(rule.min_delay_minutes),
        }
    else:
        when = event
    if rule.cabin:
        when = _("%(when)s, %(cabin)s cabin") % {
            "when": when,
            "cabin": rule.get_cabin_display(),
        }
    if rule.miles:
        what = _("%(miles)s miles") % {"miles": f"{rule.miles:,}"}
    else:
        what = str(OfferKind(rule.kind).label)
        if rule.amount is not None:
            what = f"{what} {_money(rule.amount, rule.currency)}"
    line = capfirst(f"{when}: {what}")
    return f"{line} ({rule.note})" if rule.note else line
