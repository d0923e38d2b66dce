"""Proactive care in worker processes: disjoint flights, one report, nothing twice."""

from decimal import Decimal

import pytest
from django.db import connection

from paxcare.cases.models import Case
from paxcare.comms.models import Notification
from paxcare.disruptions.ingest import record_flight_event
from paxcare.disruptions.manifests import load_manifest
from paxcare.disruptions.models import AffectedPassenger
from paxcare.disruptions.proactive import CareReport
from paxcare.disruptions.workers import can_fork, care_in_processes, merge_reports
from tests.disruptions.conftest import AF_JFK_CDG, event, passenger

COMPENSATION = ("eu261", "compensation", "EUR")


def cancelled_flights(count: int, passengers: int) -> list[int]:
    """Record ``count`` cancelled AF flights with their manifests; return the ids."""
    ids = []
    for n in range(count):
        flight = event(AF_JFK_CDG, type="cancellation", flight_number=f"AF{30 + n}")
        result = record_flight_event(flight)
        rows = [passenger(100 * n + p) for p in range(1, passengers + 1)]
        load_manifest(result.flight, rows)
        ids.append(result.disruption.pk)
    return ids


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_open_one_case_per_passenger_and_add_up_their_reports():
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need a database server (PostgreSQL)")
    # given four cancelled flights of three passengers each, committed
    ids = cancelled_flights(4, 3)
    assert can_fork()

    # when two processes care for them
    report = care_in_processes(ids, workers=2)

    # then every passenger has exactly one case, link and notification, and the
    # report counts all twelve with EUR 600 each
    assert (report.opened, report.linked, report.notified, report.rejected) == (
        12,
        0,
        12,
        0,
    )
    assert report.totals[COMPENSATION] == [Decimal("7200.00"), 12]
    assert Case.objects.count() == 12
    assert AffectedPassenger.objects.values("entry").distinct().count() == 12
    assert Notification.objects.filter(purpose="disruption").count() == 12
    assert set(
        AffectedPassenger.objects.values_list("disruption_id", flat=True)
    ) == set(ids)

    # and running them again opens nothing
    again = care_in_processes(ids, workers=2)
    assert (again.opened, again.notified) == (0, 0)
    assert Case.objects.count() == 12


@pytest.mark.django_db
def test_inside_a_transaction_the_care_runs_in_this_process():
    # given flights recorded in a transaction other processes cannot see
    ids = cancelled_flights(2, 2)

    # when two workers are asked for
    report = care_in_processes(ids, workers=2)

    # then this process cares for all of them, in the same transaction
    assert not can_fork()
    assert (report.opened, report.notified) == (4, 4)
    assert Case.objects.count() == 4


def test_merged_reports_add_counts_and_money():
    first = CareReport(opened=3, linked=1, notified=4, totals={COMPENSATION: [600, 1]})
    second = CareReport(
        opened=2, updated=5, rejected=1, totals={COMPENSATION: [Decimal("1200"), 2]}
    )

    merged = merge_reports([first, second])

    assert (merged.opened, merged.linked, merged.updated) == (5, 1, 5)
    assert (merged.notified, merged.rejected) == (4, 1)
    assert merged.totals == {COMPENSATION: [Decimal("1800"), 3]}
