"""What the QA pass found: rows the database cannot hold, files in other encodings,
a flight to where it left from, times shown on the office's clock, goodwill in an
unknown currency or in miles recorded as money."""

import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from django.utils import translation

from paxcare.comms.models import Notification
from paxcare.disruptions.actions import give_goodwill
from paxcare.disruptions.importers import ImportFileError, import_flights
from paxcare.disruptions.ingest import record_flight_event
from paxcare.disruptions.manifests import load_manifest
from paxcare.disruptions.models import AffectedPassenger, Flight, ManifestEntry
from paxcare.disruptions.timeline import DisruptionEvent, describe_disruption_data
from paxcare.disruptions.wording import local_time
from paxcare.errors import InvalidInput
from paxcare.routing.models import Role
from tests.api.conftest import ApiClient
from tests.disruptions.conftest import AF_JFK_CDG, disrupt, event, passenger, run
from tests.factories import make_agent

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
CANCELLED = {**AF_JFK_CDG, "type": "cancellation", "delay_code": "41"}
FLIGHT_KEY = {"flight_number": "AF23", "flight_date": "2026-01-05", "origin": "JFK"}
MANIFEST_HEADER = (
    "flight_number,flight_date,origin,passenger_name,booking_reference,email,"
    "fare_amount,fare_currency\n"
)
FLIGHTS_CSV_HEADER = (
    "carrier,flight_number,origin,destination,scheduled_departure,"
    "scheduled_arrival,type\n"
)
# United 623 Newark-Chicago, leaving 16:01 New York time, 4 h 29 min late.
UA623 = {
    "carrier": "UA",
    "flight_number": "UA623",
    "carrier_country": "US",
    "origin": "EWR",
    "destination": "ORD",
    "scheduled_departure": "2013-01-01T16:01:00",
    "scheduled_arrival": "2013-01-01T17:42:00",
    "type": "delay",
    "actual_departure": "2013-01-01T20:30:00",
    "actual_arrival": "2013-01-01T22:11:00",
}


@pytest.fixture
def operations(db) -> ApiClient:
    return ApiClient(make_agent("ops", role=Role.ADMIN, departments=()))


