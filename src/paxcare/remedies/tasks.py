"""Background work of the remedies app: expiring offers nobody answered."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from paxcare.remedies.offers import expire_offers


@db_periodic_task(crontab(minute="7"))
def expire_open_offers() -> None:
    """Expire, every hour, the open offers whose time has run out."""
    expire_offers()
