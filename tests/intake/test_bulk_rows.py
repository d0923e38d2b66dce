"""The bulk path of intake: rows built without Model.__init__, inserted in bulk.

``insert_rows`` sends a large batch with COPY on PostgreSQL and a small one with a
multi-row INSERT; both must store exactly what ``Model.save()`` would and hand back
the keys in order.
"""

import gc
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DataError, IntegrityError, connection, transaction

from paxcare.bulk import (
    BULK_GC_THRESHOLD,
    COPY_MIN_ROWS,
    _encoder,
    any_of,
    fetch_rows,
    frozen_heap,
    insert_rows,
    new_row,
)
from paxcare.cases.models import Case, Channel, Event
from paxcare.crm.models import Booking, FlightSegment, Passenger
from paxcare.routing.models import Department
from paxcare.sla.models import Clock
from paxcare.triage.models import Category

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")


def case_row(passenger: Passenger, n: int, **values) -> Case:
    fields = {
        "number": f"PX-TEST-{n:04d}",
        "subject": f"Bag {n}",
        "description": f"Bag {n} is late.",
        "channel": "web",
        "kind": "complaint",
        "received_at": datetime(2025, 3, 3, 9, n % 60, tzinfo=BEIJING),
        **values,
    }
    related = {
        "category": Category.objects.get(code="baggage.delayed"),
        "passenger": passenger,
        "department": Department.objects.get(code="baggage"),
    }
    return new_row(Case, fields, related)


def test_a_built_row_has_its_defaults_and_its_related_objects_cached():
    passenger = Passenger.objects.create(full_name="Li Wei")

    case = case_row(passenger, 1)

    assert case.pk is None
    assert (case.status, case.priority, case.reopened_count) == ("new", "normal", 0)
    assert case.passenger_id == passenger.pk
    assert case.passenger is passenger
    assert case.assignee_id is None
    assert case._state.adding is True


@pytest.mark.parametrize("count", [3, COPY_MIN_ROWS + 1])
def test_inserted_rows_get_their_keys_in_order_and_read_back_unchanged(count):
    # given rows with aware times in another zone, JSON data and a None
    passenger = Passenger.objects.create(full_name="Li Wei")
    cases = [case_row(passenger, n, external_id=None) for n in range(count)]

    # when they are inserted in one call (COPY on PostgreSQL from COPY_MIN_ROWS)
    insert_rows(cases)
    events = [
        new_row(
            Event,
            {
                "type": "case.created",
                "channel": "web",
                "actor_label": "PaxCare",
                "data": {"n": n, "text": "行李 'quoted' \\ \t tab"},
                "occurred_at": case.received_at,
            },
            {"case": case, "actor": None},
        )
        for n, case in enumerate(cases)
    ]
    insert_rows(events)

    # then every object has the key of its own row
    assert [c.pk for c in cases] == sorted(c.pk for c in cases)
    stored = {c.pk: c for c in Case.objects.filter(pk__in=[c.pk for c in cases])}
    assert [stored[c.pk].number for c in cases] == [c.number for c in cases]
    first = stored[cases[1].pk]
    assert first.received_at == datetime(2025, 3, 3, 1, 1, tzinfo=UTC)
    assert first.external_id is None
    assert first.updated_at is not None
    event = Event.objects.get(pk=events[1].pk)
    assert event.case_id == cases[1].pk
    assert event.data == {"n": 1, "text": "行李 'quoted' \\ \t tab"}
    assert event.occurred_at == cases[1].received_at


@pytest.mark.parametrize("count", [2, COPY_MIN_ROWS + 1])
def test_a_duplicate_key_in_a_batch_is_an_integrity_error(count):
    # given a batch in which two rows share a case number
    passenger = Passenger.objects.create(full_name="Li Wei")
    cases = [case_row(passenger, n) for n in range(count)]
    cases[-1].number = cases[0].number

    # when it is inserted, then Django's IntegrityError says so (intake retries it)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(cases)
    assert Case.objects.count() == 0


