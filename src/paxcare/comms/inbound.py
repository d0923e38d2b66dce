"""Filing received mail: a new case, a message on an existing one, or nothing.

``ingest_emails`` takes a batch of raw messages (the pipe gives one, the IMAP poller
many) and, in one transaction:

1. keeps every message's raw bytes, whatever happens next; a Message-ID seen before
   is a duplicate and is not filed again, unless filing it failed: then this
   delivery is another try, on the same ``InboundMail`` row;
2. sets aside noise (auto-replies, delivery reports, our own mail, mailing lists) and
   mail over its sender's rate limit; delivery reports update our notifications;
3. files a staff member's answer to an approval request as an internal note, not
   as a passenger's mail (``_file_staff_answers``);
4. threads the rest: by our Message-IDs in In-Reply-To/References, then by the case
   number in the subject (tagged, or bare); both only for mail from the case's own
   passenger, so a stranger never writes into a case; never by anything else;
5. files a reply through ``cases.services.add_passenger_message`` and opens the new
   cases in one ``intake.services.open_cases`` batch (a few queries for the lot);
6. notes on the case what could not be kept (files over the limits, unknown types).

A mail that cannot be filed is marked failed with its reason; its raw bytes stay.
An unexpected error (reason ``error``: a database error, a bug) is worth another try
(``Filed.retry_later``): the pipe asks the mail server to deliver again, the IMAP
poller leaves the message unread, and ``refile`` tries the failed rows again.
"""

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from paxcare.bulk import insert_rows
from paxcare.cases.attachments import CheckedFile, check_uploads
from paxcare.cases.events import announce, build_event, record_event
from paxcare.cases.lifecycle import Status
from paxcare.cases.models import Case, Channel, Message
from paxcare.cases.services import (
    MAX_BODY_CHARS,
    add_note,
    add_passenger_message,
    may_work,
)
from paxcare.comms import noise
from paxcare.comms.bounces import apply_report
from paxcare.comms.events import CommsEvent
from paxcare.comms.models import (
    InboundMail,
    InboundStatus,
    Notification,
    NotificationChannel,
)
from paxcare.comms.parsing import MailFile, ParsedMail, parse
from paxcare.comms.services import STAFF_PURPOSES
from paxcare.comms.tagging import numbers_in
from paxcare.errors import ServiceError
from paxcare.intake.drafts import MAX_DESCRIPTION_CHARS, MAX_SUBJECT_CHARS, CaseDraft
from paxcare.intake.services import open_cases

logger = logging.getLogger(__name__)

# Inline images below this size are signatures, logos and tracking pixels.
SMALL_INLINE_BYTES = 4 * 1024
MAX_EXTERNAL_ID = 200
REOPEN, NEW_CASE = "reopen", "new"
# The reason of a failure that is not the mail's fault: another try may succeed.
ERROR = "error"


@dataclass
class Filed:
    """What became of one received message."""

    status: str
    inbound: InboundMail | None = None
    case: Case | None = None
    message: Message | None = None
    created: bool = False
    reason: str = ""

    @property
    def retry_later(self) -> bool:
        """Return True when filing failed on an error, not on the mail itself."""
        return self.status == InboundStatus.FAILED and self.reason == ERROR


@dataclass
class _Item:
    raw: bytes
    sha256: str
    parsed: ParsedMail | None
    inbound: InboundMail | None = None
    # The row of an earlier delivery that failed: this one is filed on it.
    retried: InboundMail | None = None
    status: str = InboundStatus.RECEIVED
    reason: str = ""
    case: Case | None = None
    follows: Case | None = None
    message: Message | None = None
    created: bool = False
    files: list[CheckedFile] = field(default_factory=list)
    dropped: list[dict] = field(default_factory=list)
    notes: list[tuple[str, dict]] = field(default_factory=list)


def ingest_email(raw: bytes, *, source: str = "pipe") -> Filed:
    """File one raw RFC 5322 message; see ``ingest_emails``."""
    return ingest_emails([raw], source=source)[0]


