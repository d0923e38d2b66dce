"""Sending queued notifications: claim, render, hand over, record the outcome.

A send task may run twice (a retry after a lost acknowledgement, two consumers, the
sweep). Each row is first *claimed* with one conditional UPDATE that only a queued,
due row (or one whose claim went stale) passes, so a second run finds nothing to do
and the passenger gets one message per moment. Every attempt and its outcome is an
event on the case timeline.
"""

import contextlib
import logging
import secrets
import smtplib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from anymail.exceptions import (
    AnymailError,
    AnymailInvalidAddress,
    AnymailRecipientsRefused,
)
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from paxcare.cases.events import announce, build_event
from paxcare.cases.models import Case, Channel, Event, Message
from paxcare.comms.events import CommsEvent
from paxcare.comms.models import (
    RETRYABLE,
    STALE_CLAIM_MINUTES,
    ContactFlag,
    FlagReason,
    InboundMail,
    InboundStatus,
    Notification,
    NotificationChannel,
    NotificationStatus,
    Purpose,
)
from paxcare.comms.rendering import (
    Rendered,
    active_sources,
    format_due,
    render_sources,
)
from paxcare.comms.tagging import tagged_subject
from paxcare.comms.transports import TransportError, get_transport
from paxcare.money import format_amount

logger = logging.getLogger(__name__)

# Purposes a person wrote: no Auto-Submitted header, so that the passenger's
# auto-responder may answer them like any mail.
WRITTEN_BY_PEOPLE = frozenset({Purpose.REPLY})
# References kept on a long thread: the root and the latest few (RFC 5322 3.6.4
# allows trimming; clients thread on the root and the parent).
MAX_REFERENCES = 10
# Outcomes are written in one transaction per this many sends. A round trip and a
# commit cost more than the SMTP hand-over of one mail; a worker killed between a
# hand-over and the commit leaves its claim to be taken over when it goes stale,
# so this bounds how many mails such a crash can send twice.
RECORD_EVERY = 20


@dataclass(frozen=True)
class Outcome:
    ok: bool
    permanent: bool = False
    error: str = ""
    provider_id: str = ""
    flag: str = ""


def send_due(ids: list[int]) -> list[Notification]:
    """Claim and send the due notifications among ``ids``; return those handled."""
    claimed = _claim(ids)
    if not claimed:
        return []
    rendered = _render_all(claimed)
    threads = Threads(
        [n.case_id for n in claimed if n.channel == NotificationChannel.EMAIL]
    )
    sender = _Senders(threads)
    try:
        for start in range(0, len(claimed), RECORD_EVERY):
            group = claimed[start : start + RECORD_EVERY]
            outcomes = []
            for notification in group:
                outcome = sender.send(notification, rendered[notification.pk])
                at = _settle(notification, rendered[notification.pk], outcome)
                outcomes.append((outcome, at))
                if outcome.ok and notification.mail_id:
                    threads.add(
                        notification.case_id, notification.sent_at, notification.mail_id
                    )
            _record(group, outcomes)
    finally:
        sender.close()
    return claimed


