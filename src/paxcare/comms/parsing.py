"""Raw RFC 5322 bytes to what a case needs: sender, subject, text, files, thread ids.

Real mail breaks every rule somewhere, so this module reads headers itself rather
than through ``email``'s strict header classes: encoded words (RFC 2047) are joined
before decoding, so a character split across two of them survives; raw 8-bit
headers are guessed; charset labels are read as the supersets senders really use
(``charsets``). Nothing here raises on bad input: what cannot be read is listed in
``dropped`` and the raw message is kept by the caller.
"""

import base64
import binascii
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from email.policy import Compat32
from email.utils import getaddresses, parsedate_to_datetime

from django.conf import settings
from django.utils import timezone

from paxcare.comms import charsets, htmltext

MAX_ID_CHARS = 250


class _RawHeaders(Compat32):
    """Hand header values back as received (8-bit bytes as surrogate escapes)."""

    def header_fetch_parse(self, name, value):
        return value


RAW_HEADERS = _RawHeaders()


@dataclass
class MailFile:
    """One file of a mail: an attachment, an inline image, a file inside winmail.dat."""

    name: str
    content_type: str
    data: bytes
    inline: bool = False


@dataclass
class ParsedMail:
    mail_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    sender: str = ""
    sender_name: str = ""
    subject: str = ""
    sent_at: datetime | None = None
    text: str = ""
    html: str = ""
    files: list[MailFile] = field(default_factory=list)
    dropped: list[dict] = field(default_factory=list)
    message: Message | None = None
    # The codecs the mail declares anywhere, for the parts that declare none.
    hints: tuple[str, ...] = ()

    @property
    def thread_ids(self) -> list[str]:
        """The ids this mail answers: In-Reply-To, then References newest first."""
        ids = list(self.in_reply_to)
        ids += [i for i in reversed(self.references) if i not in ids]
        return ids


def parse(raw: bytes) -> ParsedMail:
    """Return what can be read from one raw message."""
    limit = settings.COMMS_INBOUND_MAX_BYTES
    too_big = len(raw) > limit
    message = message_from_bytes(raw[:limit] if too_big else raw, policy=RAW_HEADERS)
    parsed = ParsedMail(message=message, hints=declared_charsets(message))
    _read_headers(message, parsed)
    _read_body(message, parsed, files_wanted=not too_big)
    if too_big:
        parsed.dropped.append(
            {
                "name": "",
                "reason": "message_too_large",
                "bytes": len(raw),
                "limit": limit,
            }
        )
    return parsed


# --- Headers --------------------------------------------------------------------


def _read_headers(message: Message, parsed: ParsedMail) -> None:
    parsed.mail_id = first_id(message.get("Message-ID", ""))
    parsed.in_reply_to = message_ids(message.get("In-Reply-To", ""))
    parsed.references = message_ids(message.get("References", ""))
    parsed.sender_name, parsed.sender = sender_of(message, parsed.hints)
    parsed.subject = header_text(message.get("Subject", ""), parsed.hints)
    parsed.sent_at = parse_date(message.get("Date", ""))


def declared_charsets(message: Message) -> tuple[str, ...]:
    """Return the codecs a mail declares, the subject's first, then in order.

    A client that forgets the charset of one part or header nearly always wrote it
    in the charset it declared for the others (the subject's encoded words, the
    other parts' ``Content-Type``).
    """
    labels = [m.group(1) for m in _ENCODED_WORD.finditer(message.get("Subject", ""))]
    for value in message.values():
        labels += [m.group(1) for m in _ENCODED_WORD.finditer(str(value))]
    for count, part in enumerate(message.walk()):
        if count >= settings.COMMS_INBOUND_MAX_PARTS:
            break
        labels.append(part.get_param("charset"))
    return charsets.declared(
        label if isinstance(label, str) else None for label in labels
    )


_ID = re.compile(r"<([^<>\s]+)>")


def message_ids(value: str) -> list[str]:
    """Return the Message-IDs in a header, bracketed, in order, each once."""
    found: list[str] = []
    for match in _ID.finditer(unfold(value)):
        mail_id = normal_id(match.group(1))
        if mail_id not in found:
            found.append(mail_id)
    return found


