"""One line for each remedies event on a case's timeline, in the active language."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from paxcare.cases.models import Event
from paxcare.money import format_amount
from paxcare.remedies.models import EventKind, OfferKind
from paxcare.remedies.services import RemedyEvent


def describe_remedies_event(event: Event) -> str | None:
    """Return the line for a remedies event, or None for another app's event."""
    kind, data = event.type, event.data
    if kind == RemedyEvent.FACTS_SAVED:
        return _("Trip facts saved: %(event)s, %(flights)s.") % {
            "event": choice_label(EventKind, data.get("event_type")),
            "flights": ", ".join(data.get("flights", [])) or "—",
        }
    if kind in (RemedyEvent.STEP_DONE, RemedyEvent.STEP_UNDONE):
        return _step(kind, data)
    texts = {
        RemedyEvent.PROPOSED: _("Remedy proposed: %(offer)s."),
        RemedyEvent.APPROVED: _("Remedy approved: %(offer)s."),
        RemedyEvent.OFFERED: _("Remedy offered to the passenger: %(offer)s."),
        RemedyEvent.ACCEPTED: _("The passenger accepted: %(offer)s."),
        RemedyEvent.EXPIRED: _("Offer expired: %(offer)s."),
        RemedyEvent.PAID: _("Remedy paid: %(offer)s, reference %(reference)s."),
    }
    if kind == RemedyEvent.DECLINED:
        text = (
            _("The passenger declined: %(offer)s.")
            if data.get("by") == "passenger"
            else _("Approval refused: %(offer)s.")
        )
        return text % {"offer": offer_summary(data)}
    if kind == RemedyEvent.PROPOSED and data.get("needs_approval"):
        return _("Remedy proposed, waiting for approval: %(offer)s.") % {
            "offer": offer_summary(data)
        }
    if kind == RemedyEvent.APPROVED and data.get("automatic"):
        return _("Remedy approved within the proposer's limit: %(offer)s.") % {
            "offer": offer_summary(data)
        }
    text = texts.get(kind)
    if text is None:
        return None
    return text % {
        "offer": offer_summary(data),
        "reference": data.get("reference", ""),
    }


def offer_summary(data: dict) -> str:
    """Return "voucher, CNY 400.00" or "miles, 8,000" from an offer's event data."""
    parts = [choice_label(OfferKind, data.get("kind"))]
    if data.get("amount") is not None:
        currency = data.get("currency", "")
        parts.append(f"{currency} {format_amount(data['amount'], currency)}")
    if data.get("miles"):
        parts.append(f"{data['miles']:,}")
    return ", ".join(parts)


def _step(kind: str, data: dict) -> str:
    titles = data.get("title") or {}
    language = "zh" if (get_language() or "").startswith("zh") else "en"
    title = titles.get(language) or titles.get("en") or data.get("code", "")
    if kind == RemedyEvent.STEP_UNDONE:
        return _("Playbook step reopened: %(step)s.") % {"step": title}
    text = _("Playbook step done: %(step)s.") % {"step": title}
    if data.get("note"):
        text += " " + _("Note: %(note)s") % {"note": data["note"]}
    return text


def choice_label(choices, value) -> str:
    """Return the label of a choice in the active language, or the value itself."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "—")
