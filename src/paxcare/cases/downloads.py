"""How an attachment leaves PaxCare: as a download, never as a page of our site.

Attachments are served only by views that checked who asks (staff through
``cases_visible_to``, a passenger through the portal session, the API through a
token); ``MEDIA_ROOT`` is never published. The answer forces a download
(``Content-Disposition: attachment``) with the type judged from the bytes at upload,
``nosniff``, and a sandboxing content policy, so that a file cannot run as a page of
PaxCare even if a browser opens it.
"""

import logging

from django.http import FileResponse

from paxcare.cases.models import Attachment
from paxcare.errors import NotFound

logger = logging.getLogger(__name__)


def attachment_response(attachment: Attachment) -> FileResponse:
    """Return the file as a download; NotFound when it is gone from storage."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        logger.warning("attachment %s: file missing from storage", attachment.pk)
        raise NotFound() from error
    content_type = attachment.content_type or "application/octet-stream"
    if content_type == "text/plain":
        content_type = "text/plain; charset=utf-8"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
