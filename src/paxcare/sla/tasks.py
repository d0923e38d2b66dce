"""Background work of the sla app: the breach sweep, every minute."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from paxcare.sla.services import sweep


@db_periodic_task(crontab(minute="*"))
def sweep_clocks() -> None:
    """Warn, breach and escalate the clocks whose time has come."""
    sweep()
