"""The Zendesk import: original times kept, bad lines reported, re-import idempotent.

Ticket 101 (e-mail, baggage.pilferage by tag, airport PEK):
  created 2025-03-03 00:00 UTC; agent reply 02:00; passenger 03:00; agent 05:00;
  solved 2025-03-04 00:00; closed 2025-03-08 00:00; rated good 03-04 06:00.
Ticket 102 (web, no category tag): created 03-05 00:00, still open, one internal
  note; rated bad. Ticket 103 was reopened twice and solved without replies.
Line 4 is not JSON, line 5 has no created_at, line 6 an unknown status.
"""

import json
from datetime import UTC, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from paxcare.cases.events import EventType
from paxcare.cases.models import Case, Event, Message
from paxcare.insights.kpis import compute_kpis
from paxcare.insights.zendesk import import_zendesk_json
from paxcare.sla.models import Clock
from paxcare.surveys.events import SurveyEvent
from paxcare.surveys.models import Survey

pytestmark = pytest.mark.django_db

REQUESTER = {"id": 7, "name": "Li Wei", "email": "li.wei@example.com"}


def at(day: int, hour: int = 0) -> str:
    return f"2025-03-{day:02d}T{hour:02d}:00:00Z"


def utc(day: int, hour: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=UTC)


TICKETS = [
    {
        "id": 101,
        "subject": "Items missing from my suitcase",
        "description": "My camera was taken out of my checked bag.",
        "status": "closed",
        "priority": "high",
        "type": "problem",
        "tags": ["baggage_pilferage", "airport_pek"],
        "via": {"channel": "email"},
        "requester_id": 7,
        "requester": REQUESTER,
        "created_at": at(3),
        "updated_at": at(8),
        "metric_set": {"solved_at": at(4), "reopens": 0},
        "satisfaction_rating": {
            "score": "good",
            "comment": "Quick and kind.",
            "created_at": at(4, 1),
            "updated_at": at(4, 6),
        },
        "comments": [
            {
                "id": 1,
                "author_id": 7,
                "public": True,
                "created_at": at(3),
                "body": "My camera was taken out of my checked bag.",
            },
            {
                "id": 2,
                "author_id": 90,
                "public": True,
                "created_at": at(3, 2),
                "body": "Sorry to hear that. Which flight?",
            },
            {
                "id": 3,
                "author_id": 7,
                "public": True,
                "created_at": at(3, 3),
                "body": "CA1501.",
            },
            {
                "id": 4,
                "author_id": 90,
                "public": True,
                "created_at": at(3, 5),
                "body": "We will pay for the camera.",
            },
        ],
    },
    {
        "id": 102,
        "subject": "Refund",
        "description": "I want my money back for the cancelled ticket.",
        "status": "open",
        "tags": [],
        "via": {"channel": "web"},
        "requester_id": 8,
        "requester": {"id": 8, "name": "Zhang Min", "email": "zhang@example.com"},
        "created_at": at(5),
        "updated_at": at(5, 4),
        "satisfaction_rating": {"score": "bad", "created_at": at(6)},
        "comments": [
            {
                "id": 5,
                "author_id": 8,
                "public": True,
                "created_at": at(5),
                "body": "I want my money back for the cancelled ticket.",
            },
            {
                "id": 6,
                "author_id": 91,
                "public": False,
                "created_at": at(5, 4),
                "body": "Check the fare rules.",
            },
        ],
    },
    {
        "id": 103,
        "subject": "Lost and found",
        "description": "I left my scarf on board.",
        "status": "solved",
        "tags": ["service.lost_and_found"],
        "via": {"channel": "voice"},
        "requester_id": 9,
        "requester": {"id": 9, "name": "Wang Fang", "phone": "+8613800138000"},
        "created_at": at(6),
        "updated_at": at(7),
        "metric_set": {"reopens": 2},
        "comments": [],
    },
]


@pytest.fixture
def export(tmp_path):
    lines = [json.dumps(ticket) for ticket in TICKETS]
    lines.append("{not json")
    lines.append(json.dumps({"id": 104, "status": "open", "description": "x"}))
    lines.append(json.dumps({**TICKETS[2], "id": 105, "status": "deleted"}))
    path = tmp_path / "tickets.json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import(path):
    errors = []
    report = import_zendesk_json(path, zone=ZoneInfo("UTC"), on_error=errors.append)
    return report, [(e.line, e.message) for e in errors]


