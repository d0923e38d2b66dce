"""Background work: the passengers' care after an event or a manifest is stored.

The care task runs ahead of everything else in the queue (Huey priority, which
the SQLite storage and the priority Redis storage of the settings both honour):
after a large replay the queue holds hundreds of notification batches, and a new
disruption's passengers should not wait minutes behind them for their cases.
"""

from collections.abc import Sequence

from django.db import transaction
from huey.contrib.djhuey import db_task

from paxcare.disruptions.proactive import care_for_disruption, refresh_passengers

# Every other task has the default priority 0; a higher one is taken first.
CARE_PRIORITY = 10


@db_task(retries=3, retry_delay=30, priority=CARE_PRIORITY)
def care_for_disruption_task(disruption_id: int, changed: list[int]) -> None:
    """Open, join or update the disruption's cases; reassess changed passengers."""
    if changed:
        refresh_passengers(changed)
    care_for_disruption(disruption_id)


def schedule_care(disruption_id: int, changed: Sequence[int] = ()) -> None:
    """Queue the care of a disruption once the current transaction commits."""
    ids = list(changed)
    transaction.on_commit(lambda: care_for_disruption_task(disruption_id, ids))