def test_a_small_batch_keeps_every_kind_of_value_exactly():
    # given a few rows of every column kind a model here has: text with quotes,
    # backslashes, newlines, Chinese and an emoji, a date, a float, booleans,
    # decimals, durations (one negative, one with microseconds) and None
    passenger = Passenger.objects.create(full_name="Li Wei")
    text = "a 'quoted' \"word\", a \\ and \\n,\nnew line, 行李 ✈️ 😀 {x}"
    cases = [
        case_row(
            passenger,
            n,
            subject=text,
            flight_date=date(2025, 3, n + 1),
            classifier_confidence=[0.1, None, 1 / 3][n],
            needs_triage=n == 1,
        )
        for n in range(3)
    ]
    insert_rows(cases)
    booking = Booking.objects.create(passenger=passenger, record_locator="ABC123")
    segments = [
        new_row(
            FlightSegment,
            {
                "carrier": "CA",
                "flight_number": "CA981",
                "flight_date": date(2025, 3, 3),
                "origin": "PEK",
                "destination": "JFK",
                "fare_amount": fare,
            },
            {"booking": booking},
        )
        for fare in (Decimal("1234.50"), None)
    ]
    started = datetime(2025, 3, 3, 9, 0, tzinfo=BEIJING)
    clocks = [
        new_row(
            Clock,
            {
                "kind": kind,
                "target_minutes": 1440,
                "started_at": started,
                "due_at": started + timedelta(days=1),
                "paused_time": paused,
                "remaining_time": remaining,
            },
            {"case": cases[0], "policy": None, "calendar": None},
        )
        for kind, paused, remaining in (
            ("first_response", timedelta(seconds=97, microseconds=5), None),
            ("resolution", timedelta(0), timedelta(hours=-2, minutes=-30)),
        )
    ]

    # when each model's rows go in one small batch
    insert_rows(segments)
    insert_rows(clocks)

    # then every value reads back as it was
    stored = Case.objects.in_bulk([c.pk for c in cases])
    assert [stored[c.pk].subject for c in cases] == [text] * 3
    assert [stored[c.pk].flight_date for c in cases] == [
        date(2025, 3, 1),
        date(2025, 3, 2),
        date(2025, 3, 3),
    ]
    assert [stored[c.pk].classifier_confidence for c in cases] == [0.1, None, 1 / 3]
    assert [stored[c.pk].needs_triage for c in cases] == [False, True, False]
    assert list(
        FlightSegment.objects.filter(booking=booking)
        .order_by("pk")
        .values_list("fare_amount", flat=True)
    ) == [Decimal("1234.50"), None]
    assert list(
        Clock.objects.filter(case=cases[0])
        .order_by("pk")
        .values_list("paused_time", "remaining_time")
    ) == [
        (timedelta(seconds=97, microseconds=5), None),
        (timedelta(0), timedelta(hours=-2, minutes=-30)),
    ]


def test_a_value_too_long_for_its_column_is_refused_not_cut():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps text of any length")
    # given a case whose airline code is longer than its column's three letters
    passenger = Passenger.objects.create(full_name="Li Wei")
    cases = [case_row(passenger, n) for n in range(2)]
    cases[1].airline = "CAXX"

    # when the batch is inserted, then the database refuses it and stores nothing
    with pytest.raises(DataError), transaction.atomic():
        insert_rows(cases)
    assert Case.objects.count() == 0


def test_large_batches_go_by_copy_on_postgresql(django_assert_num_queries):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    passenger = Passenger.objects.create(full_name="Li Wei")
    cases = [case_row(passenger, n) for n in range(3 * COPY_MIN_ROWS)]

    # one query for the keys, one COPY for all the rows
    with django_assert_num_queries(2) as captured:
        insert_rows(cases)

    assert captured.captured_queries[1]["sql"].startswith("COPY ")
    assert Case.objects.count() == 3 * COPY_MIN_ROWS


def event_row(case: Case, data) -> Event:
    values = {
        "type": "case.created",
        "channel": "web",
        "actor_label": "PaxCare",
        "data": data,
        "occurred_at": case.received_at,
    }
    return new_row(Event, values, {"case": case, "actor": None})