def first_id(value: str) -> str:
    ids = message_ids(value)
    if ids:
        return ids[0]
    bare = unfold(value).strip()
    return normal_id(bare) if bare and " " not in bare else ""


def normal_id(bare: str) -> str:
    """Return ``<bare>`` or, for an id too long to index, a stable digest of it.

    An empty id (``<>``) is no id: "".
    """
    bare = bare.strip().strip("<>").strip()
    if not bare:
        return ""
    text = charsets.recover_header_bytes(bare)
    if len(text) + 2 <= MAX_ID_CHARS:
        return f"<{text}>"
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return f"<sha256.{digest}@long-id.invalid>"


def sender_of(message: Message, hints: Sequence[str] = ()) -> tuple[str, str]:
    """Return (display name, address lowercased) of the From header."""
    for header in ("From", "Sender", "Return-Path"):
        value = unfold(message.get(header, ""))
        pairs = getaddresses([value]) if value else []
        for name, address in pairs:
            address = charsets.recover_header_bytes(address).strip().lower()
            if "@" in address:
                return header_text(name, hints), address
    return "", ""


def parse_date(value: str) -> datetime | None:
    """Return the Date header as an aware time, or None when it is nonsense."""
    value = unfold(value).strip()
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if timezone.is_naive(when):
        when = when.replace(tzinfo=UTC)
    now = timezone.now()
    if when.year < 1990 or when > now + timedelta(days=2):
        return None
    return when


def unfold(value) -> str:
    return re.sub(r"\r?\n(?=[ \t])", "", str(value or ""))


_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=")


def header_text(value, hints: Sequence[str] = ()) -> str:
    """Return a header's text: encoded words decoded, 8-bit bytes guessed.

    Adjacent encoded words in one charset are joined as bytes before decoding, so a
    multi-byte character that a sender split between two words comes out whole.
    Raw 8-bit bytes are read in one of ``hints`` (the charsets the mail declares)
    when that reading is plausible, else guessed.
    """
    value = unfold(value)
    pieces: list[str] = []
    pending = bytearray()
    pending_charset: str | None = None
    position = 0
    for match in _ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        charset = match.group(1).lower()
        # RFC 2047 6.2: white space between two encoded words is not text.
        adjacent = pending_charset is not None and not between.strip()
        if not (adjacent and charset == pending_charset):
            if pending_charset is not None:
                pieces.append(charsets.decode(bytes(pending), pending_charset, hints))
                pending.clear()
            if not adjacent:
                pieces.append(_plain(between, hints))
        pending += _word_bytes(match.group(2), match.group(3))
        pending_charset = charset
        position = match.end()
    if pending_charset is not None:
        pieces.append(charsets.decode(bytes(pending), pending_charset, hints))
    pieces.append(_plain(value[position:], hints))
    text = "".join(c if c.isprintable() else " " for c in "".join(pieces))
    return " ".join(unicodedata.normalize("NFC", text).split())


def _plain(text: str, hints: Sequence[str] = ()) -> str:
    return charsets.recover_header_bytes(text, hints)


def _word_bytes(encoding: str, payload: str) -> bytes:
    if encoding in "bB":
        payload = payload.strip()
        payload += "=" * (-len(payload) % 4)
        try:
            return base64.b64decode(payload, validate=False)
        except (binascii.Error, ValueError):
            return b""
    data = payload.replace("_", " ").encode("ascii", "surrogateescape")
    return re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), data)


# --- Body and files -------------------------------------------------------------

_TEXT_TYPES = ("text/plain", "text/html")


def _read_body(message: Message, parsed: ParsedMail, *, files_wanted: bool) -> None:
    plain: list[str] = []
    markup: list[str] = []
    max_parts = settings.COMMS_INBOUND_MAX_PARTS
    for count, part in enumerate(_leaf_parts(message), start=1):
        if count > max_parts:
            parsed.dropped.append({"name": "", "reason": "too_many_parts"})
            break
        content_type = part.get_content_type()
        name = filename_of(part, parsed.hints)
        disposition = (part.get("Content-Disposition") or "").split(";")[0]
        is_attachment = disposition.strip().lower() == "attachment" or bool(name)
        if content_type in _TEXT_TYPES and not is_attachment:
            text = _part_text(part, parsed.hints)
            (plain if content_type == "text/plain" else markup).append(text)
            continue
        if not files_wanted:
            parsed.dropped.append(
                {"name": name or content_type, "reason": "message_too_large"}
            )
            continue
        _read_file(part, name, content_type, parsed)
    _choose_text(parsed, plain, markup)