def ingest_emails(raws: Sequence[bytes], *, source: str = "pipe") -> list[Filed]:
    """File a batch of raw messages; return what became of each, in order."""
    attempts = 3
    for attempt in range(1, attempts + 1):
        items = [_read(raw) for raw in raws]
        try:
            with transaction.atomic():
                _file_batch(items, source)
            break
        except IntegrityError:
            # Another poller filed one of these Message-IDs meanwhile: run the batch
            # again, and it finds them as duplicates.
            logger.warning("comms: inbound batch retried (attempt %d)", attempt)
            if attempt == attempts:
                raise
    return [
        Filed(
            status=item.status,
            inbound=item.inbound,
            case=item.case,
            message=item.message,
            created=item.created,
            reason=item.reason,
        )
        for item in items
    ]


def _read(raw: bytes) -> _Item:
    sha256 = hashlib.sha256(raw).hexdigest()
    try:
        parsed = parse(raw)
    except Exception:  # noqa: BLE001 - a mail we cannot parse is kept, not lost
        logger.exception("comms: a received mail could not be parsed")
        parsed = None
    return _Item(raw=raw, sha256=sha256, parsed=parsed)


def _file_batch(items: list[_Item], source: str) -> None:
    now = timezone.now()
    _drop_duplicates(items)
    _keep_raw(items, source, now)
    _set_aside_noise(items)
    _limit_senders(items, now)
    _file_staff_answers(items, now)
    _thread(items)
    _file_replies(items, now)
    _open_new_cases(items, now)
    _save_outcomes(items)


def _waiting(items: list[_Item]) -> list[_Item]:
    return [i for i in items if i.status == InboundStatus.RECEIVED]


# --- 1. Keep, once ----------------------------------------------------------------


def _drop_duplicates(items: list[_Item]) -> None:
    """Mark what was delivered before; a failed delivery is tried again instead."""
    ids = {i.parsed.mail_id for i in items if i.parsed and i.parsed.mail_id}
    hashes = {i.sha256 for i in items}
    rows = list(
        InboundMail.objects.filter(Q(mail_id__in=ids) | Q(sha256__in=hashes))
        .select_related("case")
        .order_by("pk")
    )
    failed_pks = [row.pk for row in rows if row.status == InboundStatus.FAILED]
    if failed_pks:
        # Lock them; one another process filed meanwhile is a duplicate after all.
        still_failed = set(
            InboundMail.objects.select_for_update()
            .filter(pk__in=failed_pks, status=InboundStatus.FAILED)
            .values_list("pk", flat=True)
        )
        for row in rows:
            if row.pk in failed_pks and row.pk not in still_failed:
                row.refresh_from_db()
    earlier: dict[str, InboundMail] = {}
    failed: dict[str, InboundMail] = {}
    for row in rows:
        found = failed if row.status == InboundStatus.FAILED else earlier
        found.setdefault(row.sha256, row)
        if row.mail_id:
            found.setdefault(row.mail_id, row)
    seen: set[str] = set()
    retried: set[int] = set()
    for item in items:
        keys = [item.sha256]
        if item.parsed and item.parsed.mail_id:
            keys.insert(0, item.parsed.mail_id)
        first = next((earlier[k] for k in keys if k in earlier), None)
        if first is not None or any(k in seen for k in keys):
            item.status = InboundStatus.DUPLICATE
            item.reason = "delivered_before"
            item.inbound = first
            item.case = first.case if first else None
        else:
            row = next((failed[k] for k in keys if k in failed), None)
            if row is not None and row.pk not in retried:
                item.retried = row
                retried.add(row.pk)
        seen.update(keys)


def _keep_raw(items: list[_Item], source: str, now: datetime) -> None:
    """Store each new message's bytes; its row is written with its outcome."""
    for item in items:
        if item.status == InboundStatus.DUPLICATE:
            continue
        parsed = item.parsed or ParsedMail()
        # Another try keeps the row (and the day) of the first delivery.
        inbound = item.retried or InboundMail(received_at=now)
        inbound.sha256 = item.sha256
        inbound.size_bytes = len(item.raw)
        inbound.source = source[:60]
        inbound.mail_id = parsed.mail_id or None
        inbound.sender = parsed.sender[:254]
        inbound.subject = parsed.subject[:300]
        inbound.sent_at = parsed.sent_at
        inbound.html = parsed.html
        name = inbound.raw.field.generate_filename(inbound, "raw.eml")
        if not default_storage.exists(name):
            name = default_storage.save(name, ContentFile(item.raw))
        inbound.raw = name
        if item.parsed is None:
            item.status, item.reason = InboundStatus.FAILED, "unparseable"
        item.inbound = inbound