def write_bytes(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


# --- 1. Manifest rows the database cannot hold ------------------------------------


def test_import_manifest_refuses_rows_the_database_cannot_hold_and_cares_for_the_rest(
    tmp_path,
):
    disrupt(CANCELLED, [])
    rows = (
        "AF23,2026-01-05,JFK,Ann Smith,K7M3P1,ann1@example.com,500.00,EUR\n"
        "AF23,2026-01-05,JFK,Bob Jones,K7M3P2,bob@example.com,99999999999999,EUR\n"
        "AF23,2026-01-05,JFK,Cy\x00Lee,K7M3P3,cy@example.com,500.00,EUR\n"
        "AF23,2026-01-05,JFK,Di Wu,K7M3P4,di@example.com,500.00,ZZZ\n"
    )
    path = write_bytes(tmp_path, "m.csv", (MANIFEST_HEADER + rows).encode())

    out, err = run("import_manifest", str(path), status=1)

    assert err.splitlines() == [
        "line 3: fare_amount: A fare is at most 9,999,999,999.99.",
        "line 4: passenger_name: Text must not contain NUL characters.",
        "line 5: fare_currency: Unknown currency: give an ISO 4217 code, e.g. USD.",
    ]
    assert out.splitlines() == [
        "read 4 rows on 1 flight: 1 added, 0 updated, 0 unchanged, 3 rejected, "
        "0 on unknown flights",
        "care: 1 case opened, 0 joined, 0 updated, 1 notification queued",
    ]
    entry = ManifestEntry.objects.get()
    assert (entry.passenger_name, entry.fare_amount, entry.fare_currency) == (
        "Ann Smith",
        Decimal("500.00"),
        "EUR",
    )
    assert AffectedPassenger.objects.get().entry == entry


def test_a_manifest_row_is_checked_for_every_value_the_columns_cannot_hold():
    flight = disrupt(CANCELLED, []).flight
    rows = [
        passenger(1, fare_amount="320.005"),
        passenger(2, email="a" * 250 + "@example.com"),
        passenger(3, onward='[{"carrier": "AF\\u0000", "origin": "CDG"}]'),
        passenger(
            4,
            rebooked_departure="0001-01-01T00:30:00+05:00",
            rebooked_arrival="2026-01-07T10:00:00+01:00",
        ),
        passenger(5, fare_amount="1" + "0" * 40 + ".125"),
        passenger(6, fare_amount="410.50", fare_currency="cny"),
    ]

    report = load_manifest(flight, rows)

    assert [
        (p.row, [(e.field, e.code) for e in p.errors]) for p in report.rejected
    ] == [
        (0, [("fare_amount", "too_precise")]),
        (1, [("email", "too_long")]),
        (2, [("onward.0.carrier", "nul_character")]),
        (3, [("rebooked_departure", "date_out_of_range")]),
        (4, [("fare_amount", "too_large")]),
    ]
    assert report.added == 1
    assert list(ManifestEntry.objects.values_list("fare_amount", "fare_currency")) == [
        (Decimal("410.50"), "CNY")
    ]


def test_the_manifest_api_names_each_row_the_database_cannot_hold(operations):
    operations.post("/flights/events", CANCELLED)

    response = operations.post(
        "/flights/manifests",
        {
            "flight": FLIGHT_KEY,
            "passengers": [
                passenger(1),
                passenger(2, fare_amount="99999999999999"),
                passenger(3, fare_currency="ZZZ"),
            ],
        },
    )

    assert response.status_code == 422
    assert [
        (f["field"], f["code"], f["message"])
        for f in response.json()["error"]["fields"]
    ] == [
        (
            "passengers.1.fare_amount",
            "too_large",
            "A fare is at most 9,999,999,999.99.",
        ),
        (
            "passengers.2.fare_currency",
            "unknown_currency",
            "Unknown currency: give an ISO 4217 code, e.g. USD.",
        ),
    ]
    assert ManifestEntry.objects.count() == 0


# --- 2. Files that are not UTF-8 --------------------------------------------------


def test_import_flights_names_a_latin1_csv_and_imports_nothing(tmp_path):
    good = "UA,UA1545,EWR,IAH,2013-01-01T05:15:00,2013-01-01T08:19:00,cancellation\n"
    bad = "B6,B6525,JFK,MCO,2013-01-01T15:55:00,2013-01-01T18:49:00,délai\n"
    path = write_bytes(
        tmp_path, "flights.csv", (FLIGHTS_CSV_HEADER + good + bad).encode("latin-1")
    )

    with pytest.raises(CommandError) as raised:
        run("import_flights", "--format", "csv", str(path))

    assert raised.value.returncode == 2
    assert str(raised.value) == (
        f"{path}: Line 3 is not UTF-8 (byte 0xE9): the file is in another "
        "encoding, such as Latin-1 or GBK. Save it as UTF-8 and import it again; "
        "nothing was imported."
    )
    assert Flight.objects.count() == 0


def test_a_foreign_byte_after_the_first_batch_still_imports_nothing(tmp_path):
    good = "UA,UA1545,EWR,IAH,2013-01-01T05:15:00,2013-01-01T08:19:00,on_time\n"
    bad = "UA,UA1546,EWR,IAH,2013-01-02T05:15:00,2013-01-02T08:19:00,\xe0\n"
    content = FLIGHTS_CSV_HEADER + good * 3 + bad
    path = write_bytes(tmp_path, "flights.csv", content.encode("latin-1"))

    with pytest.raises(ImportFileError, match=r"^Line 5 is not UTF-8 \(byte 0xE0\)"):
        import_flights(path, file_format="csv", batch_size=1)

    assert Flight.objects.count() == 0


def test_import_flights_names_a_utf16_nycflights13_file(tmp_path):
    content = "year,month,day,dep_time,sched_dep_time\n2013,1,1,517,515\n"
    path = write_bytes(tmp_path, "flights.csv", content.encode("utf-16"))

    with pytest.raises(CommandError) as raised:
        run("import_flights", "--format", "nycflights13", str(path))

    assert raised.value.returncode == 2
    assert str(raised.value) == (
        f"{path}: The file is UTF-16, not UTF-8. Save it as UTF-8 and import it again."
    )


def test_import_manifest_names_a_gbk_file_and_imports_nothing(tmp_path):
    disrupt(CANCELLED, [])
    row = "AF23,2026-01-05,JFK,王芳,K7M3P1,wang@example.com,500.00,EUR\n"
    path = write_bytes(tmp_path, "m.csv", (MANIFEST_HEADER + row).encode("gbk"))

    with pytest.raises(CommandError) as raised:
        run("import_manifest", str(path))

    assert raised.value.returncode == 2
    assert str(raised.value).startswith(f"{path}: Line 2 is not UTF-8 (byte 0xCD)")
    assert ManifestEntry.objects.count() == 0


# --- 3. A flight to where it left from --------------------------------------------


def test_the_api_refuses_a_flight_whose_destination_is_its_origin(operations):
    response = operations.post("/flights/events", {**CANCELLED, "destination": "JFK"})

    assert response.status_code == 422
    assert [
        (f["field"], f["code"], f["message"])
        for f in response.json()["error"]["fields"]
    ] == [
        (
            "destination",
            "same_airport",
            "The destination must be another airport than the origin.",
        )
    ]
    assert Flight.objects.count() == 0


def test_the_csv_import_rejects_a_flight_whose_destination_is_its_origin(tmp_path):
    rows = (
        "UA,UA1545,EWR,IAH,2013-01-01T05:15:00,2013-01-01T08:19:00,cancellation\n"
        "UA,UA1546,EWR,EWR,2013-01-01T06:15:00,2013-01-01T09:19:00,cancellation\n"
    )
    path = write_bytes(tmp_path, "flights.csv", (FLIGHTS_CSV_HEADER + rows).encode())

    out, err = run(
        "import_flights", "--format", "csv", "--no-care", str(path), status=1
    )

    assert err.splitlines() == [
        "line 3: destination: The destination must be another airport than the origin."
    ]
    assert out.splitlines()[1] == "flights: created 1"
    assert list(Flight.objects.values_list("flight_number", flat=True)) == ["UA1545"]


# --- 4. Times at the airports' clocks ---------------------------------------------


@pytest.fixture
def ua623(settings):
    # The office is in Shanghai: 16:01 in New York is 05:01 the next day there.
    settings.TIME_ZONE = "Asia/Shanghai"
    return disrupt(UA623, [passenger(1)])


def test_the_public_page_shows_times_at_the_airports(client, ua623):
    response = client.get("/disruptions/UA623-20130101-EWR/", HTTP_ACCEPT_LANGUAGE="en")

    body = response.content.decode()
    assert response.status_code == 200
    assert (
        '<time datetime="2013-01-01T16:01:00-05:00">2013-01-01 16:01 local time (EWR)'
        "</time> – "
        '<time datetime="2013-01-01T17:42:00-06:00">2013-01-01 17:42 local time (ORD)'
        "</time>"
    ) in body
    assert (
        '<time datetime="2013-01-01T20:30:00-05:00">2013-01-01 20:30 local time (EWR)'
        "</time> – "
        '<time datetime="2013-01-01T22:11:00-06:00">2013-01-01 22:11 local time (ORD)'
        "</time>"
    ) in body
    assert "05:01" not in body


def test_the_chinese_list_shows_times_at_the_airports(client, ua623):
    response = client.get("/disruptions/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    body = response.content.decode()
    assert "2013-01-01 16:01（EWR 当地时间）" in body
    assert "2013-01-01 22:11（ORD 当地时间）" in body


def test_the_feeds_give_times_at_the_airports(client, ua623):
    json_feed = client.get("/disruptions/feed/en.json").json()
    atom = ElementTree.fromstring(client.get("/disruptions/feed/en.atom").content)

    item = json_feed["items"][0]
    flight = item["_flight"]
    assert (flight["scheduled_departure"], flight["scheduled_arrival"]) == (
        "2013-01-01T16:01:00-05:00",
        "2013-01-01T17:42:00-06:00",
    )
    assert (flight["expected_departure"], flight["expected_arrival"]) == (
        "2013-01-01T20:30:00-05:00",
        "2013-01-01T22:11:00-06:00",
    )
    lines = item["content_text"].splitlines()
    assert lines[3:5] == [
        "Scheduled: 2013-01-01 16:01 local time (EWR) – "
        "2013-01-01 17:42 local time (ORD).",
        "Expected or actual: 2013-01-01 20:30 local time (EWR) – "
        "2013-01-01 22:11 local time (ORD).",
    ]
    summary = atom.find(f"{ATOM}entry/{ATOM}summary").text
    assert summary.splitlines()[3:5] == lines[3:5]


def test_the_console_page_shows_times_at_the_airports(client, people, ua623):
    client.force_login(people["care_supervisor"])

    response = client.get(f"/console/disruptions/{ua623.pk}/")

    body = response.content.decode()
    assert (
        "2013-01-01 16:01 local time (EWR) – 2013-01-01 17:42 local time (ORD)" in body
    )
    assert (
        "2013-01-01 20:30 local time (EWR) – 2013-01-01 22:11 local time (ORD)" in body
    )


def test_the_notification_gives_rebooking_options_at_the_origin_clock(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    later = {
        **UA623,
        "flight_number": "UA625",
        "scheduled_departure": "2013-01-01T19:00:00",
        "scheduled_arrival": "2013-01-01T20:40:00",
        "type": "on_time",
    }
    del later["actual_departure"], later["actual_arrival"]
    record_flight_event(event(later))
    cancelled = {**UA623, "type": "cancellation"}
    del cancelled["actual_departure"], cancelled["actual_arrival"]

    disrupt(cancelled, [passenger(1)])

    context = Notification.objects.get(purpose="disruption").context
    assert (
        "We can rebook you at no cost, for example on: "
        "UA625, 2013-01-01 19:00 local time (EWR)."
    ) in context["care_text"].splitlines()


def test_a_time_at_an_airport_without_a_known_zone_says_utc():
    moment = datetime(2013, 1, 1, 21, 1, tzinfo=UTC)

    assert local_time(moment, "ZZZ") == "2013-01-01 21:01 UTC"
    assert local_time(moment, "EWR") == "2013-01-01 16:01 local time (EWR)"
    assert local_time(None, "EWR") == ""


# --- 5. Goodwill: a known currency, miles as miles --------------------------------


@pytest.fixture
def supervised(client, people):
    client.force_login(people["care_supervisor"])
    disruption = disrupt(CANCELLED, [passenger(1), passenger(2)])
    return client, disruption


def test_goodwill_in_an_unknown_currency_is_a_form_error(supervised):
    client, disruption = supervised

    response = client.post(
        f"/console/disruptions/{disruption.pk}/goodwill/",
        {
            "amount": "50",
            "currency": "ZZZ",
            "form": "voucher",
            "reference": "6f1c7a52-2a4b-4d3c-9d8e-0c4b2f1e9a10",
        },
    )

    assert response.status_code == 400
    assert response.context["goodwill_form"].errors == {
        "currency": ["Unknown currency: give an ISO 4217 code, e.g. USD."]
    }
    assert AffectedPassenger.objects.filter(goodwill=[]).count() == 2


def test_goodwill_in_miles_is_recorded_as_miles_without_a_currency(supervised):
    client, disruption = supervised

    client.post(
        f"/console/disruptions/{disruption.pk}/goodwill/",
        {
            "amount": "5000",
            "currency": "EUR",
            "form": "miles",
            "reference": "6f1c7a52-2a4b-4d3c-9d8e-0c4b2f1e9a10",
        },
    )

    for row in AffectedPassenger.objects.select_related("case"):
        assert [(g["amount"], g["currency"], g["form"]) for g in row.goodwill] == [
            ("5000", "", "miles")
        ]
        recorded = row.case.events.get(type="disruption.goodwill")
        assert describe_disruption_data(recorded.type, recorded.data) == (
            "Goodwill gesture for flight AF23 2026-01-05: 5,000 miles."
        )
    response = client.get(f"/console/disruptions/{disruption.pk}/")
    goodwill = response.context["summary"].goodwill
    assert [(g.kind, g.amount, g.currency, g.passengers) for g in goodwill] == [
        ("miles", 10000, "", 2)
    ]
    assert "<li>miles: 10,000 (2)</li>" in response.content.decode()


def test_goodwill_in_part_of_a_mile_is_a_form_error(supervised):
    client, disruption = supervised

    response = client.post(
        f"/console/disruptions/{disruption.pk}/goodwill/",
        {
            "amount": "12.5",
            "currency": "",
            "form": "miles",
            "reference": "6f1c7a52-2a4b-4d3c-9d8e-0c4b2f1e9a10",
        },
    )

    assert response.status_code == 400
    assert response.context["goodwill_form"].errors == {
        "amount": ["Give a whole number of miles."]
    }


def test_the_goodwill_action_itself_refuses_an_unknown_currency(people):
    disruption = disrupt(CANCELLED, [passenger(1)])

    with pytest.raises(InvalidInput) as raised:
        give_goodwill(
            disruption,
            amount=Decimal("50"),
            currency="ZZZ",
            form="cash",
            reference="r-1",
            actor=people["care_supervisor"],
        )

    assert [(f.field, f.code) for f in raised.value.fields] == [
        ("currency", "unknown_currency")
    ]
    assert AffectedPassenger.objects.get().goodwill == []


def test_miles_recorded_with_a_currency_before_the_fix_read_as_miles():
    data = {"flight": "AF23 2026-01-05", "amount": "5000.00", "currency": "EUR"}

    line = describe_disruption_data(DisruptionEvent.GOODWILL, {**data, "form": "miles"})

    assert line == "Goodwill gesture for flight AF23 2026-01-05: 5,000 miles."


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [("1000.00", "JPY", "1,000 JPY"), ("50.00", "EUR", "50.00 EUR")],
)
def test_a_goodwill_line_shows_the_amount_with_its_currency_s_decimals(
    amount, currency, shown
):
    data = {"flight": "CA981 2026-12-04", "amount": amount, "currency": currency}

    line = describe_disruption_data(DisruptionEvent.GOODWILL, {**data, "form": "cash"})

    assert line == f"Goodwill gesture for flight CA981 2026-12-04: {shown}."


@pytest.mark.parametrize(
    ("changes", "english", "chinese"),
    [
        (
            {"reason": "manifest"},
            "Reassessed after the passenger's booking changed (flight CA981 "
            "2026-12-04); owed now: no money owed.",
            "旅客的订座变更后已重新评估（航班 CA981 2026-12-04）；现应得：",
        ),
        (
            {"reason": "correction", "version": 2},
            "Flight CA981 2026-12-04 updated (version 2, still cancellation); "
            "owed now: no money owed.",
            "航班 CA981 2026-12-04 已更新（第 2 版，仍为",
        ),
    ],
)
def test_an_update_that_keeps_the_kind_says_so(changes, english, chinese):
    data = {
        "flight": "CA981 2026-12-04",
        "kind": "cancellation",
        "old_kind": "cancellation",
        "version": 1,
        "entitlements": [],
        **changes,
    }

    line = describe_disruption_data(DisruptionEvent.UPDATED, data)
    with translation.override("zh-hans"):
        in_chinese = describe_disruption_data(DisruptionEvent.UPDATED, data)

    assert line == english
    assert in_chinese.startswith(chinese)
    assert "由取消变为取消" not in in_chinese
