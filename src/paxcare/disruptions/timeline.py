"""The entries a disruption writes on its cases' timelines, and how staff read them."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from paxcare.disruptions.models import DisruptionKind
from paxcare.money import format_amount
from paxcare.remedies.names import owed_text


class DisruptionEvent(models.TextChoices):
    CASE_OPENED = "disruption.case_opened"
    LINKED = "disruption.linked"
    UPDATED = "disruption.updated"
    GOODWILL = "disruption.goodwill"


def owed_summary(entitlements: list[dict]) -> list[list[str]]:
    """Return ``[[code, amount, currency], ...]`` of the money in ``entitlements``."""
    return [
        [e["code"], e["amount"], e["currency"]]
        for e in entitlements
        if e["amount"] is not None and e["kind"] in ("compensation", "refund")
    ]


def _kind(value) -> str:
    try:
        return str(DisruptionKind(value).label)
    except ValueError:
        return str(value or "—")


def _owed(data: dict) -> str:
    owed = data.get("owed") or []
    if not owed:
        return _("no money owed")
    separator = pgettext("list of entitlements", "; ")
    return separator.join(
        owed_text(code, amount, currency) for code, amount, currency in owed
    )


def describe_disruption_event(event) -> str | None:
    """Return one line that says what a disruption event did; None for others."""
    if not event.type.startswith("disruption."):
        return None
    return describe_disruption_data(event.type, event.data)


def describe_case_opening(data: dict) -> str:
    """Return the line for the disruption a case was opened for.

    A case the disruption opened records it on its ``case.created`` event, under
    ``"disruption"``, with the data a ``disruption.case_opened`` event had.
    """
    return describe_disruption_data(DisruptionEvent.CASE_OPENED, data)


def describe_disruption_data(kind: str, data: dict) -> str:
    """Return one line for a disruption entry of type ``kind`` with ``data``."""
    values = {
        "flight": data.get("flight", ""),
        "kind": _kind(data.get("kind")),
        "version": data.get("version", ""),
        "owed": _owed(data),
    }
    if kind == DisruptionEvent.CASE_OPENED:
        return (
            _("Opened for the %(kind)s of flight %(flight)s; owed: %(owed)s.") % values
        )
    if kind == DisruptionEvent.LINKED:
        return (
            _("Joined to the %(kind)s of flight %(flight)s; owed: %(owed)s.") % values
        )
    if kind == DisruptionEvent.UPDATED and data.get("reason") == "manifest":
        return (
            _(
                "Reassessed after the passenger's booking changed (flight "
                "%(flight)s); owed now: %(owed)s."
            )
            % values
        )
    if kind == DisruptionEvent.UPDATED and data.get("old_kind") == data.get("kind"):
        return (
            _(
                "Flight %(flight)s updated (version %(version)s, still %(kind)s); "
                "owed now: %(owed)s."
            )
            % values
        )
    if kind == DisruptionEvent.UPDATED:
        values["old"] = _kind(data.get("old_kind"))
        return (
            _(
                "Flight %(flight)s updated (version %(version)s, %(old)s to "
                "%(kind)s); owed now: %(owed)s."
            )
            % values
        )
    if kind == DisruptionEvent.GOODWILL and data.get("form") == "miles":
        return _("Goodwill gesture for flight %(flight)s: %(miles)s miles.") % {
            "flight": data.get("flight", ""),
            "miles": f"{Decimal(data.get('amount') or 0):,.0f}",
        }
    if kind == DisruptionEvent.GOODWILL:
        return _("Goodwill gesture for flight %(flight)s: %(amount)s %(currency)s.") % {
            "flight": data.get("flight", ""),
            "amount": _amount(data.get("amount"), data.get("currency") or ""),
            "currency": data.get("currency", ""),
        }
    return kind


def _amount(amount, currency: str) -> str:
    """Return the stored amount as readers see amounts ("1,000 JPY", not 1000.00)."""
    try:
        return format_amount(amount, currency)
    except (ArithmeticError, TypeError, ValueError):
        return str(amount or "")