# --- 2. Noise and limits ----------------------------------------------------------


def _set_aside_noise(items: list[_Item]) -> None:
    waiting = _waiting(items)
    own_ids = {i.parsed.mail_id for i in waiting if i.parsed.mail_id}
    ours = set(
        Notification.objects.filter(mail_id__in=own_ids)
        .order_by()
        .values_list("mail_id", flat=True)
        if own_ids
        else []
    )
    for item in waiting:
        reason = (
            noise.OWN if item.parsed.mail_id in ours else noise.classify(item.parsed)
        )
        if not reason:
            continue
        item.reason = reason
        item.status = InboundStatus.IGNORED
        if reason == noise.BOUNCE:
            item.status = InboundStatus.BOUNCE
            notification = apply_report(item.parsed)
            item.case = notification.case if notification else None


def _limit_senders(items: list[_Item], now: datetime) -> None:
    waiting = _waiting(items)
    senders = {i.parsed.sender for i in waiting if i.parsed.sender}
    if not senders:
        return
    since = now - timedelta(minutes=settings.COMMS_INBOUND_SENDER_WINDOW_MINUTES)
    counts = Counter(dict(_count_filed(senders, since)))
    for item in waiting:
        sender = item.parsed.sender
        if not sender:
            continue
        if counts[sender] >= settings.COMMS_INBOUND_SENDER_LIMIT:
            item.status, item.reason = InboundStatus.RATE_LIMITED, "sender_limit"
            continue
        counts[sender] += 1


def _count_filed(senders: set[str], since: datetime):
    from django.db.models import Count

    return (
        InboundMail.objects.filter(
            sender__in=senders, status=InboundStatus.FILED, received_at__gte=since
        )
        .values("sender")
        .annotate(n=Count("id"))
        .values_list("sender", "n")
    )


# --- 3. Staff answering the mail we sent them -------------------------------------


def _file_staff_answers(items: list[_Item], now: datetime) -> None:
    """Keep a staff member's answer to an approval request off the passenger's side.

    A supervisor who replies to the request is not a passenger: the answer becomes
    an internal note by them on the case (or, when they may not work on it, is kept
    unfiled with a line on the case), never a passenger's message or a new case.
    It approves nothing: a From header proves nothing, so offers are approved
    signed in, in the console. The answer must thread to the request by our
    Message-ID (random, known only to its recipients); mail from a staff address
    with only the case number in its subject, which the case's passenger knows
    too, is kept unfiled with a line on the case.
    """
    waiting = [i for i in _waiting(items) if i.parsed.sender]
    requests = _staff_requests(waiting)
    if not requests:
        return
    staff = _staff_users({i.parsed.sender for i in waiting if id(i) in requests})
    for item in waiting:
        found = requests.get(id(item))
        users = staff.get(item.parsed.sender, [])
        if found is None or not users:
            continue
        notification, threaded = found
        item.case = notification.case
        item.dropped = list(item.parsed.dropped) + [
            _dropped_entry(mail_file, "staff_mail_file")
            for mail_file in item.parsed.files
        ]
        user = next((u for u in users if may_work(u, item.case)), None)
        if not threaded or user is None:
            reason = "staff_unthreaded" if not threaded else "staff_not_permitted"
            item.status, item.reason = InboundStatus.IGNORED, reason
            item.notes.append((CommsEvent.MAIL_IGNORED, {"reason": reason}))
            continue
        _add_staff_note(item, notification, user, now)


def _staff_requests(items: list[_Item]) -> dict[int, tuple[Notification, bool]]:
    """Return, per mail, the staff notification it answers and whether it threads
    to it by Message-ID (else by the case number and the address it went to)."""
    ids = {m for i in items for m in i.parsed.thread_ids}
    numbers = {n for i in items for n in numbers_in(i.parsed.subject)}
    if not ids and not numbers:
        return {}
    staff_mail = Notification.objects.filter(
        purpose__in=STAFF_PURPOSES, channel=NotificationChannel.EMAIL
    ).select_related("case", "case__passenger")
    by_id = {n.mail_id: n for n in staff_mail.filter(mail_id__in=ids)} if ids else {}
    by_number: dict[tuple[str, str], Notification] = {}
    if numbers:
        for notification in staff_mail.filter(case__number__in=numbers):
            key = (notification.case.number, notification.recipient)
            by_number.setdefault(key, notification)
    found = {}
    for item in items:
        threaded = next((by_id[m] for m in item.parsed.thread_ids if m in by_id), None)
        if threaded is not None:
            found[id(item)] = (threaded, True)
            continue
        sender = item.parsed.sender
        named = next(
            (
                by_number[(number, sender)]
                for number in numbers_in(item.parsed.subject)
                if (number, sender) in by_number
            ),
            None,
        )
        if named is not None:
            found[id(item)] = (named, False)
    return found