@pytest.mark.parametrize("count", [3, COPY_MIN_ROWS + 1])
def test_rows_sharing_one_json_object_each_store_it_as_it_is_at_the_insert(count):
    # given rows that share one JSON object, and a row with an object of its own
    passenger = Passenger.objects.create(full_name="Li Wei")
    cases = [case_row(passenger, n) for n in range(count)]
    insert_rows(cases)
    shared = {"owed": [["eu261.compensation", "600.00", "EUR"]]}
    first = [event_row(case, shared) for case in cases[:-1]]
    first.append(event_row(cases[-1], {"owed": []}))

    # when they are inserted, the shared object is changed, and more rows share it
    insert_rows(first)
    shared["owed"].append(["eu261.refund", "120.00", "EUR"])
    second = [event_row(case, shared) for case in cases]
    insert_rows(second)

    # then each row holds the object as it was when its own call inserted it
    stored = dict(Event.objects.values_list("pk", "data"))
    assert [stored[e.pk] for e in first] == [
        *[{"owed": [["eu261.compensation", "600.00", "EUR"]]}] * (count - 1),
        {"owed": []},
    ]
    assert [stored[e.pk] for e in second] == [
        {
            "owed": [
                ["eu261.compensation", "600.00", "EUR"],
                ["eu261.refund", "120.00", "EUR"],
            ]
        }
    ] * count


@pytest.mark.parametrize("wanted", [[], ["a@example.com"], ["a@example.com", "c@x.cn"]])
def test_any_of_finds_the_rows_holding_one_of_the_values(wanted):
    # given three passengers, one of them with a case (a join in the query)
    for name, email in [
        ("A", "a@example.com"),
        ("B", "b@example.com"),
        ("C", "c@x.cn"),
    ]:
        Passenger.objects.create(full_name=name, email=email)

    # when they are looked up by a list of e-mails, with and without a join
    plain = Passenger.objects.filter(any_of(Passenger, "email", wanted))
    joined = Case.objects.filter(any_of(Passenger, "email", wanted)).select_related(
        "passenger"
    )

    # then exactly the passengers with those e-mails are found
    assert sorted(plain.values_list("email", flat=True)) == sorted(wanted)
    assert list(joined) == []


def test_fetched_rows_are_the_rows_the_orm_reads():
    # given two stored cases with JSON data on their events, times and a None
    passenger = Passenger.objects.create(full_name="Li Wei", email="li@example.com")
    cases = [
        case_row(passenger, n, airline="CA", flight_date=date(2025, 3, 3))
        for n in (1, 2)
    ]
    insert_rows(cases)
    events = [
        new_row(
            Event,
            {
                "type": "case.created",
                "data": {"n": n, "owed": [["x", "1.00"]]},
                "occurred_at": datetime(2025, 3, 3, 9, n, tzinfo=BEIJING),
            },
            {"case": case},
        )
        for n, case in enumerate(cases)
    ]
    insert_rows(events)

    # when they are fetched as rows and read by the ORM
    fetched = fetch_rows(Event.objects.filter(case__passenger=passenger).order_by("pk"))
    read = list(Event.objects.filter(case__passenger=passenger).order_by("pk"))
    fetched_cases = fetch_rows(Case.objects.filter(pk__in=[c.pk for c in cases]))

    # then every column holds what the ORM reads, and the rows count as saved
    assert [e.__dict__ | {"_state": None} for e in fetched] == [
        e.__dict__ | {"_state": None} for e in read
    ]
    assert [e.data for e in fetched] == [
        {"n": 0, "owed": [["x", "1.00"]]},
        {"n": 1, "owed": [["x", "1.00"]]},
    ]
    assert all(not e._state.adding and e._state.db == "default" for e in fetched)
    assert fetched[0].case == cases[0]
    assert sorted(c.flight_date for c in fetched_cases) == [date(2025, 3, 3)] * 2
    assert {c.received_at for c in fetched_cases} == {c.received_at for c in cases}


@pytest.mark.parametrize("count", [4, COPY_MIN_ROWS + 1])
def test_times_of_a_repeated_hour_keep_their_own_instant(count):
    # given cases received in Chicago's repeated hour, half before the clocks went
    # back (fold 0, -05:00) and half after (fold 1, -06:00): equal in Python
    chicago = ZoneInfo("America/Chicago")
    before = datetime(2025, 11, 2, 1, 30, tzinfo=chicago)
    after = before.replace(fold=1)
    assert before == after
    passenger = Passenger.objects.create(full_name="Li Wei")
    cases = [
        case_row(passenger, n, received_at=(before, after)[n % 2], flight_date=None)
        for n in range(count)
    ]

    # when they are inserted in one call
    insert_rows(cases)

    # then each is stored at its own instant, an hour apart
    stored = Case.objects.in_bulk([c.pk for c in cases])
    assert [stored[c.pk].received_at for c in cases[:2]] == [
        datetime(2025, 11, 2, 6, 30, tzinfo=UTC),
        datetime(2025, 11, 2, 7, 30, tzinfo=UTC),
    ]
    assert {stored[c.pk].received_at for c in cases} == {
        datetime(2025, 11, 2, 6, 30, tzinfo=UTC),
        datetime(2025, 11, 2, 7, 30, tzinfo=UTC),
    }
    assert len({stored[c.pk].received_at for c in cases[::2]}) == 1