def test_tickets_become_cases_with_their_original_times(export):
    report, errors = _import(export)

    assert (report.read, report.created, report.rejected) == (6, 3, 3)
    assert errors == [
        (4, "not valid JSON (Expecting property name enclosed in double quotes)"),
        (5, "created_at is missing"),
        (6, "unknown status 'deleted'"),
    ]
    case = Case.objects.get(external_id="zendesk:101")
    assert (case.category.code, case.airport, case.channel) == (
        "baggage.pilferage",
        "PEK",
        "email",
    )
    assert (case.status, case.priority, case.kind) == ("closed", "high", "complaint")
    assert case.received_at == utc(3)
    assert case.first_response_at == utc(3, 2)
    assert case.resolved_at == utc(4)
    assert case.closed_at == utc(8)
    assert case.passenger.email == "li.wei@example.com"


def test_comments_become_messages_and_events_at_their_times(export):
    _import(export)
    case = Case.objects.get(external_id="zendesk:101")

    messages = list(case.messages.values_list("direction", "created_at"))
    events = list(case.events.values_list("type", "occurred_at"))

    assert messages == [
        (Message.Direction.OUTBOUND, utc(3, 2)),
        (Message.Direction.INBOUND, utc(3, 3)),
        (Message.Direction.OUTBOUND, utc(3, 5)),
    ]
    kinds = [kind for kind, _at in events]
    assert kinds.count(EventType.REPLY_SENT) == 2
    assert (EventType.STATUS_CHANGED, utc(4)) in events
    assert (EventType.STATUS_CHANGED, utc(8)) in events
    assert (SurveyEvent.ANSWERED, utc(4, 6)) in events
    note = Case.objects.get(external_id="zendesk:102").messages.get()
    assert note.direction == Message.Direction.INTERNAL


def test_ratings_become_survey_answers_and_reopens_count(export):
    _import(export)

    good = Survey.objects.get(case__external_id="zendesk:101")
    bad = Survey.objects.get(case__external_id="zendesk:102")
    reopened = Case.objects.get(external_id="zendesk:103")

    assert (good.rating, good.answered_at, good.comment) == (
        5,
        utc(4, 6),
        "Quick and kind.",
    )
    assert bad.rating == 1
    assert not hasattr(bad, "follow_up") or bad.follow_up is None
    assert reopened.reopened_count == 2
    assert reopened.resolved_at == utc(7)


def test_the_sla_clocks_run_from_receipt(export):
    _import(export)
    case = Case.objects.get(external_id="zendesk:101")

    first = Clock.objects.get(case=case, kind="first_response")

    assert first.started_at == utc(3)
    assert (first.state, first.stopped_at) == ("met", utc(3, 2))


def test_the_kpis_of_the_past_come_out_right(export):
    _import(export)

    kpis = compute_kpis(Case.objects.all(), utc(1), utc(10), now=utc(10))

    assert kpis["received"] == 3
    assert kpis["first_response"]["median_minutes"] == 120.0
    assert kpis["resolution"]["resolved"] == 2
    assert kpis["satisfaction"]["responses"] == 2
    assert kpis["satisfaction"]["csat"] == 0.5
    assert kpis["first_contact_resolution"]["first_resolved"] == 2


def test_a_reimport_changes_nothing(export):
    _import(export)
    counts = (
        Case.objects.count(),
        Message.objects.count(),
        Event.objects.count(),
        Survey.objects.count(),
    )

    report, errors = _import(export)

    assert (report.created, report.known, report.rejected) == (0, 3, 3)
    assert (
        Case.objects.count(),
        Message.objects.count(),
        Event.objects.count(),
        Survey.objects.count(),
    ) == counts


def test_the_import_command_takes_the_zendesk_format(export):
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError) as rejected:
        call_command(
            "import_cases",
            str(export),
            "--format",
            "zendesk-json",
            stdout=out,
            stderr=err,
        )

    assert rejected.value.returncode == 1
    assert "created 3" in out.getvalue()
    assert "line 4: not valid JSON" in err.getvalue()