def _staff_users(senders: set[str]) -> dict[str, list]:
    """Return the active staff accounts (an agent profile, or a superuser) of each
    sender address."""
    from django.contrib.auth import get_user_model
    from django.db.models.functions import Lower

    users = (
        get_user_model()
        .objects.annotate(address=Lower("email"))
        .filter(address__in=senders, is_active=True)
        .filter(Q(agent__isnull=False) | Q(is_superuser=True))
        .order_by("pk")
    )
    found: dict[str, list] = {}
    for user in users:
        found.setdefault(user.address, []).append(user)
    return found


def _add_staff_note(
    item: _Item, notification: Notification, user, now: datetime
) -> None:
    body = _text(item.parsed, MAX_BODY_CHARS, item.dropped)
    try:
        with transaction.atomic():
            item.message = add_note(item.case, body, actor=user, at=now)
    except ServiceError as error:
        item.status, item.reason = InboundStatus.FAILED, error.code[:200]
        return
    except Exception:  # noqa: BLE001 - one bad mail must not block the mailbox
        logger.exception("comms: a staff answer on case %s failed", item.case)
        item.status, item.reason = InboundStatus.FAILED, ERROR
        return
    item.status, item.reason = InboundStatus.FILED, "staff_note"
    item.notes.append(
        (
            CommsEvent.MAIL_STAFF_NOTE,
            {
                "purpose": notification.purpose,
                "name": user.get_full_name() or user.get_username(),
            },
        )
    )
    _note_dropped(item)


# --- 4. Threading -----------------------------------------------------------------


def _thread(items: list[_Item]) -> None:
    """Find each mail's case: our Message-IDs first, then the case number.

    Either only for mail from the case's own passenger: a stranger who answers a
    mail forwarded to them, or who learns a case number, opens a case of their own.
    """
    candidates = [i for i in items if i.parsed is not None and i.case is None]
    by_id = _cases_by_mail_id({m for i in candidates for m in i.parsed.thread_ids})
    numbers = [numbers_in(i.parsed.subject) for i in candidates]
    by_number = _cases_by_number({n for found in numbers for n in found})
    for item, found in zip(candidates, numbers, strict=True):
        threads = [by_id[m] for m in item.parsed.thread_ids if m in by_id]
        threads += [by_number[n] for n in found if n in by_number]
        item.case = next(
            (case for case in threads if _from_passenger(case, item.parsed.sender)),
            None,
        )
        if item.case is not None and item.status != InboundStatus.RECEIVED:
            _note_ignored(item)


def _from_passenger(case: Case, sender: str) -> bool:
    return bool(sender) and (case.passenger.email or "").lower() == sender


def _cases_by_mail_id(ids: set[str]) -> dict[str, Case]:
    if not ids:
        return {}
    found: dict[str, int] = dict(
        Notification.objects.filter(mail_id__in=ids)
        .order_by()
        .values_list("mail_id", "case_id")
    )
    found.update(
        InboundMail.objects.filter(
            mail_id__in=ids, case__isnull=False, status=InboundStatus.FILED
        )
        .order_by()
        .values_list("mail_id", "case_id")
    )
    cases = Case.objects.select_related("passenger").in_bulk(set(found.values()))
    return {mail_id: cases[pk] for mail_id, pk in found.items() if pk in cases}


def _cases_by_number(numbers: set[str]) -> dict[str, Case]:
    if not numbers:
        return {}
    cases = Case.objects.select_related("passenger").filter(number__in=numbers)
    return {case.number: case for case in cases}


def _note_ignored(item: _Item) -> None:
    if item.status in (InboundStatus.IGNORED, InboundStatus.RATE_LIMITED):
        item.notes.append((CommsEvent.MAIL_IGNORED, {"reason": item.reason}))


