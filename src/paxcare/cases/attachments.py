"""Attachment checks: size, count and type, judged by the bytes, not only the name."""

import codecs
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from paxcare.errors import FieldError

# Content type -> file signatures that prove it. Text has no signature; WebP is
# checked apart, since its signature has the file size in the middle.
ALLOWED_TYPES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (),
    "text/plain": (),
}
# How much of a text file is checked for UTF-8: enough to judge, cheap to read.
TEXT_SNIFF_BYTES = 4096


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    name: str
    content_type: str
    size_bytes: int
    sha256: str


def check_uploads(
    files, field: str = "attachments"
) -> tuple[list[CheckedFile], list[FieldError]]:
    """Return the acceptable files and an error for each refused one."""
    files = list(files)
    errors: list[FieldError] = []
    if len(files) > settings.ATTACHMENT_MAX_FILES:
        errors.append(
            FieldError(
                field,
                _("At most %(count)d files per message.")
                % {"count": settings.ATTACHMENT_MAX_FILES},
                "too_many",
            )
        )
        return [], errors
    checked = []
    for upload in files:
        error = _check_one(upload)
        if error:
            errors.append(FieldError(field, f"{upload.name}: {error}", "invalid_file"))
            continue
        checked.append(_describe(upload))
    return checked, errors


def _check_one(upload: UploadedFile) -> str | None:
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        limit = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        return _("larger than %(limit)d MB") % {"limit": limit}
    if upload.size == 0:
        return _("the file is empty")
    if _sniff(upload) is None:
        return _("only PDF, JPEG, PNG, GIF, WebP and plain text files are accepted")
    return None


def _sniff(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(TEXT_SNIFF_BYTES)
    upload.seek(0)
    for content_type, signatures in ALLOWED_TYPES.items():
        if any(head.startswith(signature) for signature in signatures):
            return content_type
    # RIFF, a four-byte size, then the form type: WAVE and AVI are RIFF files too.
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    whole = upload.size is not None and upload.size <= len(head)
    if upload.name.lower().endswith(".txt") and _is_utf8_text(head, whole):
        return "text/plain"
    return None


def _is_utf8_text(head: bytes, whole: bool) -> bool:
    """Return whether ``head``, the start of a file, is UTF-8 without NUL bytes.

    Unless it is the whole file, the start may end inside a character (up to three
    bytes of a four-byte one); the incremental decoder keeps that tail instead of
    calling it an error.
    """
    if b"\x00" in head:
        return False
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=whole)
    except UnicodeDecodeError:
        return False
    return True


def _describe(upload: UploadedFile) -> CheckedFile:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        upload=upload,
        name=upload.name[:255],
        content_type=_sniff(upload) or "application/octet-stream",
        size_bytes=upload.size,
        sha256=digest.hexdigest(),
    )
