"""Delivery reports (RFC 3464) and spam complaints (RFC 5965) about our own mail.

A delivery report names each recipient with an ``Action`` and a ``Status`` (RFC
3463), and usually returns the headers of the message it is about, whose Message-ID
names our notification. ``failed`` with a permanent status about the address flags
the address; ``delivered`` marks the notification delivered. A complaint (a mailbox
provider's feedback report of type ``abuse``: the recipient marked our mail as spam)
flags the address it names, so that nothing more is sent there. Reports that follow
no standard are kept and ignored: guessing an address from prose could block a
passenger who can be reached.
"""

import logging
import re
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message

from django.db import transaction
from django.utils import timezone

from paxcare.cases.events import announce, build_event
from paxcare.comms.events import CommsEvent
from paxcare.comms.models import (
    FlagReason,
    Notification,
    NotificationChannel,
    NotificationStatus,
)
from paxcare.comms.outbound import flag_contact, mask_address
from paxcare.comms.parsing import RAW_HEADERS, ParsedMail, first_id

logger = logging.getLogger(__name__)

# Permanent failures that say nothing about the address: a full mailbox (5.2.2),
# a message too big (5.3.4), and policy refusals of *our* mail (5.7.x).
NOT_THE_ADDRESS = re.compile(r"^5\.(2\.2|3\.4|7\.\d+)$")
# The action of a feedback report's complaint, beside RFC 3464's "failed" and others.
COMPLAINT = "complaint"


@dataclass(frozen=True)
class RecipientReport:
    address: str
    action: str
    status: str
    diagnostic: str


def read_report(parsed: ParsedMail) -> tuple[str, list[RecipientReport]]:
    """Return (the Message-ID the report is about, one entry per recipient)."""
    message = parsed.message
    about = ""
    reports: list[RecipientReport] = []
    if message is None or not message.is_multipart():
        return about, reports
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            reports += _recipients(part)
        elif content_type == "message/feedback-report":
            reports += _complaint(part)
        elif content_type in ("text/rfc822-headers", "message/rfc822") and not about:
            about = _original_id(part)
    return about, reports


def _recipients(part: Message) -> list[RecipientReport]:
    blocks = part.get_payload()
    if isinstance(blocks, str):
        text = blocks
    else:
        text = "\n\n".join(
            "\n".join(f"{k}: {v}" for k, v in block.items())
            for block in blocks
            if isinstance(block, Message)
        )
    found = []
    for block in re.split(r"\r?\n\s*\r?\n", text):
        fields = _fields(block)
        recipient = fields.get("final-recipient") or fields.get("original-recipient")
        if not recipient:
            continue
        address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
        found.append(
            RecipientReport(
                address=address,
                action=fields.get("action", "").lower(),
                status=fields.get("status", "").split()[0]
                if fields.get("status")
                else "",
                diagnostic=" ".join(fields.get("diagnostic-code", "").split())[:200],
            )
        )
    return found


def _complaint(part: Message) -> list[RecipientReport]:
    """Return the complaint of a feedback report, or nothing for other types."""
    payload = part.get_payload()
    if isinstance(payload, list):
        text = "\n".join(
            f"{k}: {v}"
            for block in payload
            if isinstance(block, Message)
            for k, v in block.items()
        )
    else:
        text = payload or ""
    fields = _fields(text)
    if fields.get("feedback-type", "").lower() != "abuse":
        return []
    address = fields.get("original-rcpt-to", "").strip().strip("<>").lower()
    return [
        RecipientReport(address=address, action=COMPLAINT, status="", diagnostic="")
    ]


def _fields(block: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in re.sub(r"\r?\n[ \t]+", " ", block).splitlines():
        name, colon, value = line.partition(":")
        if colon:
            fields[name.strip().lower()] = value.strip()
    return fields


def _original_id(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return first_id(payload[0].get("Message-ID", ""))
    if isinstance(payload, str):
        headers = message_from_bytes(
            payload.encode("ascii", "surrogateescape"), policy=RAW_HEADERS
        )
        return first_id(headers.get("Message-ID", ""))
    return ""


def apply_report(parsed: ParsedMail) -> Notification | None:
    """Record what a delivery report says about our notification; return it."""
    about, reports = read_report(parsed)
    ids = [about] if about else []
    ids += [i for i in parsed.thread_ids if i not in ids]
    notification = (
        Notification.objects.select_related("case")
        .filter(mail_id__in=ids, channel=NotificationChannel.EMAIL)
        .first()
        if ids
        else None
    )
    if notification is None:
        return None
    for report in reports:
        if report.address and report.address != notification.recipient:
            continue
        if report.action == "failed":
            _bounced(notification, report)
        elif report.action == "delivered":
            _delivered(notification)
        elif report.action == COMPLAINT:
            _complained(notification)
    return notification


def _bounced(notification: Notification, report: RecipientReport) -> None:
    now = timezone.now()
    permanent = report.status.startswith("5")
    with transaction.atomic():
        if notification.status != NotificationStatus.FAILED:
            notification.status = NotificationStatus.FAILED
            notification.last_error = f"bounced {report.status} {report.diagnostic}"[
                :300
            ]
            notification.save(update_fields=["status", "last_error"])
        event = build_event(
            notification.case,
            CommsEvent.NOTIFICATION_FAILED,
            data={
                "notification": notification.pk,
                "purpose": notification.purpose,
                "channel": notification.channel,
                "to": mask_address(notification.recipient),
                "error": f"bounced {report.status}",
                "bounce": True,
            },
            at=now,
        )
        event.save(force_insert=True)
        events = [event]
        if permanent and not NOT_THE_ADDRESS.match(report.status):
            events += flag_contact(
                NotificationChannel.EMAIL,
                notification.recipient,
                FlagReason.HARD_BOUNCE,
                detail=f"{report.status} {report.diagnostic}",
                at=now,
            )
        announce(events)
    logger.info(
        "comms: notification %s for case %s bounced (%s)",
        notification.pk,
        notification.case.number,
        report.status,
    )


def _complained(notification: Notification) -> None:
    with transaction.atomic():
        events = flag_contact(
            NotificationChannel.EMAIL,
            notification.recipient,
            FlagReason.COMPLAINT,
            detail="feedback report: abuse",
            at=timezone.now(),
        )
        announce(events)
    logger.info(
        "comms: notification %s for case %s reported as spam",
        notification.pk,
        notification.case.number,
    )


def _delivered(notification: Notification) -> None:
    if notification.status not in (NotificationStatus.SENT, NotificationStatus.SENDING):
        return
    with transaction.atomic():
        notification.status = NotificationStatus.DELIVERED
        notification.save(update_fields=["status"])
        event = build_event(
            notification.case,
            CommsEvent.NOTIFICATION_DELIVERED,
            data={
                "notification": notification.pk,
                "purpose": notification.purpose,
                "channel": notification.channel,
            },
        )
        event.save(force_insert=True)
        announce([event])