# --- 5. Filing ----------------------------------------------------------------------


def _file_replies(items: list[_Item], now: datetime) -> None:
    for item in _waiting(items):
        if item.case is None:
            continue
        if item.case.status == Status.CLOSED and _closed_policy() == NEW_CASE:
            item.follows, item.case = item.case, None
            continue
        files, item.dropped = _checked_files(item.parsed)
        body = _text(item.parsed, MAX_BODY_CHARS, item.dropped)
        try:
            with transaction.atomic():
                item.message = add_passenger_message(
                    item.case,
                    body,
                    channel=Channel.EMAIL,
                    files=files,
                    external_id=item.parsed.mail_id[:300] or None,
                    at=now,
                )
                _note_dropped(item)
        except ServiceError as error:
            item.status, item.reason = InboundStatus.FAILED, error.code[:200]
            continue
        except Exception:  # noqa: BLE001 - one bad mail must not block the mailbox
            logger.exception("comms: a reply to case %s could not be filed", item.case)
            item.status, item.reason = InboundStatus.FAILED, ERROR
            continue
        item.status = InboundStatus.FILED


def _closed_policy() -> str:
    return NEW_CASE if settings.COMMS_REPLY_TO_CLOSED == NEW_CASE else REOPEN


def _open_new_cases(items: list[_Item], now: datetime) -> None:
    new = [i for i in _waiting(items) if i.case is None]
    if not new:
        return
    drafts = [_draft(item) for item in new]
    try:
        with transaction.atomic():
            _open(new, open_cases(drafts))
    except IntegrityError:
        raise
    except Exception:  # noqa: BLE001 - find the one mail that breaks the batch
        logger.exception("comms: a batch of new cases failed; filing one by one")
        for item, draft in zip(new, drafts, strict=True):
            item.case = item.message = None
            item.status, item.notes = InboundStatus.RECEIVED, []
            try:
                with transaction.atomic():
                    _open([item], open_cases([draft]))
            except IntegrityError:
                raise
            except Exception:  # noqa: BLE001
                logger.exception("comms: a new mail could not be filed")
                item.case, item.created = None, False
                item.status, item.reason = InboundStatus.FAILED, ERROR


def _open(items: list[_Item], results) -> None:
    for item, result in zip(items, results, strict=True):
        if result.errors:
            item.status = InboundStatus.FAILED
            item.reason = ",".join(f"{e.field}:{e.code}" for e in result.errors)[:200]
            continue
        item.case, item.created = result.case, result.created
        item.status = InboundStatus.FILED
        _after_opening(item)


def _draft(item: _Item) -> CaseDraft:
    parsed = item.parsed
    files, item.dropped = _checked_files(parsed)
    item.files = files
    email = parsed.sender
    try:
        validate_email(email)
    except ValidationError:
        email = ""
    subject = parsed.subject
    if len(subject) > MAX_SUBJECT_CHARS:
        subject = subject[: MAX_SUBJECT_CHARS - 1] + "…"
    mail_id = parsed.mail_id or f"<sha256.{item.sha256}@paxcare.invalid>"
    if len(mail_id) > MAX_EXTERNAL_ID:
        mail_id = f"<sha256.{hashlib.sha256(mail_id.encode()).hexdigest()}>"
    return CaseDraft(
        description=_text(parsed, MAX_DESCRIPTION_CHARS, item.dropped),
        channel=Channel.EMAIL,
        subject=subject,
        external_id=mail_id,
        passenger_name=parsed.sender_name,
        email=email,
    )


def _after_opening(item: _Item) -> None:
    """Attach the files, link a follow-up, note what was dropped."""
    files = item.files
    if files and item.created:
        names = ", ".join(checked.name for checked in files)
        item.message = add_passenger_message(
            item.case,
            _("Attached to my e-mail: %(names)s") % {"names": names},
            channel=Channel.EMAIL,
            files=files,
            external_id=item.parsed.mail_id[:300] or None,
        )
    if item.follows is not None and item.created:
        record_event(
            item.case,
            CommsEvent.MAIL_FOLLOW_UP,
            channel=Channel.EMAIL,
            data={"follows": item.follows.number},
        )
        record_event(
            item.follows,
            CommsEvent.MAIL_FOLLOWED_UP,
            channel=Channel.EMAIL,
            data={"follow_up": item.case.number},
        )
    if item.created:
        _note_dropped(item)


