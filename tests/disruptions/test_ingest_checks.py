"""The second QA pass on flight events, flight files and manifests: broken CSV
records, times ahead of the clock, contradictory identities, answers on one clock,
repeated passengers, the feed's ids and who was actually reached."""

import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from paxcare.disruptions.ingest import record_flight_event
from paxcare.disruptions.models import Disruption, Flight, ManifestEntry
from paxcare.disruptions.summary import summarise
from paxcare.public import public_url
from paxcare.routing.models import Role
from tests.api.conftest import ApiClient
from tests.disruptions.conftest import AF_JFK_CDG, disrupt, event, passenger, run
from tests.disruptions.test_imports import NYC_HEADER
from tests.factories import make_agent

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
FLIGHTS_HEADER = (
    "carrier,flight_number,origin,destination,scheduled_departure,"
    "scheduled_arrival,type\n"
)
MANIFEST_HEADER = "flight_number,flight_date,origin,passenger_name,booking_reference\n"
CANCELLED = {**AF_JFK_CDG, "type": "cancellation", "delay_code": "41"}
# United Newark-Houston, a domestic flight of 3 h 30 min.
UA_EWR_IAH = {
    "carrier": "UA",
    "flight_number": "UA1545",
    "origin": "EWR",
    "destination": "IAH",
    "scheduled_departure": "2026-12-04T08:00:00",
    "scheduled_arrival": "2026-12-04T10:30:00",
    "type": "on_time",
}
FLIGHT_KEY = {"flight_number": "AF23", "flight_date": "2026-01-05", "origin": "JFK"}
BIG_CELL = "x" * 200_000


def unclosed_quote(problem: str) -> str:
    return (
        f"a quote opened on this line does not close where the row ends ({problem}); "
        "the lines after it were read again"
    )


@pytest.fixture
def operations(db) -> ApiClient:
    return ApiClient(make_agent("ops", role=Role.ADMIN, departments=()))


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = Path(tmp_path) / name
    path.write_text(content, encoding="utf-8")
    return path


def flight_row(number: int, *, destination: str = "IAH") -> str:
    return (
        f"UA,UA{number},EWR,{destination},2026-12-04T08:00,2026-12-04T10:30,on_time\n"
    )


def field_errors(response) -> list[tuple[str, str]]:
    return [(f["field"], f["code"]) for f in response.json()["error"]["fields"]]


# --- 2 and 19. A broken record costs its own row, never the file or the next rows


def test_an_oversized_cell_in_a_flights_csv_is_one_rejected_row(tmp_path):
    # Given a row with a 200 KB cell between two good rows
    path = write(
        tmp_path,
        "flights.csv",
        FLIGHTS_HEADER
        + flight_row(101)
        + f"UA,UA102,EWR,IAH,2026-12-04T08:00,2026-12-04T10:30,{BIG_CELL}\n"
        + flight_row(103),
    )

    # When it is imported
    out, err = run("import_flights", "--format", "csv", str(path), status=1)

    # Then the row is named with its line and column, and the others are recorded
    assert err.splitlines() == [
        "line 3: type: not valid CSV (field larger than field limit (131072))",
    ]
    assert out.splitlines()[0].startswith("read 3 flights:")
    assert sorted(Flight.objects.values_list("flight_number", flat=True)) == [
        "UA101",
        "UA103",
    ]


def test_an_unclosed_quote_in_a_flights_csv_swallows_no_following_row(tmp_path):
    # Given ten rows, the first of which opens a quote it never closes
    broken = 'UA,UA100,EWR,"IAH,2026-12-04T08:00,2026-12-04T10:30,on_time\n'
    rows = [flight_row(n) for n in range(101, 110)]
    path = write(tmp_path, "flights.csv", FLIGHTS_HEADER + broken + "".join(rows))

    # When it is imported
    out, err = run("import_flights", "--format", "csv", str(path), status=1)

    # Then the broken row is reported on its own line and the nine others recorded
    assert err.splitlines() == [
        "line 2: " + unclosed_quote("unexpected end of data"),
    ]
    assert out.splitlines()[0].startswith("read 10 flights:")
    assert Flight.objects.count() == 9