def _leaf_parts(message: Message):
    """Yield the non-multipart parts; an attached mail counts as one file."""
    if message.is_multipart():
        for part in message.get_payload() or []:
            if isinstance(part, Message):
                yield from _leaf_parts(part)
        return
    yield message


def _part_text(part: Message, hints: Sequence[str] = ()) -> str:
    data = _payload(part)
    return charsets.decode(data, part.get_content_charset(), hints)


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError):
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    if isinstance(payload, str):
        return payload.encode("ascii", "surrogateescape")
    if isinstance(payload, list) and payload:
        return payload[0].as_bytes() if isinstance(payload[0], Message) else b""
    return b""


def _read_file(part: Message, name: str, content_type: str, parsed: ParsedMail):
    data = _payload(part)
    if content_type == "message/rfc822" and not data:
        data = part.as_bytes()
    if content_type == "application/ms-tnef" or name.lower() == "winmail.dat":
        _read_tnef(data, parsed)
        return
    inline = (part.get("Content-Disposition") or "").lower().startswith("inline") or (
        bool(part.get("Content-ID")) and not name
    )
    if not name:
        name = _default_name(content_type, part.get("Content-ID", ""))
    parsed.files.append(MailFile(name, content_type, data, inline=inline))


def _default_name(content_type: str, content_id: str) -> str:
    local_part = content_id.strip("<> ").split("@")[0]
    stem = re.sub(r"[^\w.-]", "", local_part)[:40] or "part"
    extension = {
        "image/png": ".png",
        "image/jpeg": ".jpg",
        "image/gif": ".gif",
        "application/pdf": ".pdf",
        "message/rfc822": ".eml",
    }.get(content_type, "")
    return stem + extension


def _read_tnef(data: bytes, parsed: ParsedMail) -> None:
    """Unpack winmail.dat: Outlook's wrapper around the real files and text."""
    from tnefparse import TNEF

    try:
        tnef = TNEF(data)
    except Exception:  # noqa: BLE001 - the parser raises anything on corrupt input
        parsed.dropped.append({"name": "winmail.dat", "reason": "unreadable"})
        parsed.files.append(MailFile("winmail.dat", "application/ms-tnef", data))
        return
    for attachment in tnef.attachments:
        name = attachment.long_filename() or attachment.name or "attachment"
        if isinstance(name, bytes):
            name = charsets.decode(name)
        parsed.files.append(
            MailFile(clean_filename(name), "application/octet-stream", attachment.data)
        )
    body = getattr(tnef, "body", None)
    if body and not parsed.text:
        parsed.text = body if isinstance(body, str) else charsets.decode(body)


def _choose_text(parsed: ParsedMail, plain: list[str], markup: list[str]) -> None:
    text = "\n\n".join(t.strip() for t in plain if t.strip())
    if markup:
        cleaned = "\n".join(markup)
        parsed.html = htmltext.sanitise(cleaned)
        if not text:
            text = htmltext.to_text(parsed.html)
    if text:
        parsed.text = text
    parsed.text = unicodedata.normalize("NFC", parsed.text.replace("\r\n", "\n"))
    parsed.text = parsed.text.replace("\x00", "")


def filename_of(part: Message, hints: Sequence[str] = ()) -> str:
    """Return a part's file name, in whichever of the encodings clients use."""
    for header, param in (
        ("content-disposition", "filename"),
        ("content-type", "name"),
    ):
        try:
            value = part.get_param(param, header=header)
        except (ValueError, IndexError):
            continue
        if not value:
            continue
        if isinstance(value, tuple):
            charset, _, text = value
            raw = text.encode("latin-1", "surrogateescape") if text else b""
            name = charsets.decode(raw, charset, hints)
        else:
            name = header_text(value.strip('"'), hints)
        name = clean_filename(name)
        if name:
            return name
    return ""


def clean_filename(name: str) -> str:
    """Return a file name without folders, control characters or excess length."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip().strip(".")
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = (stem[:190] + dot + extension[:9]) if dot else name[:200]
    return name
