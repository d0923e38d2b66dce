"""Background work: the passengers' care after an event or a manifest is stored."""

from collections.abc import Sequence

from django.db import transaction
from huey.contrib.djhuey import db_task

from paxcare.disruptions.proactive import care_for_disruption, refresh_passengers


@db_task(retries=3, retry_delay=30)
def care_for_disruption_task(disruption_id: int, changed: list[int]) -> None:
    """Open, join or update the disruption's cases; reassess changed passengers."""
    if changed:
        refresh_passengers(changed)
    care_for_disruption(disruption_id)


def schedule_care(disruption_id: int, changed: Sequence[int] = ()) -> None:
    """Queue the care of a disruption once the current transaction commits."""
    ids = list(changed)
    transaction.on_commit(lambda: care_for_disruption_task(disruption_id, ids))
