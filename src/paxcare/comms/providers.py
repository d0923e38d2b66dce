"""What a mail provider reports about our mail, through django-anymail's webhooks.

With a provider (``PAXCARE_EMAIL_BACKEND=anymail.backends.<esp>.EmailBackend``) the
provider's message id of each mail is kept on its notification (``provider_id``),
and the provider's tracking webhook (``paxcare.comms.urls``) turns its reports into
anymail's ``tracking`` signal, one normalised event each. They are matched to the
notification by that id (and to its recipient), and:

- ``delivered`` marks the notification delivered and says so on its case;
- ``bounced``, ``rejected`` and ``failed`` fail it, with the provider's words on the
  case, and flag the address as a hard bounce at SMTP time does: a bounce that is
  about the address (not a temporary one, a full mailbox, a message too big or a
  policy refusal of our mail, by its status code), a rejection of an invalid,
  bounced or unsubscribed address;
- ``complained`` (marked as spam) and ``unsubscribed`` are noted on the case and
  flag the address.

Providers post again when an answer is lost, so each report counts once: a failed
notification is not failed again, a delivered one not delivered again, and a
complaint or unsubscription is noted once per notification. Reports about mail we
did not send (another system on the same provider account) and the other event
types (queued, deferred, opened, clicked...) change nothing.
"""

import logging
import re

from anymail.signals import AnymailTrackingEvent, EventType, RejectReason
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from paxcare.cases.events import announce, build_event
from paxcare.cases.models import Event
from paxcare.comms.bounces import NOT_THE_ADDRESS
from paxcare.comms.events import CommsEvent
from paxcare.comms.models import (
    FlagReason,
    Notification,
    NotificationChannel,
    NotificationStatus,
)
from paxcare.comms.outbound import flag_contact, mask_address

logger = logging.getLogger(__name__)

FAILURES = frozenset({EventType.BOUNCED, EventType.REJECTED, EventType.FAILED})
# Reports of the recipient about mail that reached them, and the flag each sets.
REPORTS = {
    EventType.COMPLAINED: FlagReason.COMPLAINT,
    EventType.UNSUBSCRIBED: FlagReason.UNSUBSCRIBED,
}
# Why a provider refused to send, and the flag it sets; other reasons (its policy,
# spam filters, time-outs) say nothing about the address.
FLAG_OF_REJECTION = {
    RejectReason.INVALID: FlagReason.INVALID,
    RejectReason.BOUNCED: FlagReason.HARD_BOUNCE,
    RejectReason.UNSUBSCRIBED: FlagReason.UNSUBSCRIBED,
}
# RFC 3463 status ("5.1.1") and an SMTP reply code at the start of the answer.
_ENHANCED_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
_REPLY_CODE = re.compile(r"(?:^|;)\s*([245])\d\d\b")


def webhook_secret_set() -> bool:
    """Return True when the tracking webhook has its basic-auth secret."""
    configured = getattr(settings, "ANYMAIL", None) or {}
    return bool(
        configured.get("WEBHOOK_SECRET")
        or getattr(settings, "ANYMAIL_WEBHOOK_SECRET", "")
    )


