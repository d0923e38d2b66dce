"""Alert detection on seeded histories: a spike, falling SLA, dropping satisfaction.

NOW = 2025-03-31 12:00 UTC. The window is the 7 days before NOW, the baseline the
28 days before the window (4 weeks).
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from paxcare.cases.models import Case
from paxcare.insights.alerts import detect, run_detection
from paxcare.insights.models import Alert, AlertKind
from paxcare.insights.timing import backfill
from paxcare.routing.models import Department, Role
from paxcare.sla.models import Clock
from paxcare.surveys.models import Survey
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 31, 12, tzinfo=UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def cases_at(n: int, when, **fields) -> list[Case]:
    # Distinct passengers and texts: none of them is a duplicate of another.
    return [
        make_case(
            received_at=when(i),
            description=f"Bag {i} lost, reported {when(i):%Y-%m-%d %H:%M}.",
            **fields,
        )
        for i in range(n)
    ]


def test_a_category_spiking_at_one_airport_against_its_baseline():
    # PEK: 4 cases in the 4 baseline weeks (1 a week), then 8 in the last week.
    cases_at(4, lambda i: ago(10 + 7 * i), airport="PEK", category="baggage.lost")
    cases_at(8, lambda i: ago(1 + i / 2), airport="PEK", category="baggage.lost")
    # CAN: steady, 8 a week throughout: no spike.
    cases_at(
        40, lambda i: ago(0.5 + i * 35 / 40), airport="CAN", category="baggage.lost"
    )

    found = [f for f in detect(NOW) if f.kind == AlertKind.SPIKE]

    assert [(f.dimension, f.value, f.category_code, f.cases) for f in found] == [
        ("airport", "PEK", "baggage.lost", 8)
    ]
    assert found[0].baseline == 1.0
    assert found[0].department_id == Department.objects.get(code="baggage").pk


def test_a_few_cases_on_a_quiet_flight_are_not_a_spike():
    cases_at(4, lambda i: ago(1 + i), flight_number="MU5101", category="baggage.lost")

    assert [f for f in detect(NOW) if f.kind == AlertKind.SPIKE] == []


def test_sla_compliance_falling_in_a_department():
    # Baseline: 20 first responses met; window: 20 outcomes, 12 met and 8 breached.
    before = cases_at(20, lambda i: ago(8 + i), category="baggage.lost")
    recent = cases_at(20, lambda i: ago(0.2 + i / 4), category="baggage.lost")
    for i, case in enumerate(before + recent):
        clock = Clock.objects.filter(case=case, kind="first_response")
        if case in recent and i % 20 >= 12:
            clock.update(state="breached", due_at=case.received_at + timedelta(hours=1))
        else:
            clock.update(state="met", stopped_at=case.received_at + timedelta(hours=1))
    Clock.objects.filter(kind="resolution").delete()
    # Clocks changed behind the services' back: recompute what insights keeps.
    backfill([case.pk for case in before + recent])

    [finding] = [f for f in detect(NOW) if f.kind == AlertKind.SLA_FALLING]

    assert (finding.observed, finding.baseline, finding.cases) == (0.6, 1.0, 20)


def test_satisfaction_dropping_in_a_department():
    before = cases_at(20, lambda i: ago(8 + i), category="baggage.lost")
    recent = cases_at(20, lambda i: ago(0.5 + i / 4), category="baggage.lost")
    for i, case in enumerate(before + recent):
        low = case in recent and i % 20 < 5
        Survey.objects.create(
            case=case,
            nonce="n",
            created_at=case.received_at,
            expires_at=case.received_at + timedelta(days=30),
            answered_at=case.received_at + timedelta(hours=2),
            rating=2 if low else 5,
        )

    [finding] = [f for f in detect(NOW) if f.kind == AlertKind.SATISFACTION_DROPPING]

    assert (finding.observed, finding.baseline) == (0.75, 1.0)


def test_an_alert_is_stored_once_a_day_and_mailed_to_the_supervisor(
    django_capture_on_commit_callbacks,
):
    supervisor = make_agent("bag.sup", role=Role.SUPERVISOR, departments=("baggage",))
    supervisor.email = "supervisor@example.com"
    supervisor.save()
    Department.objects.filter(code="baggage").update(supervisor=supervisor)
    cases_at(8, lambda i: ago(1 + i / 2), airport="PEK", category="baggage.lost")

    with django_capture_on_commit_callbacks(execute=True):
        first = run_detection(NOW)
    again = run_detection(NOW + timedelta(hours=1))

    assert len(first) == 1 and again == []
    alert = Alert.objects.get()
    assert alert.notified_at is not None
    assert mail.outbox[-1].to == ["supervisor@example.com"]
    assert "lost baggage at airport PEK: 8 cases in the last 7 days" in (
        mail.outbox[-1].body
    )
