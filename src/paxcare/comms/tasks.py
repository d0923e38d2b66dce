"""Background work of comms: sending, retrying, the outbox sweep, the IMAP poll."""

import logging

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from paxcare.comms import outbound

logger = logging.getLogger(__name__)


@db_task()
def send_notifications(ids: list[int]) -> int:
    """Send the due notifications among ``ids``; return how many were handled."""
    return len(outbound.send_due(ids))


@db_periodic_task(crontab(minute="*"))
def sweep_outbox() -> None:
    """Send what a lost task or a dead worker left behind.

    ``on_commit`` hands a task to the queue after the commit; a crash in between
    loses the task but not the row, which this finds within the minute.
    """
    ids = outbound.due_ids()
    for start in range(0, len(ids), 100):
        send_notifications(ids[start : start + 100])


@db_periodic_task(crontab(minute=f"*/{max(1, settings.COMMS_IMAP_POLL_MINUTES)}"))
def poll_mailbox() -> None:
    """Read new mail from the configured IMAP mailbox, if there is one."""
    if not settings.COMMS_IMAP_HOST:
        return
    from paxcare.comms.imap import poll

    poll()
