"""The Zendesk import reports what it read otherwise than written; times keep order.

Every ticket is received 2025-03-05 00:00 UTC unless a test says otherwise.
"""

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from paxcare.cases.models import Case
from paxcare.insights.zendesk import import_zendesk_json
from paxcare.surveys.models import Survey

pytestmark = pytest.mark.django_db

CREATED = datetime(2025, 3, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def in_english():
    # The report's lines are in the active language; a page test may leave another.
    with translation.override("en"):
        yield


def ticket(number: int, **fields) -> dict:
    return {
        "id": number,
        "subject": f"Ticket {number}",
        "description": "My bag did not arrive.",
        "status": "open",
        "via": {"channel": "email"},
        "requester_id": 7,
        "requester": {"id": 7, "name": "Li Wei", "email": f"li{number}@example.com"},
        "created_at": "2025-03-05T00:00:00Z",
        **fields,
    }


def import_tickets(tmp_path, tickets: list[dict]):
    path = tmp_path / "tickets.json"
    path.write_text("\n".join(json.dumps(t) for t in tickets) + "\n", encoding="utf-8")
    lines = []
    report = import_zendesk_json(path, zone=ZoneInfo("UTC"), on_error=lines.append)
    return report, [(line.line, line.message) for line in lines]


def test_an_unknown_rating_score_is_reported_and_the_ticket_imported(tmp_path):
    # Given
    rated = {"score": "great", "updated_at": "2025-03-06T00:00:00Z"}

    # When
    report, lines = import_tickets(tmp_path, [ticket(1, satisfaction_rating=rated)])

    # Then
    assert (report.created, report.rejected) == (1, 0)
    assert lines == [
        (
            1,
            "satisfaction_rating.score 'great' is not good, bad or offered: "
            "imported without a survey",
        )
    ]
    assert Survey.objects.count() == 0


def test_unoffered_and_known_scores_say_nothing(tmp_path):
    report, lines = import_tickets(
        tmp_path,
        [
            ticket(1, satisfaction_rating={"score": "unoffered"}),
            ticket(2, satisfaction_rating={"score": "good"}),
            ticket(3, satisfaction_rating={"score": "offered"}),
        ],
    )

    assert (report.created, lines) == (3, [])


def test_solved_before_created_is_reported_and_the_survey_follows_the_receipt(
    tmp_path,
):
    # Given: solved and rated two days before the ticket was created.
    solved_early = ticket(
        1,
        status="solved",
        metric_set={"solved_at": "2025-03-03T00:00:00Z"},
        satisfaction_rating={
            "score": "good",
            "created_at": "2025-03-03T01:00:00Z",
            "updated_at": "2025-03-03T02:00:00Z",
        },
    )

    # When
    report, lines = import_tickets(tmp_path, [solved_early])

    # Then: imported, its line says what was moved, and nothing precedes receipt.
    assert (report.created, report.rejected) == (1, 0)
    assert lines == [
        (
            1,
            "metric_set.solved_at 2025-03-03T00:00:00+00:00 is before created_at: "
            "taken as created_at; "
            "satisfaction_rating.created_at 2025-03-03T01:00:00+00:00 is before "
            "created_at: taken as created_at; "
            "satisfaction_rating.updated_at 2025-03-03T02:00:00+00:00 is before "
            "created_at: taken as created_at",
        )
    ]
    case = Case.objects.get()
    survey = Survey.objects.get()
    assert (case.received_at, case.resolved_at) == (CREATED, CREATED)
    assert (survey.created_at, survey.answered_at, survey.rating) == (
        CREATED,
        CREATED,
        5,
    )


def test_a_rating_answered_before_it_was_offered_is_answered_when_offered(tmp_path):
    rated = {
        "score": "bad",
        "created_at": "2025-03-06T10:00:00Z",
        "updated_at": "2025-03-06T09:00:00Z",
    }

    import_tickets(tmp_path, [ticket(1, status="solved", satisfaction_rating=rated)])

    survey = Survey.objects.get()
    offered = datetime(2025, 3, 6, 10, tzinfo=UTC)
    assert (survey.created_at, survey.answered_at) == (offered, offered)


def test_the_flight_tag_gives_the_airline_of_its_prefix(tmp_path):
    report, lines = import_tickets(
        tmp_path,
        [
            ticket(1, tags=["flight_ca981", "airport_pek"]),
            ticket(2, tags=["flight_3u8888"]),
        ],
    )

    assert (report.created, lines) == (2, [])
    assert list(
        Case.objects.order_by("external_id").values_list(
            "flight_number", "airline", "airport"
        )
    ) == [("CA981", "CA", "PEK"), ("3U8888", "3U", "")]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"created_at": "0001-01-01T00:00:00Z"},
            "created_at: Give a date between the years 1900 and 2999.",
        ),
        (
            {"updated_at": "9999-12-31T00:00:00Z"},
            "updated_at: Give a date between the years 1900 and 2999.",
        ),
        (
            {"status": "solved", "metric_set": {"solved_at": "0001-01-01T00:00:00Z"}},
            "metric_set.solved_at: Give a date between the years 1900 and 2999.",
        ),
        (
            {"satisfaction_rating": {"score": "good", "updated_at": "0001-01-01"}},
            "satisfaction_rating.updated_at: Give a date between the years 1900 and "
            "2999.",
        ),
        # Within the years, a receipt still follows intake's rule for receipts.
        (
            {"created_at": "1999-12-31T23:00:00Z"},
            "created_at: Times before 2000-01-01 are not accepted; check the year.",
        ),
    ],
)
def test_times_outside_the_years_are_refused_with_the_projects_message(
    tmp_path, fields, message
):
    report, lines = import_tickets(tmp_path, [ticket(1, **fields)])

    assert (report.created, report.rejected) == (0, 1)
    assert lines == [(1, message)]


def test_a_year_one_local_time_in_a_zone_east_of_utc_is_a_line_not_a_crash(tmp_path):
    path = tmp_path / "tickets.json"
    path.write_text(
        json.dumps(ticket(1, created_at="0001-01-01 00:00:00")) + "\n", encoding="utf-8"
    )
    lines = []

    report = import_zendesk_json(
        path, zone=ZoneInfo("Asia/Shanghai"), on_error=lines.append
    )

    assert report.rejected == 1
    assert [(e.line, e.message) for e in lines] == [
        (1, "created_at: Give a date between the years 1900 and 2999.")
    ]
