"""Service-quality and satisfaction KPIs on a history worked out by hand below.

Report time NOW = Monday 2025-03-10 12:00 UTC; the period is March 1 to NOW. The
office calendar is Beijing, 09:00-18:00 Monday to Friday (01:00-10:00 UTC); March
2025 has no Chinese public holiday.

case received (UTC)   what happens (UTC)
A    Mon 03-03 00:00  reply + pending 03-03 02:00; passenger writes 03-04 04:00
                      (open again); resolved 03-05 04:00 without another reply
B    Tue 03-04 01:00  reply + resolved 03-04 04:00; passenger writes 03-06 01:00
                      (reopened); reply 03-06 02:00; resolved 03-06 03:00
C    Wed 03-05 00:00  nothing (its twin D, same passenger and text, is merged)
E    Fri 03-07 09:00  reply + resolved Mon 03-10 02:00
F    Sun 03-09 00:00  nothing
G    Sat 03-08 00:00  reply + resolved 03-08 01:00

first response   calendar min   working min
A                120            60   (office opens 09:00 Beijing = 01:00 UTC)
B                180            180  (the reopen and second reply change nothing)
E                3,900          120  (Fri 17:00-18:00 and Mon 09:00-10:00 Beijing)
G                60             0    (a Saturday)
medians          (120+180)/2 = 150   (60+120)/2 = 90

resolution  receipt to resolution   waiting                with the airline
A           52 h = 3,120 min        pending 26 h           1,560 min
B           50 h = 3,000 min        resolved->reopen 45 h  300 min
E           3,900 min               none                   3,900 min
G           60 min                  none                   60 min
medians     (3,000+3,120)/2 = 3,060                        (300+1,560)/2 = 930

First resolved in the period: A, B, E, G. Reopened: B -> 1/4. First contact: E and
G (A waited on the passenger, B was reopened) -> 2/4.
"""

from datetime import UTC, datetime

import pytest

from paxcare.cases.models import Case
from paxcare.cases.services import (
    add_passenger_message,
    change_status,
    reply_to_passenger,
)
from paxcare.insights.breakdowns import compute_breakdown
from paxcare.insights.kpis import compute_kpis
from paxcare.routing.models import Role
from paxcare.sla.models import Clock
from paxcare.surveys.links import survey_token
from paxcare.surveys.services import Answer, answer_survey
from tests.factories import make_agent
from tests.factories import make_case as make_any_case

pytestmark = pytest.mark.django_db


def make_case(**fields):
    # Missing items from bags: a baggage category without required playbook steps.
    return make_any_case(category="baggage.pilferage", **fields)


NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
MARCH = datetime(2025, 3, 1, tzinfo=UTC)


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def history():
    agent = make_agent("sup", role=Role.SUPERVISOR, departments=("baggage",))
    a = make_case(received_at=at(3), airport="PEK")
    b = make_case(received_at=at(4, 1), airport="PEK")
    c = make_case(
        received_at=at(5), email="twin@example.com", description="Twice sent."
    )
    d = make_case(
        received_at=at(5, 1), email="twin@example.com", description="Twice sent."
    )
    e = make_case(received_at=at(7, 9), airport="SHA")
    f = make_case(received_at=at(9))
    g = make_case(received_at=at(8))

    reply_to_passenger(a, "Receipts?", actor=agent, new_status="pending", at=at(3, 2))
    add_passenger_message(a, "Attached.", channel="web", at=at(4, 4))
    change_status(a, "resolved", actor=agent, at=at(5, 4))

    reply_to_passenger(b, "Found.", actor=agent, new_status="resolved", at=at(4, 4))
    add_passenger_message(b, "Not mine.", channel="web", at=at(6, 1))
    reply_to_passenger(b, "Sorry.", actor=agent, at=at(6, 2))
    change_status(b, "resolved", actor=agent, at=at(6, 3))

    reply_to_passenger(e, "Done.", actor=agent, new_status="resolved", at=at(10, 2))
    reply_to_passenger(g, "Done.", actor=agent, new_status="resolved", at=at(8, 1))

    # SLA outcomes: C's first response and resolution and F's first response
    # breached inside the period; D's clocks do not count (D is merged into C).
    Clock.objects.filter(case=c, kind="first_response").update(due_at=at(6))
    Clock.objects.filter(case=c, kind="resolution").update(
        state="breached", due_at=at(9), breached_at=at(9)
    )
    Clock.objects.filter(case=f, kind="first_response").update(due_at=at(10))
    Clock.objects.filter(case=d).update(due_at=at(6))
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f, "G": g}


def _kpis(start=MARCH, end=None):
    return compute_kpis(Case.objects.all(), start, end, now=NOW)


def test_a_merged_case_is_counted_once(history):
    assert history["D"].duplicate_of == history["C"]

    kpis = _kpis()

    assert kpis["received"] == 6
    assert kpis["backlog"]["active"] == 2


