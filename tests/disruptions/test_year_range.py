"""Flight dates outside the years PaxCare works with: a row's error, never a crash."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from paxcare.disruptions.flight_events import read_flight_event
from paxcare.disruptions.models import Flight
from paxcare.errors import InvalidInput
from paxcare.routing.models import Role
from tests.api.conftest import ApiClient
from tests.disruptions.conftest import AF_JFK_CDG
from tests.factories import make_agent

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "Give a date between the years 1900 and 2999."
NYC_HEADER = (
    "year,month,day,dep_time,sched_dep_time,dep_delay,arr_time,sched_arr_time,"
    "arr_delay,carrier,flight,tailnum,origin,dest,air_time,distance,hour,minute,"
    "time_hour\n"
)
NYC_CANCELLED = (
    "{year},1,1,NA,1630,NA,NA,1815,NA,EV,{number},N1,EWR,RDU,NA,416,16,30,x\n"
)
CSV_HEADER = (
    "carrier,flight_number,flight_date,origin,destination,scheduled_departure,"
    "scheduled_arrival,type\n"
)


def write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "flights.csv"
    path.write_text(content, encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str, str]:
    """Run ``import-flights``; return its exit status, stdout, stderr, last words."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import_flights", *args, "--no-care", stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue(), str(error)
    return 0, out.getvalue(), err.getvalue(), ""


def nyc(*years: str) -> str:
    rows = [NYC_CANCELLED.format(year=y, number=4300 + n) for n, y in enumerate(years)]
    return NYC_HEADER + "".join(rows)


def test_a_nycflights13_row_outside_the_years_is_rejected_alone(tmp_path):
    path = write(tmp_path, nyc("2013", "13", "3013", "0", "2013"))

    status, out, err, last = run("--format", "nycflights13", str(path))

    assert status == 1
    assert err.splitlines() == [
        f"line 3: year: {OUT_OF_RANGE}",
        f"line 4: year: {OUT_OF_RANGE}",
        f"line 5: year: {OUT_OF_RANGE}",
    ]
    assert out.startswith("read 5 flights: 2 cancellations,")
    assert "; rejected 3;" in out.splitlines()[0]
    assert last == "3 of 5 rows were rejected; the others were imported."
    assert sorted(Flight.objects.values_list("flight_number", flat=True)) == [
        "EV4300",
        "EV4304",
    ]


@pytest.mark.parametrize("days", ["400000", "-50000", "99999999"])
def test_a_shift_out_of_the_years_rejects_the_rows_it_moves_there(tmp_path, days):
    path = write(tmp_path, nyc("2013", "2013"))

    status, _out, err, last = run(
        "--format", "nycflights13", "--shift-days", days, str(path)
    )

    assert status == 1
    assert err.splitlines() == [
        f"line 2: year: {OUT_OF_RANGE}",
        f"line 3: year: {OUT_OF_RANGE}",
    ]
    assert last == "All 2 rows were rejected; nothing was imported."
    assert not Flight.objects.exists()


def test_a_generic_csv_row_outside_the_years_is_rejected_alone(tmp_path):
    path = write(
        tmp_path,
        CSV_HEADER
        + "UA,UA1,2013-01-01,EWR,IAH,2013-01-01T05:15,2013-01-01T08:19,cancellation\n"
        + "UA,UA2,,EWR,IAH,0001-01-01T05:15,0001-01-01T08:19,cancellation\n"
        + "UA,UA3,1899-12-31,EWR,IAH,2013-01-01T05:15,2013-01-01T08:19,cancellation\n"
        + "UA,UA4,,EWR,IAH,2013-01-01T05:15,3000-01-01T08:19,cancellation\n",
    )

    status, out, err, last = run("--format", "csv", str(path))

    assert status == 1
    assert err.splitlines() == [
        f"line 3: scheduled_departure: {OUT_OF_RANGE}; "
        f"scheduled_arrival: {OUT_OF_RANGE}",
        f"line 4: flight_date: {OUT_OF_RANGE}",
        f"line 5: scheduled_arrival: {OUT_OF_RANGE}",
    ]
    assert "; rejected 3;" in out.splitlines()[0]
    assert last == "3 of 4 rows were rejected; the others were imported."
    assert list(Flight.objects.values_list("flight_number", flat=True)) == ["UA1"]


def test_a_generic_csv_shifted_out_of_the_years_is_rejected_row_by_row(tmp_path):
    path = write(
        tmp_path,
        CSV_HEADER
        + "UA,UA1,2013-01-01,EWR,IAH,2013-01-01T05:15,2013-01-01T08:19,cancellation\n"
        + "UA,UA2,,EWR,IAH,2990-01-01T05:15,2990-01-01T08:19,cancellation\n",
    )

    status, _out, err, last = run("--format", "csv", "--shift-days", "4753", str(path))

    assert status == 1
    assert err.splitlines() == [f"line 3: scheduled_departure: {OUT_OF_RANGE}"]
    assert last == "1 of 2 rows was rejected; the others were imported."
    assert Flight.objects.get().flight_date.isoformat() == "2026-01-06"


def test_a_file_of_good_rows_ends_with_status_0(tmp_path):
    path = write(tmp_path, nyc("2013", "1900", "2999"))

    status, out, err, _last = run("--format", "nycflights13", str(path))

    assert (status, err) == (0, "")
    assert "; rejected 0;" in out
    assert Flight.objects.count() == 3


def test_the_event_reader_names_each_date_outside_the_years():
    with pytest.raises(InvalidInput) as raised:
        read_flight_event(
            {
                **AF_JFK_CDG,
                "type": "cancellation",
                "flight_date": "0001-01-01",
                "notified_at": "9999-12-31T23:59:00+00:00",
            }
        )

    assert [(f.field, f.code, f.message) for f in raised.value.fields] == [
        ("notified_at", "date_out_of_range", OUT_OF_RANGE),
        ("flight_date", "date_out_of_range", OUT_OF_RANGE),
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"scheduled_departure": "0001-01-01T10:00:00"}, "scheduled_departure"),
        ({"flight_date": "1899-12-31"}, "flight_date"),
        ({"actual_arrival": "3000-01-01T00:00:00+00:00"}, "actual_arrival"),
    ],
)
def test_the_events_api_answers_a_date_outside_the_years_on_its_field(changes, field):
    operations = ApiClient(make_agent("ops", role=Role.ADMIN, departments=()))

    response = operations.post(
        "/flights/events", {**AF_JFK_CDG, "type": "cancellation", **changes}
    )

    assert response.status_code == 422
    assert [
        (f["field"], f["code"], f["message"])
        for f in response.json()["error"]["fields"]
    ] == [(field, "date_out_of_range", OUT_OF_RANGE)]
    assert not Flight.objects.exists()
