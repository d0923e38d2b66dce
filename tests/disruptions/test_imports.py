"""``import-flights`` and ``import-manifest``: summaries, bad rows, re-imports."""

import json
import os
from pathlib import Path

import pytest
from django.core.management import CommandError
from django.db import connection

from paxcare.cases.models import Case
from paxcare.comms.models import Notification
from paxcare.disruptions.generator import ManifestGenerator
from paxcare.disruptions.importers import import_flights
from paxcare.disruptions.models import (
    AffectedPassenger,
    Disruption,
    Flight,
    ManifestEntry,
)
from tests.disruptions.conftest import run

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
JANUARY_2013 = DATA / "nycflights13_flights_2013-01.csv"

NYC_HEADER = (
    "year,month,day,dep_time,sched_dep_time,dep_delay,arr_time,sched_arr_time,"
    "arr_delay,carrier,flight,tailnum,origin,dest,air_time,distance,hour,minute,"
    "time_hour\n"
)
NYC_ROWS = (
    # on time
    "2013,1,1,517,515,2,830,819,11,UA,1545,N14228,EWR,IAH,227,1400,5,15,x\n"
    # cancelled
    "2013,1,1,NA,1630,NA,NA,1815,NA,EV,4308,N18120,EWR,RDU,NA,416,16,30,x\n"
    # 4 hours late at arrival
    "2013,1,1,1954,1555,239,2249,1849,240,B6,525,N1,JFK,MCO,140,944,15,55,x\n"
    # left but never arrived as planned: diverted
    "2013,1,2,1930,1900,30,NA,2200,NA,AA,791,N2,LGA,DFW,NA,1389,19,0,x\n"
    # 2 hours late: recorded, no disruption
    "2013,1,2,1000,800,120,1300,1100,120,DL,100,N3,LGA,ATL,100,762,8,0,x\n"
    # an unknown airport
    "2013,1,3,900,900,0,1100,1100,0,DL,101,N4,LGA,ZZZ,100,762,9,0,x\n"
)


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_a_nycflights13_file_is_summarised_and_its_disruptions_recorded(tmp_path):
    path = write(tmp_path, "flights.csv", NYC_HEADER + NYC_ROWS)

    out, err = run("import_flights", "--format", "nycflights13", str(path), status=1)

    assert out.splitlines()[0].startswith(
        "read 6 flights: 1 cancellation, 1 arrival delay of 3 h or more, "
        "1 diversion, 0 schedule changes; rejected 1;"
    )
    assert out.splitlines()[1] == "flights: created 3, recorded 2"
    assert err.startswith("line 7: ")
    kinds = dict(Disruption.objects.values_list("flight__flight_number", "kind"))
    assert kinds == {"EV4308": "cancellation", "B6525": "delay", "AA791": "diversion"}
    late = Flight.objects.get(flight_number="B6525")
    assert late.scheduled_arrival.isoformat() == "2013-01-01T23:49:00+00:00"
    assert late.actual_arrival.isoformat() == "2013-01-02T03:49:00+00:00"
    assert late.carrier_country == "US"


def test_importing_the_same_file_again_changes_nothing(tmp_path):
    path = write(tmp_path, "flights.csv", NYC_HEADER + NYC_ROWS)
    run("import_flights", "--format", "nycflights13", str(path), status=1)

    out, _err = run("import_flights", "--format", "nycflights13", str(path), status=1)

    assert out.splitlines()[1] == "flights: unchanged 5"
    assert Disruption.objects.count() == 3
    assert Flight.objects.count() == 5


def test_a_shift_moves_the_flights_to_another_year(tmp_path):
    path = write(tmp_path, "flights.csv", NYC_HEADER + NYC_ROWS)

    report = import_flights(path, file_format="nycflights13", shift_days=4753)

    assert report.outcomes == {"created": 3, "recorded": 2}
    dates = sorted({f.flight_date.isoformat() for f in Flight.objects.all()})
    assert dates == ["2026-01-06", "2026-01-07"]


