"""The remedy moments that owe a notification, read from the case timeline.

- ``remedy.offered``: the passenger is told what is offered, until when, and where
  to accept or decline it (the portal's page of the case);
- ``remedy.proposed`` of an offer over the proposer's limit: the supervisor of the
  case's department is asked to approve it (comms picks the supervisor).

Each moment is notified once per offer (the key is the offer's id), whatever
repeats the event. The texts are written in the case's language, as comms sends
them; the links are absolute, from ``PAXCARE_PUBLIC_URL``.
"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from paxcare.cases.models import Event
from paxcare.comms.models import Purpose
from paxcare.comms.services import Moment, queue_notifications
from paxcare.public import public_url
from paxcare.remedies.models import OfferKind
from paxcare.remedies.services import RemedyEvent
from paxcare.remedies.timeline import choice_label


def on_events_recorded(sender, events: list[Event], **kwargs) -> None:
    """Queue the notifications that the recorded remedy events owe."""
    moments = []
    for event in events:
        if event.type == RemedyEvent.OFFERED:
            moments.append(_offer_moment(event))
        elif event.type == RemedyEvent.PROPOSED and event.data.get("needs_approval"):
            moments.append(_approval_moment(event))
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


def _money(data: dict) -> dict:
    if data.get("amount") is None:
        return {}
    return {"amount": f"{Decimal(data['amount']):,.2f}", "currency": data["currency"]}


def _summary(language: str, data: dict) -> str:
    """Return what is offered, in words ("voucher", "miles: 8,000"); the amount and
    currency go to the template's own variables."""
    with translation.override(language or settings.LANGUAGE_CODE):
        kind = choice_label(OfferKind, data.get("kind"))
        if data.get("miles"):
            return f"{kind}: {data['miles']:,}"
        return kind