def _note_dropped(item: _Item) -> None:
    if item.dropped:
        item.notes.append(
            (CommsEvent.MAIL_PARTS_DROPPED, {"dropped": item.dropped[:50]})
        )


def _text(parsed: ParsedMail, limit: int, dropped: list[dict]) -> str:
    text = parsed.text.strip()
    if not text:
        return _("(The e-mail has no text.)")
    if len(text) > limit:
        dropped.append({"name": "", "reason": "text_truncated", "chars": len(text)})
        note = _("[Shortened: the full text is in the original e-mail.]")
        text = text[: limit - len(note) - 2].rstrip() + "\n\n" + note
    return text


def _checked_files(parsed: ParsedMail) -> tuple[list[CheckedFile], list[dict]]:
    """Return the files a case may keep, and a note for each one it may not."""
    dropped = list(parsed.dropped)
    kept: list[CheckedFile] = []
    ordered = sorted(parsed.files, key=lambda f: f.inline)
    for mail_file in ordered:
        reason = _refusal(mail_file)
        checked: list[CheckedFile] = []
        if not reason:
            upload = SimpleUploadedFile(
                mail_file.name or "file", mail_file.data, mail_file.content_type
            )
            checked, errors = check_uploads([upload])
            reason = "type_or_size" if errors else ""
        if not reason and len(kept) >= settings.ATTACHMENT_MAX_FILES:
            reason = "too_many_files"
        if reason:
            dropped.append(_dropped_entry(mail_file, reason))
            continue
        kept.extend(checked)
    return kept, dropped


def _refusal(mail_file: MailFile) -> str:
    if mail_file.inline and len(mail_file.data) < SMALL_INLINE_BYTES:
        return "small_inline_image"
    if not mail_file.data:
        return "empty"
    if len(mail_file.data) > settings.ATTACHMENT_MAX_BYTES:
        return "too_large"
    return ""


def _dropped_entry(mail_file: MailFile, reason: str) -> dict:
    return {"name": mail_file.name, "reason": reason, "bytes": len(mail_file.data)}


# --- 6. Outcomes --------------------------------------------------------------------


def _save_outcomes(items: list[_Item]) -> None:
    """Write each new message's row with its outcome, then the notes on its case."""
    rows = []
    for item in items:
        if item.inbound is None or item.status == InboundStatus.DUPLICATE:
            continue
        inbound = item.inbound
        inbound.status = item.status
        inbound.reason = item.reason[:200]
        inbound.case = item.case
        inbound.message = item.message
        inbound.dropped = item.dropped[:100]
        if item.retried is not None:
            inbound.save()
            logger.info("comms: mail %s tried again: %s", inbound.pk, item.status)
        else:
            rows.append(inbound)
    insert_rows(rows)
    events = [
        build_event(
            item.case,
            kind,
            channel=Channel.EMAIL,
            data={**data, "inbound": item.inbound.pk},
        )
        for item in items
        if item.case is not None and item.status != InboundStatus.DUPLICATE
        for kind, data in item.notes
    ]
    insert_rows(events)
    announce(events)
    for item in items:
        if item.status == InboundStatus.FILED:
            logger.info(
                "comms: mail %s filed on case %s%s",
                item.inbound.pk,
                item.case.number,
                " (new)" if item.created else "",
            )


def refile(mails: Iterable[InboundMail]) -> list[tuple[InboundMail, Filed]]:
    """File failed mails again from their kept raw bytes; return each outcome.

    Each is one more delivery of the same message, through the whole pipeline: it
    lands on its own row, and a mail that was filed meanwhile stays a duplicate.
    Rows that did not fail are left alone.
    """
    outcomes = []
    for mail in mails:
        if mail.status != InboundStatus.FAILED:
            continue
        try:
            with mail.raw.open("rb") as stored:
                raw = stored.read()
        except OSError:
            logger.warning("comms: the raw bytes of mail %s are missing", mail.pk)
            outcomes.append((mail, Filed(InboundStatus.FAILED, mail, reason="no_raw")))
            continue
        filed = ingest_email(raw, source=mail.source)
        outcomes.append((mail, filed))
    return outcomes
