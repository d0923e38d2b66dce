"""The remedy moments that owe a notification, read from the case timeline.

- ``remedy.offered``: the passenger is told what is offered, until when, and where
  to accept or decline it (the portal's page of the case);
- ``remedy.proposed`` of an offer over the proposer's limit: the supervisor of the
  case's department is asked to approve it (comms picks the supervisor). The
  offers of one batch (``offers_batch``: one proposer, one gesture) make one
  request per department instead, on the batch's first case there, with the count,
  the total and the link to the approvals list.

Each moment is notified once (the key is the offer's id, or the batch's), whatever
repeats the event. The texts are written in the case's language, as comms sends
them; the links are absolute, from ``PAXCARE_PUBLIC_URL``.
"""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from paxcare.cases.models import Event
from paxcare.comms.models import Purpose
from paxcare.comms.services import Moment, queue_notifications
from paxcare.money import format_amount
from paxcare.public import public_url
from paxcare.remedies.models import OfferKind
from paxcare.remedies.services import RemedyEvent
from paxcare.remedies.timeline import choice_label


def on_events_recorded(sender, events: list[Event], **kwargs) -> None:
    """Queue the notifications that the recorded remedy events owe."""
    moments = []
    batches: dict[tuple, list[Event]] = defaultdict(list)
    for event in events:
        if event.type == RemedyEvent.OFFERED:
            moments.append(_offer_moment(event))
        elif event.type == RemedyEvent.PROPOSED and event.data.get("needs_approval"):
            # One approver per department: a batch asks each department once.
            group = (event.data.get("batch"), event.case.department_id)
            batches[group].append(event)
    for (batch, _department), waiting in batches.items():
        if batch is None or len(waiting) == 1:
            moments += [_approval_moment(event) for event in waiting]
        else:
            moments.append(_batch_approval_moment(batch, waiting))
    if moments:
        queue_notifications(moments)


def _offer_moment(event: Event) -> Moment:
    case, data = event.case, event.data
    context = _money(data)
    context["offer_text"] = _summary(case.language, data)
    context["accept_url"] = public_url(reverse("portal:case", args=[case.number]))
    if data.get("expires_at"):
        expires = datetime.fromisoformat(data["expires_at"])
        context["expires"] = expires.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime(
            "%Y-%m-%d %H:%M"
        )
    return Moment(
        case=case, purpose=Purpose.OFFER, key=f"offer:{data['offer']}", context=context
    )


def _approval_moment(event: Event) -> Moment:
    case, data = event.case, event.data
    context = _money(data)
    context["offer_text"] = _summary(settings.LANGUAGE_CODE, data)
    context["console_url"] = public_url(reverse("console:case", args=[case.number]))
    if event.actor_id is not None:
        actor = event.actor
        context["requester"] = actor.get_full_name() or actor.get_username()
    return Moment(
        case=case,
        purpose=Purpose.APPROVAL_REQUEST,
        key=f"offer:{data['offer']}",
        context=context,
    )


def _batch_approval_moment(batch: int, events: list[Event]) -> Moment:
    """Ask for one approval of the offers a batch proposed on many cases."""
    first = events[0]
    count = len(events)
    context = _money(_total(events))
    with translation.override(settings.LANGUAGE_CODE):
        each = _each(first.data)
        context["offer_text"] = ngettext(
            "%(count)d offer proposed together, one per case: %(each)s each",
            "%(count)d offers proposed together, one per case: %(each)s each",
            count,
        ) % {"count": count, "each": each}
    approvals = reverse("remedies:console_home") + "#approvals"
    context["console_url"] = public_url(approvals)
    context["offer_count"] = count
    if first.actor_id is not None:
        actor = first.actor
        context["requester"] = actor.get_full_name() or actor.get_username()
    return Moment(
        case=first.case,
        purpose=Purpose.APPROVAL_REQUEST,
        key=f"batch:{batch}",
        context=context,
    )


def _total(events: list[Event]) -> dict:
    """Return the amount of all the batch's offers (one draft: one currency)."""
    data = events[0].data
    if data.get("amount") is None:
        return {}
    total = sum((Decimal(e.data["amount"]) for e in events), Decimal(0))
    return {"amount": str(total), "currency": data["currency"]}


def _each(data: dict) -> str:
    """Return one offer of a batch in words: "voucher, 150.00 USD", "miles: 8,000"."""
    kind = choice_label(OfferKind, data.get("kind"))
    if data.get("miles"):
        return f"{kind}: {data['miles']:,}"
    if data.get("amount") is None:
        return kind
    amount = format_amount(data["amount"], data["currency"])
    return _("%(kind)s, %(amount)s %(currency)s") % {
        "kind": kind,
        "amount": amount,
        "currency": data["currency"],
    }


def _money(data: dict) -> dict:
    if data.get("amount") is None:
        return {}
    return {
        "amount": format_amount(data["amount"], data["currency"]),
        "currency": data["currency"],
    }


def _summary(language: str, data: dict) -> str:
    """Return what is offered, in words ("voucher", "miles: 8,000"); the amount and
    currency go to the template's own variables."""
    with translation.override(language or settings.LANGUAGE_CODE):
        kind = choice_label(OfferKind, data.get("kind"))
        if data.get("miles"):
            return f"{kind}: {data['miles']:,}"
        return kind