def on_tracking(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    """Receive anymail's ``tracking`` signal."""
    apply_tracking_event(event, esp_name)


def apply_tracking_event(
    event: AnymailTrackingEvent, esp_name: str
) -> Notification | None:
    """Record what a provider reports about one of our mails; return its row.

    Return None when the report is of no interest or about mail we did not send.
    """
    kind = event.event_type
    if kind not in FAILURES and kind not in REPORTS and kind != EventType.DELIVERED:
        return None
    provider_id = "" if event.message_id is None else str(event.message_id)
    if not provider_id:
        return None
    at = timezone.now()
    with transaction.atomic():
        notification = _locked_notification(provider_id)
        if notification is None or not _same_recipient(notification, event):
            logger.info("comms: a %s report from %s matches no mail", kind, esp_name)
            return None
        if kind == EventType.DELIVERED:
            events = _delivered(notification, esp_name, at)
        elif kind in FAILURES:
            events = _failed(notification, event, esp_name, at)
        else:
            events = _reported(notification, kind, esp_name, at)
        announce(events)
    logger.info(
        "comms: notification %s for case %s: %s reported by %s%s",
        notification.pk,
        notification.case.number,
        kind,
        esp_name,
        "" if events else " again",
    )
    return notification


def _locked_notification(provider_id: str) -> Notification | None:
    # Locked, so that the same report posted twice at once is counted once.
    return (
        Notification.objects.select_for_update(of=("self",))
        .select_related("case")
        .filter(
            Q(provider_id=provider_id) | Q(mail_id=provider_id),
            channel=NotificationChannel.EMAIL,
        )
        .order_by("-pk")
        .first()
    )


def _same_recipient(notification: Notification, event: AnymailTrackingEvent) -> bool:
    recipient = (event.recipient or "").strip().lower()
    return not recipient or recipient == notification.recipient


def _delivered(notification: Notification, esp_name: str, at) -> list[Event]:
    if notification.status not in (NotificationStatus.SENT, NotificationStatus.SENDING):
        return []
    notification.status = NotificationStatus.DELIVERED
    notification.save(update_fields=["status"])
    return [
        _event(notification, CommsEvent.NOTIFICATION_DELIVERED, at, provider=esp_name)
    ]


def _failed(
    notification: Notification, event: AnymailTrackingEvent, esp_name: str, at
) -> list[Event]:
    if notification.status == NotificationStatus.FAILED:
        return []
    error = _error_text(notification, event, esp_name)
    notification.status = NotificationStatus.FAILED
    notification.last_error = error
    notification.save(update_fields=["status", "last_error"])
    events = [
        _event(
            notification,
            CommsEvent.NOTIFICATION_FAILED,
            at,
            error=error,
            bounce=True,
            provider=esp_name,
        )
    ]
    flag = flag_for(event)
    if flag:
        events += flag_contact(
            NotificationChannel.EMAIL, notification.recipient, flag, detail=error, at=at
        )
    return events


def _reported(notification: Notification, kind: str, esp_name: str, at) -> list[Event]:
    told = Event.objects.filter(
        case_id=notification.case_id,
        type=CommsEvent.NOTIFICATION_REPORTED,
        data__notification=notification.pk,
        data__report=kind,
    ).exists()
    if told:
        return []
    events = [
        _event(
            notification,
            CommsEvent.NOTIFICATION_REPORTED,
            at,
            report=kind,
            provider=esp_name,
        )
    ]
    events += flag_contact(
        NotificationChannel.EMAIL,
        notification.recipient,
        REPORTS[kind],
        detail=f"{esp_name}: {kind}",
        at=at,
    )
    return events


def flag_for(event: AnymailTrackingEvent) -> str:
    """Return the flag a failure report sets on its address, or "" for none."""
    reason = event.reject_reason
    if event.event_type == EventType.REJECTED:
        return FLAG_OF_REJECTION.get(reason, "")
    if event.event_type != EventType.BOUNCED or reason not in (
        None,
        RejectReason.BOUNCED,
        RejectReason.INVALID,
    ):
        return ""
    answer = event.mta_response or ""
    status = _ENHANCED_STATUS.search(answer)
    if status is not None:
        code = status.group(1)
        if code.startswith("4") or NOT_THE_ADDRESS.match(code):
            return ""
    else:
        reply = _REPLY_CODE.search(answer)
        if reply is not None and reply.group(1) == "4":
            return ""
    if reason == RejectReason.INVALID:
        return FlagReason.INVALID
    return FlagReason.HARD_BOUNCE


def _error_text(
    notification: Notification, event: AnymailTrackingEvent, esp_name: str
) -> str:
    """Return the provider's words on the failure, with the address masked."""
    kind = event.event_type
    if event.reject_reason:
        kind = f"{kind}, {event.reject_reason}"
    words = " ".join(str(event.mta_response or event.description or "").split())
    words = re.sub(
        re.escape(notification.recipient),
        mask_address(notification.recipient),
        words,
        flags=re.IGNORECASE,
    )
    text = f"{kind} ({esp_name})"
    return (f"{text}: {words}" if words else text)[:300]


def _event(notification: Notification, type: str, at, **data) -> Event:
    event = build_event(
        notification.case,
        type,
        data={
            "notification": notification.pk,
            "purpose": notification.purpose,
            "channel": notification.channel,
            "to": mask_address(notification.recipient),
            **data,
        },
        at=at,
    )
    event.save(force_insert=True)
    return event
