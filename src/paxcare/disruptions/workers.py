"""Proactive care on several cores: worker processes on disjoint flights.

One process opens cases at most as fast as one core runs Python, and while its
PostgreSQL backend works it waits. ``care_in_processes`` forks worker processes,
each caring for its own share of the disruptions (every n-th flight, so the shares
are alike) through ``proactive.care_for_disruptions``, with its own connection and
its own transactions, and adds their reports up.

The workers never touch the same disruption, manifest entry or case; what they
share is the department they route to. Each worker reserves the agents of a
chunk's batches in a short transaction of its own (``routing.agents_reserved``)
and so holds the department's lock only while choosing, not while it writes: both
workers write at once (``docs/performance.md``).

Forking needs committed data and a database other processes can reach: inside a
transaction (a test's, a caller's) or on SQLite, whose writers take turns on the
whole file anyway, the work runs in this process instead.
"""

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime

from django.db import connection, connections
from django.utils import timezone

from paxcare.disruptions.proactive import BATCH_SIZE, CareReport, care_for_disruptions


def can_fork() -> bool:
    """Say whether worker processes would see and write the same data as we do."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def care_in_processes(
    disruption_ids: Sequence[int],
    *,
    workers: int = 2,
    batch_size: int = BATCH_SIZE,
    at: datetime | None = None,
) -> CareReport:
    """Care for the disruptions with up to ``workers`` processes; return the sum."""
    at = at or timezone.now()
    ids = list(dict.fromkeys(disruption_ids))
    workers = max(1, min(workers, len(ids)))
    if workers == 1 or not can_fork():
        return care_for_disruptions(ids, batch_size=batch_size, at=at)
    shares = [ids[start::workers] for start in range(workers)]
    # A forked child must not share the parent's socket: each opens its own.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        reports = list(
            pool.map(_care_share, shares, [batch_size] * workers, [at] * workers)
        )
    return merge_reports(reports)


def _care_share(ids: list[int], batch_size: int, at: datetime) -> CareReport:
    try:
        return care_for_disruptions(ids, batch_size=batch_size, at=at)
    finally:
        connections.close_all()


def merge_reports(reports: Sequence[CareReport]) -> CareReport:
    """Return one report with the counts and money totals of ``reports`` added."""
    merged = CareReport()
    for report in reports:
        merged.opened += report.opened
        merged.linked += report.linked
        merged.updated += report.updated
        merged.notified += report.notified
        merged.rejected += report.rejected
        for key, (amount, passengers) in report.totals.items():
            total = merged.totals.setdefault(key, [amount * 0, 0])
            total[0] += amount
            total[1] += passengers
    return merged