def test_a_date_column_and_instants_shared_by_many_rows_read_back_unchanged():
    # given a large batch whose rows share one instant of receipt and one flight
    # date, in another zone than the database's
    passenger = Passenger.objects.create(full_name="Li Wei")
    received = datetime(2025, 3, 3, 9, 15, 30, 123456, tzinfo=BEIJING)
    cases = [
        case_row(passenger, n, received_at=received, flight_date=date(2025, 3, 2))
        for n in range(COPY_MIN_ROWS + 1)
    ]

    # when they are inserted in one call
    insert_rows(cases)

    # then every row holds them exactly
    assert set(
        Case.objects.filter(pk__in=[c.pk for c in cases]).values_list(
            "received_at", "flight_date"
        )
    ) == {(datetime(2025, 3, 3, 1, 15, 30, 123456, tzinfo=UTC), date(2025, 3, 2))}


def test_bulk_work_collects_young_objects_less_often_until_its_last_block_ends():
    # given the collector's own thresholds
    before = gc.get_threshold()

    # when bulk work runs, one block inside another
    with frozen_heap():
        with frozen_heap():
            inner = gc.get_threshold()
        outer = gc.get_threshold()

    # then both ran at the bulk threshold, and the collector is as it was after
    assert inner == outer == (BULK_GC_THRESHOLD, *before[1:])
    assert gc.get_threshold() == before


def test_any_of_matches_text_with_an_array_literals_own_characters_exactly():
    # given passengers whose names hold what an array's text must escape
    names = ['a "quoted", name', "back\\slash {braced}", "NULL", "", "行李 ✈️"]
    for name in names:
        Passenger.objects.create(full_name=name)
    Passenger.objects.create(full_name="back")

    # when they are looked up by those names, and by a name nobody has
    found = Passenger.objects.filter(
        any_of(Passenger, "full_name", [*names, "nobody"])
    ).values_list("full_name", flat=True)

    # then each is found by its own name, and no other
    assert sorted(found) == sorted(names)


def test_any_of_finds_rows_by_their_keys_and_by_a_list_holding_a_none():
    # given three passengers
    rows = [Passenger.objects.create(full_name=n) for n in ("A", "B", "C")]

    # when they are looked up by keys (one unknown), and by keys with a None
    by_keys = Passenger.objects.filter(
        any_of(Passenger, "id", [rows[0].pk, rows[2].pk, 2**62])
    )
    with_none = Passenger.objects.filter(any_of(Passenger, "id", [rows[1].pk, None]))

    # then the rows of those keys are found
    assert sorted(p.full_name for p in by_keys) == ["A", "C"]
    assert [p.full_name for p in with_none] == ["B"]


@pytest.mark.parametrize("encoder", [json.JSONEncoder, DjangoJSONEncoder])
def test_a_json_column_is_written_as_its_fields_encoder_writes_it(encoder):
    # given values of every JSON kind, a choice as a key and what Django's
    # encoder adds (a decimal, a date, an aware time)
    values = [
        {"a": [1, 2.5, None, True, 'é 行李\n"q"'], Channel.SYSTEM: {"x": -0.0}},
        [],
        "top é",
        3.25,
    ]
    if encoder is DjangoJSONEncoder:
        values.append({"fare": Decimal("1.50"), "at": datetime(2025, 3, 3, tzinfo=UTC)})

    # when the bulk path's encoder writes them, then it writes what encode() does
    encode = _encoder(encoder())
    assert [encode(value) for value in values] == [
        encoder().encode(value) for value in values
    ]


def test_a_json_value_that_holds_itself_is_refused():
    looped = {"n": 1}
    looped["self"] = looped

    with pytest.raises(ValueError, match="Circular reference"):
        _encoder(json.JSONEncoder())(looped)
