"""The portal's use cases: file a case with its files, find a passenger's own case."""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from paxcare.cases.attachments import CheckedFile
from paxcare.cases.models import Case, Channel
from paxcare.cases.services import add_passenger_message
from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import open_case

logger = logging.getLogger(__name__)


def file_case(draft: CaseDraft, files: list[CheckedFile]) -> Case:
    """Open a web case and keep its files, all or nothing; raise InvalidInput."""
    draft.require_contact = True
    with transaction.atomic():
        case = open_case(draft).case
        if files:
            # TODO(#2): open_case takes no files yet, so they travel on a first
            # passenger message that names them.
            names = ", ".join(checked.name for checked in files)
            add_passenger_message(
                case,
                _("Attached to my case: %(names)s") % {"names": names},
                channel=Channel.WEB,
                files=files,
            )
    logger.info("portal: case %s filed with %d files", case.number, len(files))
    return case