def import_with_manifests(tmp_path, *options: str) -> tuple[str, int]:
    """Import the sample with invented manifests; return the output and passengers.

    Checks what every such import gives: one case, link and notification per
    passenger.
    """
    path = write(tmp_path, "flights.csv", NYC_HEADER + NYC_ROWS)
    out, _err = run(
        "import_flights",
        "--format",
        "nycflights13",
        "--shift-days",
        "4753",
        "--manifests-seed",
        "7",
        *options,
        str(path),
        status=1,
    )
    passengers = ManifestEntry.objects.count()
    assert f"care: {passengers} cases opened, 0 joined" in out
    assert AffectedPassenger.objects.count() == passengers == Case.objects.count()
    told = Notification.objects.filter(purpose="disruption").values("case").distinct()
    assert told.count() == passengers
    return out, passengers


def test_invented_manifests_open_cases_with_a_summary(tmp_path):
    out, passengers = import_with_manifests(tmp_path)

    assert f"manifests: {passengers} passengers invented on 3 flights" in out
    assert " USD refund under United States: DOT rules (" in out
    assert "us_dot" not in out


def test_the_generic_csv_reads_local_times_and_reports_bad_rows(tmp_path):
    content = (
        "carrier,flight_number,flight_date,origin,destination,scheduled_departure,"
        "scheduled_arrival,type,estimated_arrival,delay_code\n"
        "CA,CA981,2026-03-05,PEK,JFK,2026-03-05T13:00,2026-03-05T14:20,delay,"
        "2026-03-05T18:00,71\n"
        "CA,CA982,2026-03-05,JFK,PEK,2026-03-05T16:00,2026-03-06T19:30,wrong,,\n"
    )
    path = write(tmp_path, "ops.csv", content)

    out, err = run("import_flights", "--format", "csv", str(path), status=1)

    assert "read 2 flights: 0 cancellations, 1 arrival delay of 3 h or more" in out
    assert err.startswith("line 3: type: ")
    flight = Flight.objects.get()
    assert flight.scheduled_departure.isoformat() == "2026-03-05T05:00:00+00:00"
    assert flight.cause == "weather"


def test_a_manifest_csv_loads_passengers_and_reports_bad_rows(tmp_path):
    flights = write(tmp_path, "flights.csv", NYC_HEADER + NYC_ROWS)
    run(
        "import_flights",
        "--format",
        "nycflights13",
        "--no-care",
        str(flights),
        status=1,
    )
    onward = json.dumps(
        [
            {
                "carrier": "EV",
                "flight_number": "EV5000",
                "origin": "RDU",
                "destination": "ATL",
                "scheduled_departure": "2013-01-01T20:00",
                "scheduled_arrival": "2013-01-01T21:30",
            }
        ]
    ).replace('"', '""')
    content = (
        "flight_number,flight_date,origin,passenger_name,booking_reference,email,"
        "language,fare_amount,fare_currency,cabin,onward\n"
        "EV4308,2013-01-01,EWR,Li Wei,K7M3PX,li@example.com,zh,180,USD,economy,"
        f'"{onward}"\n'
        "EV4308,2013-01-01,EWR,Ann Smith,K7M3PY,bad-address,en,180,USD,economy,\n"
        "EV9999,2013-01-01,EWR,Bo Chen,K7M3PZ,bo@example.com,en,180,USD,economy,\n"
    )
    path = write(tmp_path, "manifest.csv", content)

    out, err = run("import_manifest", str(path), status=1)

    assert out.splitlines()[0] == (
        "read 3 rows on 1 flight: 1 added, 0 updated, 0 unchanged, 1 rejected, "
        "1 on unknown flights"
    )
    assert err.splitlines() == [
        "line 3: email: Enter a valid e-mail address.",
        "line 4: No such flight: EV9999/2013-01-01/EWR.",
    ]
    entry = ManifestEntry.objects.get()
    assert (entry.language, entry.onward[0]["destination"]) == ("zh-hans", "ATL")
    assert Case.objects.get().language == "zh-hans"