def due_ids(limit: int = 1000) -> list[int]:
    """Return the notifications that overdue (lost task, dead worker)."""
    now = timezone.now()
    stale = now - timedelta(minutes=STALE_CLAIM_MINUTES)
    return list(
        Notification.objects.filter(
            Q(status__in=RETRYABLE, next_attempt_at__lte=now)
            | Q(status=NotificationStatus.SENDING, claimed_at__lt=stale)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


# --- Claiming -------------------------------------------------------------------


def _claim(ids: list[int]) -> list[Notification]:
    now = timezone.now()
    token = secrets.token_hex(16)
    stale = now - timedelta(minutes=STALE_CLAIM_MINUTES)
    claimable = Q(status__in=RETRYABLE, next_attempt_at__lte=now) | Q(
        status=NotificationStatus.SENDING, claimed_at__lt=stale
    )
    with transaction.atomic():
        # Rows another consumer is claiming at this instant are skipped, not
        # waited for (PostgreSQL; SQLite writes one transaction at a time anyway).
        free = (
            Notification.objects.filter(claimable, pk__in=ids)
            .select_for_update(skip_locked=True)
            .values("pk")
        )
        count = Notification.objects.filter(pk__in=free).update(
            status=NotificationStatus.SENDING,
            claim=token,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
    if not count:
        return []
    return list(
        Notification.objects.filter(claim=token)
        .select_related("case", "case__passenger", "message")
        .order_by("pk")
    )


# --- Rendering ------------------------------------------------------------------


def _render_all(notifications: list[Notification]) -> dict[int, Rendered]:
    sources = active_sources({(n.purpose, n.language) for n in notifications})
    dues = _first_answer_due(
        [n.case_id for n in notifications if n.purpose == Purpose.ACKNOWLEDGEMENT]
    )
    remedies = _remedies_given(
        [n.case_id for n in notifications if n.purpose == Purpose.RESULT]
    )
    rendered = {}
    for n in notifications:
        context = _context(n, dues)
        if n.case_id in remedies:
            context = {**remedy_context(remedies[n.case_id], n.language), **context}
        rendered[n.pk] = render_sources(
            sources[(n.purpose, n.language)], context, n.language, purpose=n.purpose
        )
    return rendered


def _context(notification: Notification, dues: dict) -> dict:
    case = notification.case
    context = {
        "case_number": case.number,
        "case_subject": case.subject,
        "passenger_name": case.passenger.full_name,
        "answer_due": "",
        "reply_text": "",
        "agent_name": "",
    }
    if notification.case_id in dues:
        due_at, zone = dues[notification.case_id]
        context["answer_due"] = format_due(due_at, zone, notification.language)
    message: Message | None = notification.message
    if message is not None:
        context["reply_text"] = message.body
        context["agent_name"] = message.author_label
    context.update(notification.context or {})
    return context


def _remedies_given(case_ids: list[int]) -> dict[int, list]:
    """Return the remedy offers each case's passenger accepted (or was paid)."""
    if not case_ids:
        return {}
    from paxcare.remedies.models import OfferState, RemedyOffer

    found: dict[int, list] = defaultdict(list)
    offers = RemedyOffer.objects.filter(
        case_id__in=set(case_ids), state__in=(OfferState.ACCEPTED, OfferState.PAID)
    ).order_by("proposed_at", "pk")
    for offer in offers:
        found[offer.case_id].append(offer)
    return found


def remedy_context(offers: list, language: str) -> dict[str, str]:
    """Return ``result_text`` (one line per remedy) and ``compensation`` (money and
    miles) for the result notification, in ``language``."""
    lines, amounts = [], []
    with translation.override(language):
        for offer in offers:
            label = str(offer.get_kind_display())
            lines.append(
                f"{label}: {offer.description}" if offer.description else label
            )
            if offer.amount is not None and offer.currency:
                money = format_amount(offer.amount, offer.currency)
                amounts.append(f"{money} {offer.currency}")
            if offer.miles:
                amounts.append(_("%(miles)s miles") % {"miles": f"{offer.miles:,}"})
    return {"result_text": "\n".join(lines), "compensation": "; ".join(amounts)}


def _first_answer_due(case_ids: list[int]) -> dict[int, tuple[datetime, str]]:
    """Return the first-response due time and office time zone of each case."""
    if not case_ids:
        return {}
    from paxcare.sla.models import Clock, ClockKind

    rows = Clock.objects.filter(
        case_id__in=case_ids, kind=ClockKind.FIRST_RESPONSE, stopped_at__isnull=True
    ).values_list("case_id", "due_at", "calendar__time_zone")
    return {case_id: (due_at, zone or "") for case_id, due_at, zone in rows}


# --- Handing over ---------------------------------------------------------------


class _Senders:
    """One SMTP connection and one SMS transport for a batch, opened when needed."""

    def __init__(self, threads: "Threads"):
        self._threads = threads
        self._mail = None
        self._sms = None

    def send(self, notification: Notification, rendered: Rendered) -> Outcome:
        if notification.channel == NotificationChannel.EMAIL:
            return self._send_mail(notification, rendered)
        return self._send_sms(notification, rendered)

    def _send_mail(self, notification: Notification, rendered: Rendered) -> Outcome:
        message = build_email(notification, rendered, self._threads)
        try:
            if self._mail is None:
                self._mail = get_connection(fail_silently=False)
                self._mail.open()
            message.connection = self._mail
            message.send()
        except AnymailRecipientsRefused as error:
            return _refused_by_provider(message, error)
        except AnymailInvalidAddress as error:
            return Outcome(
                ok=False,
                permanent=True,
                error=_short("invalid", str(error)),
                flag=FlagReason.INVALID,
            )
        except AnymailError as error:
            # The provider's API, its settings or a feature it lacks: tried again
            # like a 4xx, so that the attempt is on the timeline.
            return Outcome(ok=False, error=_short(type(error).__name__, str(error)))
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            return _smtp_outcome(code, text, recipient=True)
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
            return _smtp_outcome(error.smtp_code, error.smtp_error)
        except (smtplib.SMTPException, OSError) as error:
            self._drop_mail_connection()
            return Outcome(ok=False, error=_short(type(error).__name__, str(error)))
        except (ValueError, UnicodeError) as error:
            # An address that cannot even be written into a header.
            return Outcome(
                ok=False,
                permanent=True,
                error=_short("invalid", str(error)),
                flag=FlagReason.INVALID,
            )
        except Exception as error:  # noqa: BLE001 - see below
            # Another mail backend fails with its own exceptions: tried again like
            # a 4xx, so that the attempt is on the timeline and the rest of the
            # batch still goes out.
            self._drop_mail_connection()
            return Outcome(ok=False, error=_short(type(error).__name__, str(error)))
        return Outcome(ok=True, provider_id=_provider_id(message, notification))

    def _send_sms(self, notification: Notification, rendered: Rendered) -> Outcome:
        if self._sms is None:
            self._sms = get_transport()
        reference = f"pxc-{notification.pk}"
        try:
            provider_id = self._sms.send(
                to=notification.recipient, text=rendered.short_text, reference=reference
            )
        except TransportError as error:
            return Outcome(
                ok=False, permanent=error.permanent, error=_short(str(error))
            )
        return Outcome(ok=True, provider_id=provider_id or reference)

    def _drop_mail_connection(self) -> None:
        if self._mail is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._mail.close()
            self._mail = None

    def close(self) -> None:
        self._drop_mail_connection()


def _provider_id(message: EmailMessage, notification: Notification) -> str:
    """Return the mail provider's id of a sent mail (anymail), else our Message-ID.

    The provider's reports name the mail by it (``paxcare.comms.providers``).
    """
    status = getattr(message, "anymail_status", None)
    provider_id = getattr(status, "message_id", None)
    if provider_id is None or isinstance(provider_id, set):
        return notification.mail_id or ""
    return str(provider_id)


def _refused_by_provider(
    message: EmailMessage, error: AnymailRecipientsRefused
) -> Outcome:
    """Return the outcome of a mail the provider refused to send to its recipient.

    An invalid address, or one the provider will not write to (an earlier bounce,
    complaint or unsubscription on its side), is flagged as a 5xx refusal is.
    """
    status = getattr(message, "anymail_status", None)
    statuses = getattr(status, "status", None) or set()
    flag = FlagReason.INVALID if "invalid" in statuses else FlagReason.HARD_BOUNCE
    refusal = ", ".join(sorted(statuses)) or "refused"
    return Outcome(
        ok=False,
        permanent=True,
        error=_short(f"{refusal} by the mail provider:", str(error)),
        flag=flag,
    )


def _smtp_outcome(code: int, text, *, recipient: bool = False) -> Outcome:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    error = _short(str(code), text)
    if 400 <= code < 500:
        return Outcome(ok=False, error=error)
    # 5xx for the recipient: the address does not exist or never takes our mail.
    flag = FlagReason.HARD_BOUNCE if recipient and code in (550, 551, 553) else ""
    return Outcome(ok=False, permanent=True, error=error, flag=flag)


def _short(*parts: str) -> str:
    return " ".join(" ".join(str(p).split()) for p in parts if p)[:300]


def build_email(
    notification: Notification, rendered: Rendered, threads: "Threads | None" = None
) -> EmailMessage:
    """Return the e-mail for a notification, threaded on the case's conversation."""
    case = notification.case
    headers = {
        "Message-ID": notification.mail_id,
        "X-PaxCare-Case": case.number,
    }
    threads = threads or Threads([case.pk])
    in_reply_to, references = threads.headers(
        case.pk, exclude=notification.mail_id or ""
    )
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
        headers["References"] = " ".join(references)
    if notification.purpose not in WRITTEN_BY_PEOPLE:
        # RFC 3834: automatic mail says so, and asks auto-responders to keep quiet.
        headers["Auto-Submitted"] = (
            "auto-replied"
            if notification.purpose == Purpose.ACKNOWLEDGEMENT
            else "auto-generated"
        )
        headers["X-Auto-Response-Suppress"] = "All"
    return EmailMessage(
        subject=tagged_subject(case.number, rendered.subject),
        body=rendered.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        reply_to=[settings.COMMS_REPLY_TO],
        headers=headers,
    )


class Threads:
    """The Message-IDs of each case's conversation, loaded once for a batch.

    A thread is every Message-ID a case has: the passenger's mails we filed and ours
    that went out. The next mail answers the passenger's latest, else our latest.
    """

    def __init__(self, case_ids: list[int]):
        self._inbound: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
        self._outbound: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
        if not case_ids:
            return
        ids = set(case_ids)
        inbound = (
            InboundMail.objects.filter(case_id__in=ids, status=InboundStatus.FILED)
            .filter(mail_id__isnull=False)
            .values_list("case_id", "received_at", "mail_id")
        )
        for case_id, at, mail_id in inbound:
            self._inbound[case_id].append((at, mail_id))
        outbound = (
            Notification.objects.filter(
                case_id__in=ids,
                channel=NotificationChannel.EMAIL,
                status__in=(NotificationStatus.SENT, NotificationStatus.DELIVERED),
            )
            .filter(mail_id__isnull=False)
            .values_list("case_id", "sent_at", "mail_id")
        )
        for case_id, at, mail_id in outbound:
            self.add(case_id, at, mail_id)

    def add(self, case_id: int, at: datetime, mail_id: str) -> None:
        self._outbound[case_id].append((at, mail_id))

    def headers(self, case_id: int, *, exclude: str = "") -> tuple[str, list[str]]:
        """Return (In-Reply-To, References) for the next mail of the case."""
        inbound = sorted(self._inbound.get(case_id, []))
        outbound = [x for x in self._outbound.get(case_id, []) if x[1] != exclude]
        ids = [mail_id for _, mail_id in sorted(inbound + outbound)]
        if not ids:
            return "", []
        parent = inbound[-1][1] if inbound else ids[-1]
        references = ids if len(ids) <= MAX_REFERENCES else [ids[0], *ids[-9:]]
        if parent not in references:
            references.append(parent)
        return parent, references


# --- Recording ------------------------------------------------------------------


def _settle(
    notification: Notification, rendered: Rendered, outcome: Outcome
) -> datetime:
    """Set the row's new state in memory, as ``_record`` will write it.

    Return the time of the attempt.
    """
    now = timezone.now()
    notification.subject = rendered.subject[:300]
    notification.body = (
        rendered.body
        if notification.channel == NotificationChannel.EMAIL
        else rendered.short_text
    )
    notification.claim = ""
    notification.last_error = outcome.error
    if outcome.ok:
        notification.status = NotificationStatus.SENT
        notification.sent_at = now
        notification.provider_id = outcome.provider_id[:200]
    elif outcome.permanent or notification.attempts >= settings.COMMS_SEND_ATTEMPTS:
        notification.status = NotificationStatus.FAILED
    else:
        delay = settings.COMMS_RETRY_DELAY_SECONDS * 2 ** (notification.attempts - 1)
        notification.status = NotificationStatus.RETRYING
        notification.next_attempt_at = now + timedelta(seconds=delay)
    return now


EVENT_OF_STATUS = {
    NotificationStatus.SENT: CommsEvent.NOTIFICATION_SENT,
    NotificationStatus.FAILED: CommsEvent.NOTIFICATION_FAILED,
    NotificationStatus.RETRYING: CommsEvent.NOTIFICATION_ATTEMPT_FAILED,
}
RECORDED_FIELDS = [
    "status",
    "subject",
    "body",
    "claim",
    "sent_at",
    "provider_id",
    "last_error",
    "next_attempt_at",
]


def _record(
    notifications: list[Notification], outcomes: list[tuple[Outcome, datetime]]
) -> None:
    """Write the settled rows and one timeline event per attempt, in one commit."""
    attempts = list(zip(notifications, outcomes, strict=True))
    with transaction.atomic():
        _write_rows(notifications)
        events = Event.objects.bulk_create(
            [_attempt_event(n, outcome, at) for n, (outcome, at) in attempts]
        )
        for notification, (outcome, at) in attempts:
            if outcome.flag:
                events += flag_contact(
                    notification.channel,
                    notification.recipient,
                    outcome.flag,
                    detail=outcome.error,
                    at=at,
                )
        announce(events)
    for notification in notifications:
        if notification.status == NotificationStatus.RETRYING:
            _schedule_retry(notification)
        logger.info(
            "comms: notification %s for case %s %s after %d attempt(s)",
            notification.pk,
            notification.case.number,
            notification.status,
            notification.attempts,
        )


def _write_rows(notifications: list[Notification]) -> None:
    """Write the recorded fields of each row: one statement, many parameter sets.

    ``bulk_update`` would build a CASE per field and row, which costs more CPU than
    the send; psycopg sends an ``executemany`` in one pipeline, one round trip.
    """
    meta = Notification._meta
    fields = [meta.get_field(name) for name in RECORDED_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {assignments} "
        f"WHERE {quote(meta.pk.column)} = %s"
    )
    params = [
        [f.get_db_prep_save(getattr(n, f.attname), connection) for f in fields] + [n.pk]
        for n in notifications
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _attempt_event(notification: Notification, outcome: Outcome, at: datetime) -> Event:
    data = {
        "notification": notification.pk,
        "purpose": notification.purpose,
        "channel": notification.channel,
        "attempt": notification.attempts,
        "to": mask_address(notification.recipient),
    }
    if not outcome.ok:
        data["error"] = outcome.error
    if notification.status == NotificationStatus.RETRYING:
        data["retry_at"] = notification.next_attempt_at.isoformat()
    return build_event(
        notification.case, EVENT_OF_STATUS[notification.status], data=data, at=at
    )


def _schedule_retry(notification: Notification) -> None:
    from paxcare.comms.tasks import send_notifications

    delay = max(0.0, (notification.next_attempt_at - timezone.now()).total_seconds())
    send_notifications.schedule(([notification.pk],), delay=delay)


def mask_address(address: str) -> str:
    """Return an address with most of it hidden: ``l***@example.com``, ``+86***00``."""
    if "@" in address:
        # The domain follows the last @ (a quoted local part may hold one), and a
        # quoted local part shows its first character, not its quote.
        local, _, domain = address.rpartition("@")
        first = local.strip('"')[:1]
        return f"{first}***@{domain}"
    return f"{address[:3]}***{address[-2:]}" if len(address) > 5 else "***"


def flag_contact(
    channel: str, address: str, reason: str, *, detail: str = "", at: datetime
) -> list[Event]:
    """Block an address from further notifications; note it on its open cases.

    Return the events written (one per case of the passengers with that address,
    at most a few dozen); the caller announces them.
    """
    from paxcare.crm.models import Passenger

    address = (
        address.strip().lower() if channel == NotificationChannel.EMAIL else address
    )
    _, created = ContactFlag.objects.get_or_create(
        channel=channel,
        address=address,
        defaults={"reason": reason, "detail": detail[:300], "flagged_at": at},
    )
    if not created:
        return []
    if channel == NotificationChannel.EMAIL:
        passengers = Passenger.objects.filter(email__iexact=address)
        passengers.update(email_bouncing=True)
    else:
        passengers = Passenger.objects.filter(phone=address)
    events = []
    cases = Case.objects.filter(passenger__in=passengers).order_by("-received_at")[:50]
    for case in cases:
        event = build_event(
            case,
            CommsEvent.CONTACT_FLAGGED,
            channel=Channel.SYSTEM,
            data={"channel": channel, "to": mask_address(address), "reason": reason},
            at=at,
        )
        event.save(force_insert=True)
        events.append(event)
    return events
