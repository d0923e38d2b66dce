"""An unknown airport is the one fault reported: its local times are not "missing"."""

from pathlib import Path

import pytest

from paxcare.disruptions.models import Flight
from paxcare.routing.models import Role
from tests.api.conftest import ApiClient
from tests.disruptions.conftest import CA981_DELAY as CA981
from tests.disruptions.conftest import run
from tests.factories import make_agent

pytestmark = pytest.mark.django_db

HEADER = (
    "carrier,flight_number,flight_date,origin,destination,scheduled_departure,"
    "scheduled_arrival,type,estimated_arrival,delay_code\n"
)


def test_a_csv_row_with_an_unknown_destination_reports_only_the_airport(tmp_path):
    # Given a row whose destination is no airport, its local times all given
    path = Path(tmp_path) / "ops.csv"
    path.write_text(
        HEADER + "CA,CA981,2026-12-20,PEK,XXXX,2026-12-20T13:00,2026-12-20T14:30,"
        "delay,2026-12-20T17:45,41\n",
        encoding="utf-8",
    )

    # When the file is imported
    _out, err = run("import_flights", "--format", "csv", str(path), status=1)

    # Then the row is refused for its airport alone
    assert err.splitlines() == ["line 2: destination: Unknown airport code."]
    assert Flight.objects.count() == 0


def test_a_csv_row_without_its_times_still_says_they_are_required(tmp_path):
    # Given a row at known airports that leaves out the scheduled arrival
    path = Path(tmp_path) / "ops.csv"
    path.write_text(
        HEADER + "CA,CA981,2026-12-20,PEK,JFK,2026-12-20T13:00,,delay,,41\n",
        encoding="utf-8",
    )

    # When the file is imported
    _out, err = run("import_flights", "--format", "csv", str(path), status=1)

    # Then the missing times are named
    assert err.splitlines() == [
        "line 2: scheduled_arrival: This time is required.; "
        "estimated_arrival: A delay needs an estimated or actual time."
    ]


def test_the_api_names_only_the_unknown_origin_of_a_schedule_change():
    # Given an operations account and a schedule change from an unknown airport
    operations = ApiClient(make_agent("ops", role=Role.ADMIN, departments=()))
    body = {
        **CA981,
        "origin": "QQQ",
        "type": "schedule_change",
        "new_departure": "2026-12-20T09:00:00",
        "new_arrival": "2026-12-20T12:00:00",
    }

    # When it is posted
    response = operations.post("/flights/events", body)

    # Then the origin is the only field in error
    assert response.status_code == 422
    assert [(f["field"], f["code"]) for f in response.json()["error"]["fields"]] == [
        ("origin", "unknown_airport")
    ]
