"""Notifications owed to passengers (and supervisors): the one way to queue them.

``notify()`` is what other apps call; the case moments every case has (created,
replied, pending, resolved) are queued by ``paxcare.comms.receivers`` from the
timeline. Both end in ``queue_notifications``, which works per batch: a bulk import
of thousands of cases costs a few queries per batch of events, not per case.

Rows are written in the caller's transaction; the sending is scheduled with
``transaction.on_commit``, so nothing leaves before the moment is committed and
nothing leaves at all when it rolls back.
"""

import logging
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from paxcare.bulk import any_of, insert_new_rows, new_row
from paxcare.cases.models import Case
from paxcare.comms.models import (
    ContactFlag,
    Notification,
    NotificationChannel,
    NotificationStatus,
    Purpose,
)
from paxcare.crm.models import Language, Passenger

logger = logging.getLogger(__name__)

# Purposes the passenger did not ask for: only sent to passengers who agreed to be
# contacted about their cases.
UNSOLICITED = frozenset({Purpose.SURVEY, Purpose.DISRUPTION, Purpose.OFFER})
STAFF_PURPOSES = frozenset({Purpose.APPROVAL_REQUEST})

# Ids per send task: one SMTP connection carries them all.
SEND_BATCH = 100


@dataclass
class Moment:
    """One case moment that may owe a notification: what, for which case, once."""

    case: Case
    purpose: str
    key: str = ""
    context: dict = field(default_factory=dict)
    # The cases.Message the notification carries (an agent's reply), if any.
    message_id: int | None = None
    # The passenger's language when the caller knows it better than the case
    # (a manifest's, for a case the passenger opened in another language).
    language: str = ""


@dataclass(frozen=True)
class Recipient:
    channel: str
    address: str
    language: str
    suppressed: bool = False
    # Why nobody can be written to (a staff moment): the row is written failed.
    unreachable: str = ""
    # Who that is, for the case's timeline ("" when there is nobody).
    name: str = ""


# Why an approval request could not be sent (``Recipient.unreachable``).
NO_APPROVER = "no_approver"
NO_ADDRESS = "no_address"
INACTIVE = "inactive"


def notify(
    case: Case, purpose: str, *, context: dict | None = None, key: str = ""
) -> list[Notification]:
    """Queue the notifications that a case moment owes, at most once per key.

    The passenger is notified on every channel they can be reached on (e-mail;
    SMS when they have no usable e-mail address, or always for the purposes in
    ``COMMS_SMS_ALWAYS``), in the case's language. ``approval_request``
    goes to the supervisor of the case's department instead (or to the user whose
    id is ``context["approver"]``).

    ``context`` adds template variables; it is stored as JSON, so give strings,
    numbers, decimals or dates. ``key`` (at most 120 characters) tells repeated
    moments of one purpose apart (an offer id, a survey id); a second call with the
    same case, purpose and key queues nothing.

    Return the notifications this call wrote (a blocked address's row is written as
    ``suppressed`` and not sent): empty when the moment was notified before or the
    passenger cannot be reached. A staff moment whose recipient cannot be written
    to (no supervisor, no e-mail address, a deactivated account) is written as one
    ``failed`` row with a ``notification.not_sent`` line on the case, once.
    Raise ValueError for an unknown purpose.
    """
    if purpose not in Purpose.values:
        raise ValueError(f"Unknown notification purpose: {purpose!r}")
    moment = Moment(case=case, purpose=purpose, key=key, context=dict(context or {}))
    return queue_notifications([moment])


def queue_notifications(moments: Sequence[Moment]) -> list[Notification]:
    """Write the notifications the moments owe; schedule their sending after commit.

    The batch form of ``notify()`` (same rules, a few queries for the whole batch);
    purposes are not checked here.
    """
    if not moments:
        return []
    now = timezone.now()
    recipients = _recipients(moments)
    mail_ids = _mail_ids(_mail_domain(), sum(map(len, recipients.values())))
    rows = []
    for moment in moments:
        for recipient in recipients.get(id(moment), []):
            rows.append(_row(moment, recipient, now, mail_ids))
    created = _insert_new(rows)
    _note_unreachable(created, recipients, moments)
    to_send = [n.id for n in created if n.status == NotificationStatus.QUEUED]
    if to_send:
        # robust: a queue that is down must not fail a commit that already happened;
        # the outbox sweep sends these rows within the minute instead.
        transaction.on_commit(partial(schedule_sending, to_send), robust=True)
    return created