def test_an_unclosed_quote_or_a_huge_cell_in_a_manifest_loses_no_passenger(
    tmp_path,
):
    # Given a cancelled flight and a manifest with a broken row among good ones
    disrupt(CANCELLED, [])
    path = write(
        tmp_path,
        "manifest.csv",
        MANIFEST_HEADER
        + 'AF23,2026-01-05,JFK,"Ann Smith,K7M3P1\n'
        + "AF23,2026-01-05,JFK,Bob Jones,K7M3P2\n"
        + f"AF23,2026-01-05,JFK,{BIG_CELL},K7M3P3\n"
        + "AF23,2026-01-05,JFK,Cy Lee,K7M3P4\n",
    )

    # When it is imported
    out, err = run("import_manifest", "--no-care", str(path), status=1)

    # Then each broken row is reported with its line, and the others are loaded
    assert err.splitlines() == [
        "line 2: " + unclosed_quote("field larger than field limit (131072)"),
        "line 4: passenger_name: not valid CSV (field larger than field limit "
        "(131072))",
    ]
    assert out.splitlines() == [
        "read 4 rows on 1 flight: 2 added, 0 updated, 0 unchanged, 2 rejected, "
        "0 on unknown flights"
    ]
    assert sorted(ManifestEntry.objects.values_list("passenger_name", flat=True)) == [
        "Bob Jones",
        "Cy Lee",
    ]


# --- 24. A manifest without its booking_reference column --------------------------


def test_a_manifest_without_booking_references_names_the_missing_column(tmp_path):
    # Given a manifest file without the booking_reference column
    disrupt(CANCELLED, [])
    path = write(
        tmp_path,
        "manifest.csv",
        "flight_number,flight_date,origin,passenger_name\n"
        "AF23,2026-01-05,JFK,Ann Smith\n",
    )

    # When it is imported
    with pytest.raises(CommandError) as raised:
        run("import_manifest", str(path))

    # Then the file is refused naming the column, and nothing is imported
    assert raised.value.returncode == 2
    assert str(raised.value) == f"{path}: Missing columns: booking_reference."
    assert ManifestEntry.objects.count() == 0


# --- 3 and 22. Times ahead of the server's clock ----------------------------------


@pytest.mark.parametrize("name", ["issued_at", "notified_at"])
def test_a_time_that_has_not_happened_yet_is_refused(operations, name):
    # Given a cancellation said to have been issued or announced in 2099
    body = {**CANCELLED, name: "2099-12-04T05:00:00Z"}

    # When it is posted
    response = operations.post("/flights/events", body)

    # Then the time is the field at fault and nothing is recorded
    assert response.status_code == 422
    assert field_errors(response) == [(name, "in_future")]
    assert response.json()["error"]["fields"][0]["message"] == (
        "This time is in the future: it may be at most 5 minutes ahead of the "
        "server's clock."
    )
    assert Flight.objects.count() == 0


def test_a_real_event_after_a_refused_future_one_is_applied(operations):
    # Given a future issued_at that was refused
    operations.post("/flights/events", {**CANCELLED, "issued_at": "2099-12-04T05:00Z"})

    # When a real event is posted
    response = operations.post(
        "/flights/events", {**CANCELLED, "issued_at": "2026-01-05T12:00Z"}
    )

    # Then it is the one recorded
    assert (response.status_code, response.json()["outcome"]) == (201, "created")


# --- 4. A repeated picture keeps its newer issued_at -------------------------------


