"""The IMAP poller: new mail in the configured mailbox, filed in batches.

Messages are fetched with ``BODY.PEEK[]`` (which leaves them unread), filed, and
only then marked ``\\Seen`` (or deleted, by setting). A poller that dies between
filing and marking reads them again next time, and the Message-ID check files each
one once. A message that failed on an unexpected error (``Filed.retry_later``) is
left unread: the next poll tries it again.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from paxcare.comms.inbound import ingest_emails

logger = logging.getLogger(__name__)

# Messages per fetch and per filing transaction.
FETCH_BATCH = 50
SEEN, DELETED = b"\\Seen", b"\\Deleted"


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    ssl: bool = True
    after: str = "seen"

    @classmethod
    def from_settings(cls) -> "Mailbox":
        return cls(
            host=settings.COMMS_IMAP_HOST,
            port=settings.COMMS_IMAP_PORT,
            user=settings.COMMS_IMAP_USER,
            password=settings.COMMS_IMAP_PASSWORD,
            folder=settings.COMMS_IMAP_FOLDER,
            ssl=settings.COMMS_IMAP_SSL,
            after=settings.COMMS_IMAP_AFTER,
        )


def poll(mailbox: Mailbox | None = None, *, limit: int = 1000) -> int:
    """File the unread messages of the mailbox (at most ``limit``); return how many."""
    mailbox = mailbox or Mailbox.from_settings()
    done = 0
    with IMAPClient(
        mailbox.host, port=mailbox.port, ssl=mailbox.ssl, timeout=60
    ) as imap:
        imap.login(mailbox.user, mailbox.password)
        imap.select_folder(mailbox.folder)
        uids = sorted(imap.search(["UNSEEN"]))[:limit]
        for start in range(0, len(uids), FETCH_BATCH):
            chunk = uids[start : start + FETCH_BATCH]
            done += _file_chunk(imap, mailbox, chunk)
        if mailbox.after == "delete" and done:
            imap.expunge()
    logger.info("comms: %d message(s) read from IMAP folder %s", done, mailbox.folder)
    return done


def _file_chunk(imap: IMAPClient, mailbox: Mailbox, uids: list[int]) -> int:
    fetched = imap.fetch(uids, ["BODY.PEEK[]"])
    present = [uid for uid in uids if b"BODY[]" in fetched.get(uid, {})]
    raws = [fetched[uid][b"BODY[]"] for uid in present]
    if not raws:
        return 0
    results = ingest_emails(raws, source=f"imap:{mailbox.folder}"[:60])
    done = [
        uid
        for uid, filed in zip(present, results, strict=True)
        if not filed.retry_later
    ]
    if len(done) < len(present):
        logger.warning(
            "comms: %d IMAP message(s) left unread to try again",
            len(present) - len(done),
        )
    if not done:
        return 0
    try:
        imap.add_flags(done, [DELETED if mailbox.after == "delete" else SEEN])
    except IMAPClientError:
        logger.warning("comms: could not mark %d IMAP message(s)", len(done))
    return len(done)
