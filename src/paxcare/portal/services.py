"""The portal's use cases: file a case with its files, show what PaxCare wrote."""

import logging

from django.db import transaction

from paxcare.cases.attachments import CheckedFile
from paxcare.cases.models import Case, Channel
from paxcare.cases.services import add_case_files
from paxcare.comms.models import Notification, NotificationChannel, Purpose
from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import open_case

logger = logging.getLogger(__name__)


def file_case(draft: CaseDraft, files: list[CheckedFile]) -> Case:
    """Open a web case and keep its files, all or nothing; raise InvalidInput."""
    draft.require_contact = True
    with transaction.atomic():
        case = open_case(draft).case
        if files:
            add_case_files(case, files, channel=Channel.WEB)
    logger.info("portal: case %s filed with %d files", case.number, len(files))
    return case


def opening_words(case: Case) -> str | None:
    """Return what the passenger was told of a case PaxCare opened, or None.

    A case a disruption opened has no words of the passenger: its description is
    PaxCare's note for staff, in the third person. The passenger sees instead what
    the disruption notification told them, in its language (the words comms keeps
    with the notification), or "" before one was queued. None for any other case.
    """
    if case.channel != Channel.SYSTEM:
        return None
    told = (
        Notification.objects.filter(case=case, purpose=Purpose.DISRUPTION)
        .order_by("-created_at", "-id")
        .values_list("channel", "context")
    )
    chosen = {}
    for channel, context in told:
        # The e-mail has the whole text; an SMS is the short form of the same.
        if channel == NotificationChannel.EMAIL or not chosen:
            chosen = context or {}
        if channel == NotificationChannel.EMAIL:
            break
    parts = [chosen.get("disruption_text"), chosen.get("care_text")]
    return "\n\n".join(part for part in parts if isinstance(part, str) and part)