def test_first_response_in_calendar_and_working_minutes(history):
    kpis = _kpis()

    assert kpis["first_response"]["responded"] == 4
    assert kpis["first_response"]["median_minutes"] == 150.0
    assert kpis["first_response_business"] == {"measured": 4, "median_minutes": 90.0}


def test_a_reopen_neither_restarts_nor_stretches_the_first_response(history):
    b = Case.objects.get(pk=history["B"].pk)

    assert b.reopened_count == 1
    assert b.first_response_at == at(4, 4)
    assert b.timing.first_response_business_minutes == 180


def test_waiting_on_the_passenger_is_not_resolution_time(history):
    kpis = _kpis()

    assert kpis["resolution"] == {"resolved": 4, "median_minutes": 3060.0}
    assert kpis["resolution_time"] == {"measured": 4, "median_minutes": 930.0}
    a = Case.objects.get(pk=history["A"].pk)
    assert a.timing.resolution_seconds == 1560 * 60


def test_reopen_rate_and_first_contact_resolution(history):
    kpis = _kpis()

    assert kpis["reopen_rate"] == {"first_resolved": 4, "reopened": 1, "rate": 0.25}
    assert kpis["first_contact_resolution"] == {
        "first_resolved": 4,
        "resolved_first_contact": 2,
        "rate": 0.5,
    }


def test_sla_compliance_counts_met_and_breached_clocks_of_the_period(history):
    compliance = _kpis()["sla_compliance"]

    assert compliance["first_response"] == {"met": 4, "breached": 2, "rate": 0.6667}
    assert compliance["resolution"] == {"met": 4, "breached": 1, "rate": 0.8}
    assert compliance["total"] == {"met": 8, "breached": 3, "rate": 0.7273}


def test_csat_and_nps_from_the_first_answers(history):
    answers = {
        "A": Answer(5, 10),
        "B": Answer(2, 3),
        "E": Answer(4, 9),
        "G": Answer(3),
    }
    for name, answer in answers.items():
        survey = Case.objects.get(pk=history[name].pk).survey
        answer_survey(survey_token(survey), answer, at=at(10, 3))
    # A second answer through A's link changes nothing.
    a_survey = Case.objects.get(pk=history["A"].pk).survey
    answer_survey(survey_token(a_survey), Answer(1, 0), at=at(10, 4))

    satisfaction = _kpis()["satisfaction"]

    assert {k: satisfaction[k] for k in ("responses", "satisfied", "csat")} == {
        "responses": 4,
        "satisfied": 2,
        "csat": 0.5,
    }
    assert satisfaction["recommend_responses"] == 3
    assert (satisfaction["promoters"], satisfaction["passives"]) == (2, 0)
    assert satisfaction["detractors"] == 1
    assert satisfaction["nps"] == 33.3


def test_an_empty_period_divides_nothing_by_zero(history):
    kpis = _kpis(
        start=datetime(2024, 1, 1, tzinfo=UTC), end=datetime(2024, 2, 1, tzinfo=UTC)
    )

    assert kpis["received"] == 0
    assert kpis["first_response_business"] == {"measured": 0, "median_minutes": None}
    assert kpis["resolution_time"] == {"measured": 0, "median_minutes": None}
    assert kpis["sla_compliance"]["total"] == {"met": 0, "breached": 0, "rate": None}
    assert kpis["reopen_rate"]["rate"] is None
    assert kpis["first_contact_resolution"]["rate"] is None
    assert kpis["satisfaction"]["csat"] is None
    assert kpis["satisfaction"]["nps"] is None
    assert kpis["satisfaction"]["response_rate"] is None
    assert kpis["compensation"]["paid"] == {}


def test_the_same_figures_by_airport(history):
    rows = compute_breakdown(Case.objects.all(), "airport", MARCH, NOW, NOW)

    by_value = {row["value"]: row for row in rows}
    assert [row["value"] for row in rows] == ["", "PEK", "SHA"]
    pek = by_value["PEK"]
    assert (pek["received"], pek["resolved"], pek["handling_rate"]) == (2, 2, 1.0)
    assert pek["first_response_median_minutes"] == 150.0
    assert pek["first_response_business_median_minutes"] == 120.0
    assert pek["resolution_time_median_minutes"] == 930.0
    assert (pek["reopen_rate"], pek["first_contact_resolution"]) == (0.5, 0.0)
    assert by_value["SHA"]["first_contact_resolution"] == 1.0
    # C, F and G have no airport; D is merged into C and not counted.
    assert (by_value[""]["received"], by_value[""]["backlog"]) == (3, 2)


def test_an_unknown_dimension_is_refused(history):
    with pytest.raises(ValueError, match="Unknown dimension 'gate'"):
        compute_breakdown(Case.objects.all(), "gate", MARCH, NOW, NOW)