def test_an_older_event_after_a_repeated_newer_one_is_stale():
    # Given a cancelled flight, then the same cancellation issued at 05:00
    record_flight_event(event(CANCELLED))
    again = record_flight_event(event(CANCELLED, issued_at="2026-01-05T05:00Z"))

    # When an on-time picture issued at 04:00 arrives late
    late = record_flight_event(
        event(
            AF_JFK_CDG,
            type="on_time",
            actual_departure="2026-01-05T18:00:00-05:00",
            issued_at="2026-01-05T04:00Z",
        )
    )

    # Then the repeat was unchanged but kept its time, and the late one is stale
    assert (again.outcome, late.outcome) == ("unchanged", "stale")
    disruption = Disruption.objects.get()
    assert (disruption.kind, disruption.version) == ("cancellation", 1)
    assert disruption.issued_at == datetime(2026, 1, 5, 5, 0, tzinfo=UTC)


# --- 5. Contradictory flight identity ---------------------------------------------


def test_a_flight_date_other_than_the_local_date_of_departure_is_refused(operations):
    # Given an event whose flight date is five days after its departure
    body = {**UA_EWR_IAH, "flight_date": "2026-12-09"}

    # When it is posted
    response = operations.post("/flights/events", body)

    # Then the flight date is at fault, with the date it should be
    assert response.status_code == 422
    assert field_errors(response) == [("flight_date", "date_mismatch")]
    assert response.json()["error"]["fields"][0]["message"] == (
        "The flight date is the local date of the scheduled departure at the "
        "origin: 2026-12-04."
    )
    assert Flight.objects.count() == 0


def test_a_flight_date_equal_to_the_local_date_of_departure_is_accepted(operations):
    # Given a late-evening departure, the next day in UTC
    body = {
        **UA_EWR_IAH,
        "flight_date": "2026-12-04",
        "scheduled_departure": "2026-12-04T22:00:00",
        "scheduled_arrival": "2026-12-05T00:30:00",
    }

    # When it is posted
    response = operations.post("/flights/events", body)

    # Then it is recorded on the local date
    assert response.status_code == 200
    assert response.json()["flight"]["flight_date"] == "2026-12-04"


def test_a_flight_number_of_another_carrier_is_refused(operations):
    # Given Delta as the carrier of a United flight number
    body = {**UA_EWR_IAH, "carrier": "DL", "flight_number": "UA100"}

    # When it is posted
    response = operations.post("/flights/events", body)

    # Then the flight number is at fault
    assert response.status_code == 422
    assert field_errors(response) == [("flight_number", "carrier_mismatch")]
    assert response.json()["error"]["fields"][0]["message"] == (
        "The flight number does not start with the carrier's code, DL."
    )


# --- 22. Other pictures no flight can have ----------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"carrier_country": "ZZ"}, [("carrier_country", "unknown_country")]),
        (
            {"type": "diversion", "diverted_to": "IAH"},
            [("diverted_to", "same_airport")],
        ),
        (
            {"scheduled_departure": "2026-12-04T08:00:00+14:00"},
            [("scheduled_arrival", "too_long")],
        ),
    ],
)
def test_a_picture_no_flight_can_have_is_refused(operations, changes, expected):
    # Given an EWR-IAH event with one impossible detail
    body = {**UA_EWR_IAH, **changes}

    # When it is posted
    response = operations.post("/flights/events", body)

    # Then that detail is the field at fault
    assert response.status_code == 422
    assert field_errors(response) == expected
    assert Flight.objects.count() == 0


def test_a_diversion_elsewhere_and_a_long_flight_are_accepted(operations):
    # Given a diversion to Austin, and Singapore-Newark blocked at 18 h 45 min
    diverted = {**UA_EWR_IAH, "type": "diversion", "diverted_to": "AUS"}
    long_haul = {
        "carrier": "SQ",
        "flight_number": "SQ22",
        "origin": "SIN",
        "destination": "EWR",
        "scheduled_departure": "2026-12-04T00:30:00+08:00",
        "scheduled_arrival": "2026-12-04T06:15:00-05:00",
        "type": "on_time",
        "carrier_country": "SG",
    }

    # When they are posted
    responses = [operations.post("/flights/events", b) for b in (diverted, long_haul)]

    # Then both are recorded
    assert [r.status_code for r in responses] == [201, 200]