def schedule_sending(ids: list[int]) -> None:
    """Hand the notifications to the task queue, in batches of one connection."""
    from paxcare.comms.tasks import send_notifications

    for start in range(0, len(ids), SEND_BATCH):
        send_notifications(ids[start : start + SEND_BATCH])


# --- Who is reached, and how ----------------------------------------------------


def _recipients(moments: Sequence[Moment]) -> dict[int, list[Recipient]]:
    passengers = _passengers(moments)
    flagged = _flagged_addresses(passengers.values())
    supervisors = _supervisors([m for m in moments if m.purpose in STAFF_PURPOSES])
    # Read once per batch: every read of a setting goes through its lazy object.
    channels = frozenset(settings.COMMS_CHANNELS)
    sms_always = frozenset(settings.COMMS_SMS_ALWAYS)
    found: dict[int, list[Recipient]] = {}
    for moment in moments:
        if moment.purpose in STAFF_PURPOSES:
            found[id(moment)] = supervisors.get(id(moment), [])
            continue
        passenger = passengers.get(moment.case.passenger_id)
        if passenger is not None:
            found[id(moment)] = _passenger_channels(
                moment, passenger, flagged, channels, sms_always
            )
    return found


def _passengers(moments: Sequence[Moment]) -> dict[int, Passenger]:
    found: dict[int, Passenger] = {}
    missing: set[int] = set()
    for moment in moments:
        case = moment.case
        if Case.passenger.is_cached(case):
            found[case.passenger_id] = case.passenger
        else:
            missing.add(case.passenger_id)
    missing -= found.keys()
    if missing:
        found.update(Passenger.objects.in_bulk(missing))
    return found


def _flagged_addresses(passengers) -> set[tuple[str, str]]:
    emails = {p.email.lower() for p in passengers if p.email}
    phones = {p.phone for p in passengers if p.phone}
    if not emails and not phones:
        return set()
    rows = ContactFlag.objects.filter(
        any_of(ContactFlag, "address", emails | phones)
    ).values_list("channel", "address")
    return set(rows)


def _passenger_channels(
    moment: Moment,
    passenger: Passenger,
    flagged: set[tuple[str, str]],
    channels: frozenset[str],
    sms_always: frozenset[str],
) -> list[Recipient]:
    if moment.purpose in UNSOLICITED and not passenger.consent_contact:
        return []
    language = _language(moment.language or moment.case.language or passenger.language)
    found = []
    email = passenger.email.lower()
    email_usable = False
    if email and NotificationChannel.EMAIL in channels:
        suppressed = (NotificationChannel.EMAIL, email) in flagged
        email_usable = not suppressed
        found.append(Recipient(NotificationChannel.EMAIL, email, language, suppressed))
    sms_wanted = not email_usable or moment.purpose in sms_always
    if passenger.phone and sms_wanted and NotificationChannel.SMS in channels:
        suppressed = (NotificationChannel.SMS, passenger.phone) in flagged
        found.append(
            Recipient(NotificationChannel.SMS, passenger.phone, language, suppressed)
        )
    return found


def _supervisors(moments: Sequence[Moment]) -> dict[int, list[Recipient]]:
    """Return the staff recipient of each approval request: approver or supervisor."""
    if not moments:
        return {}
    from django.contrib.auth import get_user_model

    from paxcare.routing.models import Department

    user_ids = {m.context.get("approver") for m in moments} - {None}
    department_ids = {m.case.department_id for m in moments} - {None}
    supervisor_of = dict(
        Department.objects.filter(pk__in=department_ids).values_list(
            "pk", "supervisor_id"
        )
    )
    user_ids |= set(supervisor_of.values()) - {None}
    users = get_user_model().objects.select_related("agent").in_bulk(user_ids)
    blocked = set(
        ContactFlag.objects.filter(
            channel=NotificationChannel.EMAIL,
            address__in={u.email.lower() for u in users.values() if u.email},
        ).values_list("address", flat=True)
    )
    found: dict[int, list[Recipient]] = {}
    for moment in moments:
        user = users.get(
            moment.context.get("approver")
            or supervisor_of.get(moment.case.department_id)
        )
        found[id(moment)] = [_staff_recipient(user, blocked)]
    return found


