"""How regimes, entitlements and legal citations read, in the active language.

The engine's answers hold codes (``us_dot``, ``us_dot.refund``) and citations built
from the rule data, in English. Pages, timelines and summaries show these names
instead, so that a code never reaches a person and a Chinese page stays Chinese.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from paxcare.money import format_amount

REGIMES = {
    "eu261": gettext_lazy("EU Regulation 261/2004"),
    "uk261": gettext_lazy("UK Regulation 261/2004"),
    "appr": gettext_lazy("Canada: Air Passenger Protection Regulations"),
    "us_dot": gettext_lazy("United States: DOT rules"),
    "caac": gettext_lazy("China: CAAC rules"),
    "montreal": gettext_lazy("Montreal Convention 1999"),
}
KINDS = {
    "compensation": gettext_lazy("compensation"),
    "refund": gettext_lazy("refund"),
    "care": gettext_lazy("care"),
    "rerouting": gettext_lazy("rerouting"),
    "liability_limit": gettext_lazy("liability limit"),
    "claim_deadline": gettext_lazy("deadline"),
}
# The entitlements whose code says more than their kind.
ITEMS = {
    "bag_fee": gettext_lazy("refund of the baggage fee"),
    "downgrade": gettext_lazy("refund for the downgrade"),
}

# The statutes a citation starts with (the rules' ``legal_prefix``); each keeps its
# official short name in English next to the translation.
STATUTES = {
    "Regulation (EC) No 261/2004": pgettext_lazy(
        "legal citation", "Regulation (EC) No 261/2004"
    ),
    "UK Regulation 261/2004 (retained, as amended by SI 2019/278)": pgettext_lazy(
        "legal citation", "UK Regulation 261/2004 (retained, as amended by SI 2019/278)"
    ),
    "Air Passenger Protection Regulations (SOR/2019-150)": pgettext_lazy(
        "legal citation", "Air Passenger Protection Regulations (SOR/2019-150)"
    ),
    "Montreal Convention 1999": pgettext_lazy(
        "legal citation", "Montreal Convention 1999"
    ),
    "US DOT": pgettext_lazy("legal citation", "US DOT"),
    "CAAC": pgettext_lazy("legal citation", "CAAC"),
}
# The prose in a citation's brackets; the rest (articles, sections, case numbers,
# the Chinese titles of Chinese rules) is cited as written.
PROSE = {
    "cancelled flight": pgettext_lazy("legal citation", "cancelled flight"),
    "significant change": pgettext_lazy("legal citation", "significant change"),
    "significant change: downgrade": pgettext_lazy(
        "legal citation", "significant change: downgrade"
    ),
    "significantly delayed bag": pgettext_lazy(
        "legal citation", "significantly delayed bag"
    ),
    "lost bag": pgettext_lazy("legal citation", "lost bag"),
    "arrival = door opening": pgettext_lazy("legal citation", "arrival = door opening"),
    "connections": pgettext_lazy("legal citation", "connections"),
    "as amended by SOR/2022-134": pgettext_lazy(
        "legal citation", "as amended by SOR/2022-134"
    ),
    "30 minutes": pgettext_lazy("legal citation", "30 minutes"),
    "10 working days": pgettext_lazy("legal citation", "10 working days"),
}
BRACKETED = re.compile(r" ?\(([^()]+)\)")


def regime_name(code: str) -> str:
    """Return the name of a regime (``montreal``: "Montreal Convention 1999")."""
    name = REGIMES.get(code)
    return str(name) if name is not None else code


def kind_name(code: str) -> str:
    """Return the name of a kind of entitlement (``liability_limit``)."""
    name = KINDS.get(code)
    return str(name) if name is not None else code


def entitlement_name(code: str) -> str:
    """Return what an entitlement code names: "refund under United States: DOT rules".

    The code is ``<regime>.<item>``, as the engine writes it; an unknown regime or
    item is shown as its code rather than hidden.
    """
    regime, _dot, item = (code or "").partition(".")
    if not item:
        return regime_name(regime)
    return _("%(item)s under %(regime)s") % {
        "item": _item_name(item),
        "regime": regime_name(regime),
    }


def _item_name(item: str) -> str:
    if item in ITEMS:
        return str(ITEMS[item])
    if item in KINDS:
        return kind_name(item)
    if item.startswith("care."):
        return kind_name("care")
    if item.endswith("_limit"):
        return kind_name("liability_limit")
    if item.startswith(("complaint_", "claim_")) or item in ("action", "lost_after"):
        return kind_name("claim_deadline")
    return item


def owed_text(code: str, amount: str | Decimal | None, currency: str | None) -> str:
    """Return "refund under United States: DOT rules (450.50 CNY)"."""
    name = entitlement_name(code)
    if amount is None:
        return name
    money = f"{format_amount(amount, currency or '')} {currency or ''}".strip()
    return _("%(entitlement)s (%(money)s)") % {"entitlement": name, "money": money}


def legal_citation(text: str) -> str:
    """Return a citation with its statute and bracketed prose in the active language.

    "US DOT, 14 CFR part 260 (cancelled flight)" reads in Chinese
    "美国交通部（US DOT），14 CFR part 260（航班取消）"; article numbers stay.
    """
    for english, name in STATUTES.items():
        if text == english or text.startswith(english + ", "):
            rest = text[len(english) + 2 :]
            text = str(name) + (pgettext("legal citation", ", ") + rest if rest else "")
            break
    return BRACKETED.sub(_bracketed, text)


def _bracketed(match: re.Match) -> str:
    prose = PROSE.get(match[1])
    if prose is None:
        return match[0]
    return pgettext("legal citation", " (%(prose)s)") % {"prose": prose}