# --- 20. Every answer on the airports' clocks -------------------------------------


def test_every_answer_gives_the_times_at_the_airports_clocks(operations):
    # Given a cancellation, the same again, then a correction to a long delay
    delayed = {
        **AF_JFK_CDG,
        "type": "delay",
        "estimated_departure": "2026-01-05T23:00:00-05:00",
    }

    # When they are posted
    answers = [
        operations.post("/flights/events", body).json()
        for body in (CANCELLED, CANCELLED, delayed)
    ]

    # Then each answer gives departures at JFK's offset and arrivals at CDG's
    assert [a["outcome"] for a in answers] == ["created", "unchanged", "updated"]
    assert [
        (
            a["flight"]["scheduled_departure"],
            a["flight"]["scheduled_arrival"],
            a["disruption"]["flight"]["scheduled_departure"],
        )
        for a in answers
    ] == [
        (
            "2026-01-05T18:00:00-05:00",
            "2026-01-06T07:30:00+01:00",
            "2026-01-05T18:00:00-05:00",
        )
    ] * 3
    assert answers[2]["flight"]["estimated_departure"] == "2026-01-05T23:00:00-05:00"


# --- 9 and 17. Manifest languages and repeated passengers -------------------------


@pytest.mark.parametrize("language", ["zh", "zh-hans", "ZH-CN", "chinese"])
def test_the_manifest_api_takes_the_language_codes_of_the_import(operations, language):
    # Given a cancelled flight and a passenger whose language is a Chinese code
    disrupt(CANCELLED, [])
    body = {"flight": FLIGHT_KEY, "passengers": [passenger(1, language=language)]}

    # When the manifest is posted
    response = operations.post("/flights/manifests", body)

    # Then the passenger is added, to be addressed in Chinese
    assert (response.status_code, response.json()) == (
        200,
        {"added": 1, "updated": 0, "unchanged": 0},
    )
    assert ManifestEntry.objects.get().language == "zh-hans"


def test_the_manifest_api_refuses_an_unknown_language_on_its_field(operations):
    # Given a passenger in a language PaxCare does not write
    disrupt(CANCELLED, [])
    body = {"flight": FLIGHT_KEY, "passengers": [passenger(1, language="fr")]}

    # When the manifest is posted
    response = operations.post("/flights/manifests", body)

    # Then the passenger's language is the field at fault
    assert response.status_code == 422
    assert field_errors(response) == [("passengers.0.language", "invalid_choice")]


def test_a_passenger_twice_with_other_details_is_refused(operations):
    # Given two rows of one booking and name with different e-mails
    disrupt(CANCELLED, [])
    rows = [passenger(1), passenger(1, email="other@example.com")]

    # When the manifest is posted
    response = operations.post(
        "/flights/manifests", {"flight": FLIGHT_KEY, "passengers": rows}
    )

    # Then the repeat is the row at fault and nothing is written
    assert response.status_code == 422
    assert field_errors(response) == [
        ("passengers.1.booking_reference", "repeated_passenger")
    ]
    assert ManifestEntry.objects.count() == 0


def test_the_same_passenger_row_twice_is_one_passenger(operations):
    # Given the same row twice
    disrupt(CANCELLED, [])
    body = {"flight": FLIGHT_KEY, "passengers": [passenger(1), passenger(1)]}

    # When the manifest is posted
    response = operations.post("/flights/manifests", body)

    # Then one passenger is added
    assert response.json() == {"added": 1, "updated": 0, "unchanged": 0}


