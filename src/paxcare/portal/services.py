"""The portal's use cases: file a case with its files, find a passenger's own case."""

import logging

from django.db import transaction

from paxcare.cases.attachments import CheckedFile
from paxcare.cases.models import Case, Channel
from paxcare.cases.services import add_case_files
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