def _staff_recipient(user, blocked: set[str]) -> Recipient:
    """Return how a staff member is written to, or why they cannot be."""
    language = _staff_language(user)
    if user is None:
        return Recipient(
            NotificationChannel.EMAIL, "", language, unreachable=NO_APPROVER
        )
    name = user.get_full_name() or user.get_username()
    address = (user.email or "").lower()
    if not user.is_active:
        reason = INACTIVE
    elif not address:
        reason = NO_ADDRESS
    else:
        reason = ""
    return Recipient(
        NotificationChannel.EMAIL,
        address,
        language,
        suppressed=address in blocked,
        unreachable=reason,
        name=name,
    )


def _staff_language(user) -> str:
    agent = getattr(user, "agent", None)
    for language in getattr(agent, "languages", None) or []:
        if _language(language) == language:
            return language
    return _language(settings.LANGUAGE_CODE)


def _language(value: str) -> str:
    value = (value or "").lower()
    if value.startswith("zh"):
        return Language.CHINESE
    return Language.ENGLISH


def _mail_ids(domain: str, count: int) -> Iterator[str]:
    """Yield ``count`` fresh Message-IDs of ours: random, so that no one can guess
    one.

    The random bytes of all of them are drawn in one call: one read of the
    system's random source per batch rather than one per notification.
    """
    digits = secrets.token_hex(12 * count)
    for start in range(0, len(digits), 24):
        yield f"<pxc.{digits[start : start + 24]}@{domain}>"


def _mail_domain() -> str:
    return settings.COMMS_MESSAGE_ID_DOMAIN or _sender_domain()


def _sender_domain() -> str:
    from email.utils import parseaddr

    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "paxcare.invalid"


def _row(
    moment: Moment, recipient: Recipient, now: datetime, mail_ids: Iterator[str]
) -> Notification:
    is_email = recipient.channel == NotificationChannel.EMAIL
    if recipient.unreachable:
        status = NotificationStatus.FAILED
    elif recipient.suppressed:
        status = NotificationStatus.SUPPRESSED
    else:
        status = NotificationStatus.QUEUED
    values = {
        "purpose": moment.purpose,
        "key": moment.key[:120],
        "channel": recipient.channel,
        "recipient": recipient.address,
        "language": recipient.language,
        "context": moment.context,
        "message_id": moment.message_id,
        # A row that is never sent needs no Message-ID.
        "mail_id": next(mail_ids) if is_email and not recipient.unreachable else None,
        "status": status,
        "last_error": recipient.unreachable,
        "created_at": now,
        "next_attempt_at": now,
    }
    # Built without Model.__init__ (bulk.new_row): a batch holds thousands.
    return new_row(Notification, values, {"case": moment.case})


# --- Writing, once --------------------------------------------------------------

_UNIQUE = ("case_id", "purpose", "key", "channel")


def _insert_new(rows: list[Notification]) -> list[Notification]:
    """Insert the rows whose moment has none yet; return those inserted.

    A moment notified before (a second call, or a concurrent transaction that
    queued the same one) is skipped instead of raising an integrity error that
    would break the caller's transaction; large batches go by COPY on PostgreSQL
    (``bulk.insert_new_rows``).
    """
    return insert_new_rows(rows, _UNIQUE)


def _note_unreachable(
    created: list[Notification],
    recipients: dict[int, list[Recipient]],
    moments: Sequence[Moment],
) -> None:
    """Say on the case that a staff moment could not be sent, and why.

    Only for rows this call wrote, so a moment notified again says it once.
    """
    failed = {
        (n.case_id, n.purpose, n.key)
        for n in created
        if n.status == NotificationStatus.FAILED
    }
    if not failed:
        return
    from paxcare.cases.events import announce, build_event
    from paxcare.cases.models import Event
    from paxcare.comms.events import CommsEvent

    events = []
    for moment in moments:
        moment_key = (moment.case.pk, moment.purpose, moment.key[:120])
        if moment_key not in failed:
            continue
        failed.discard(moment_key)
        recipient = recipients[id(moment)][0]
        events.append(
            build_event(
                moment.case,
                CommsEvent.NOTIFICATION_NOT_SENT,
                data={
                    "purpose": moment.purpose,
                    "channel": recipient.channel,
                    "reason": recipient.unreachable,
                    "name": recipient.name,
                },
            )
        )
    announce(Event.objects.bulk_create(events))
    for event in events:
        logger.warning(
            "comms: the %s of case %s cannot be sent (%s)",
            event.data["purpose"],
            event.case.number,
            event.data["reason"],
        )