def test_the_generator_is_reproducible_and_invents_no_shared_contacts(tmp_path):
    path = write(tmp_path, "flights.csv", NYC_HEADER + NYC_ROWS)
    import_flights(path, file_format="nycflights13")
    flights = list(Flight.objects.order_by("pk"))

    one, other = ManifestGenerator(7), ManifestGenerator(7)
    first = [one.manifest(f) for f in flights]
    again = [other.manifest(f) for f in flights]

    assert first == again
    rows = [row for manifest in first for row in manifest]
    emails = [row["email"] for row in rows]
    phones = [row["phone"] for row in rows if "phone" in row]
    assert len(set(emails)) == len(emails)
    assert len(set(phones)) == len(phones)
    assert all(e.endswith("@example.com") for e in emails)
    assert all(p[5:10] == "55501" for p in phones)


@pytest.mark.skipif(not JANUARY_2013.exists(), reason="../shared/data is absent")
def test_january_2013_holds_the_expected_disruptions():
    report = import_flights(JANUARY_2013, file_format="nycflights13")

    assert (report.read, report.rejected) == (27004, 0)
    assert (report.cancellations, report.long_delays, report.diversions) == (
        521,
        209,
        85,
    )
    assert Disruption.objects.count() == 521 + 209 + 85


def test_workers_must_be_a_whole_number_of_one_or_more(tmp_path):
    path = write(tmp_path, "flights.csv", NYC_HEADER + NYC_ROWS)

    with pytest.raises(CommandError, match="--workers: must be a whole number"):
        run("import_flights", "--format", "nycflights13", "--workers", "0", str(path))

    assert Flight.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_workers_open_the_same_cases_as_one_process(tmp_path):
    # given the sample's three disrupted flights with invented manifests, imported
    # and cared for by two processes (one on SQLite, which has one writer)
    out, passengers = import_with_manifests(tmp_path, "--workers", "2")

    # then every passenger has one case, one link and one notification (checked by
    # the helper), for the same passengers as in one process
    assert f"manifests: {passengers} passengers invented on 3 flights" in out
    assert passengers > 0


def test_a_care_left_unfinished_is_finished_by_importing_the_file_again(tmp_path):
    # given the sample imported with invented manifests but no care (as a run whose
    # care stopped on the way leaves it)
    path = write(tmp_path, "flights.csv", NYC_HEADER + NYC_ROWS)
    options = ("--format", "nycflights13", "--shift-days", "4753")
    run(
        "import_flights",
        *options,
        "--manifests-seed",
        "7",
        "--no-care",
        str(path),
        status=1,
    )
    passengers = ManifestEntry.objects.count()
    assert passengers > 0 and Case.objects.count() == 0

    # when the same file is imported again: its flights unchanged
    out, _err = run("import_flights", *options, str(path), status=1)

    # then the passengers left get their cases, and a third import opens nothing
    assert out.splitlines()[1] == "flights: unchanged 5"
    assert f"care: {passengers} cases opened, 0 joined" in out
    assert AffectedPassenger.objects.count() == passengers == Case.objects.count()
    again, _err = run("import_flights", *options, str(path), status=1)
    assert "care:" not in again
    assert Case.objects.count() == passengers


@pytest.mark.django_db(transaction=True)
def test_a_care_worker_that_dies_ends_the_import_with_status_3(tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need a database server (PostgreSQL)")
    # given care worker processes that die as a killed one does
    from paxcare.disruptions import workers

    def killed(*args, **kwargs):
        os._exit(9)

    monkeypatch.setattr(workers, "care_for_disruptions", killed)
    path = write(tmp_path, "flights.csv", NYC_HEADER + NYC_ROWS)

    # when the file is imported with its manifests
    with pytest.raises(CommandError) as stopped:
        run(
            "import_flights",
            "--format",
            "nycflights13",
            "--manifests-seed",
            "7",
            "--workers",
            "2",
            str(path),
        )

    # then the import ends with 3 and says how to finish; the flights stay
    assert stopped.value.returncode == 3
    assert "import the same file again" in str(stopped.value)
    assert Disruption.objects.count() == 3
    assert Case.objects.count() == 0