# --- 18. nycflights13 rows read strictly ------------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "2013,1,1,517,2460,2,830,819,11,UA,1545,N1,EWR,IAH,227,1400,5,15,x",
            "sched_dep_time: Give a clock time as hhmm, 0000 to 2359.",
        ),
        (
            "2013,1,1,517,515,2,830,1975,11,UA,1545,N1,EWR,IAH,227,1400,5,15,x",
            "sched_arr_time: Give a clock time as hhmm, 0000 to 2359.",
        ),
        (
            "2013,1,1,517,515,2,830,819,11,UA,1545,N1,EWR,XXX,227,1400,5,15,x",
            "dest: Unknown airport code.",
        ),
        (
            "2013,1,1,517,515,2,830,819,99999999999,UA,1545,N1,EWR,IAH,227,1400,5,15,x",
            "arr_delay: The delay moves the time outside the years 1900 to 2999.",
        ),
        (
            "2013,1,1,517,515,two,830,819,11,UA,1545,N1,EWR,IAH,227,1400,5,15,x",
            "dep_delay: Give a number.",
        ),
        (
            "2013,13,1,517,515,2,830,819,11,UA,1545,N1,EWR,IAH,227,1400,5,15,x",
            "month: Give a month from 1 to 12.",
        ),
        (
            "2013,2,30,517,515,2,830,819,11,UA,1545,N1,EWR,IAH,227,1400,5,15,x",
            "day: No such day in that month.",
        ),
    ],
)
def test_a_nycflights13_row_names_its_one_fault(tmp_path, row, message):
    # Given a flights table with one faulty row
    path = write(tmp_path, "flights.csv", NYC_HEADER + row + "\n")

    # When it is imported
    _out, err = run("import_flights", "--format", "nycflights13", str(path), status=1)

    # Then the row is refused for that column alone
    assert err.splitlines() == [
        f"line 2: {message}",
    ]
    assert Flight.objects.count() == 0


def test_a_nycflights13_arrival_at_2400_is_midnight(tmp_path):
    # Given a flight landing at 2400 local time
    row = "2013,1,1,2100,2100,0,2400,2400,0,UA,1545,N1,EWR,IAH,227,1400,21,0,x\n"
    path = write(tmp_path, "flights.csv", NYC_HEADER + row)

    # When it is imported
    run("import_flights", "--format", "nycflights13", str(path))

    # Then it lands at midnight at the end of the day, Houston time
    assert Flight.objects.get().scheduled_arrival == datetime(
        2013, 1, 2, 6, 0, tzinfo=UTC
    )


# --- 21. The Atom feed ------------------------------------------------------------


def test_the_atom_entry_has_an_iri_id_and_a_plain_text_summary(client):
    # Given a published cancellation
    disrupt(CANCELLED, [])

    # When the feed is read
    atom = ElementTree.fromstring(client.get("/disruptions/feed/en.atom").content)

    # Then the entry's id is its address, per version, and its summary is text
    entry = atom.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}id").text == public_url(
        "/disruptions/AF23-20260105-JFK/#v1"
    )
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "text"
    assert summary.text.splitlines()[0] == "AF23 JFK–CDG on Jan. 5, 2026 is cancelled."


# --- 11. Who was reached ----------------------------------------------------------


def test_a_passenger_without_contacts_is_affected_but_not_reached(client, db):
    # Given a cancellation with one passenger with an e-mail and one with none
    disruption = disrupt(CANCELLED, [passenger(1), passenger(2, email="")])
    supervisor = make_agent(
        "care.super", role=Role.SUPERVISOR, departments=("disruption-care",)
    )
    client.force_login(supervisor)

    # When the disruption page is shown
    response = client.get(f"/console/disruptions/{disruption.pk}/")

    # Then two are affected and one is reached
    summary = response.context["summary"]
    assert (summary.on_manifest, summary.affected, summary.reached) == (2, 2, 1)
    assert "<dt>Reached</dt><dd>1</dd>" in response.content.decode()
    assert summarise(disruption).reached == 1


def test_the_api_counts_the_passengers_reached(operations):
    # Given a cancellation with one passenger with an e-mail and one with none
    disruption = disrupt(CANCELLED, [passenger(1), passenger(2, email="")])

    # When the disruption is read through the API
    response = operations.get(f"/flights/disruptions/{disruption.pk}")

    # Then two passengers are affected and one is reached
    counts = response.json()["counts"]
    assert (counts["on_manifest"], counts["affected"], counts["reached"]) == (2, 2, 1)
