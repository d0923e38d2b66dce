"""KPIs over a small history whose every figure is worked out by hand below.

Report time NOW = 2025-03-10 12:00 UTC; the period is March 1 to NOW.

case received           category        first response   resolved          now
A    03-02 10:00        baggage.delayed 03-02 12:00  120 03-03 10:00  1440 resolved
B    03-04 00:00 e-mail flight.delay    03-05 06:00 1800 -                 open
C    03-09 00:00        baggage.lost    - (36 h old)     -                 new
D    03-10 06:00        baggage.delayed - (6 h old)      -                 new
E    02-20 08:00 before baggage.delayed 02-20 09:00   60 03-05 08:00 18720 resolved
F    03-06 00:00        baggage.damaged 03-06 00:30   30 03-06 06:00   360 closed

(durations in minutes after ``received``)
"""

from datetime import UTC, datetime

import pytest

from paxcare.cases.models import Case
from paxcare.cases.services import change_status, reply_to_passenger
from paxcare.insights.kpis import compute_kpis, parse_period_bound
from paxcare.routing.models import Role
from paxcare.sla.models import Clock
from tests.factories import complete_playbook, make_agent, make_case

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
MARCH = datetime(2025, 3, 1, tzinfo=UTC)


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def history():
    agent = make_agent(
        "sup", role=Role.SUPERVISOR, departments=("baggage", "disruption-care")
    )
    a = make_case(received_at=at(3, 2, 10), flight_number="CA981", airport="PEK")
    b = make_case(
        received_at=at(3, 4),
        category="flight.delay",
        channel="email",
        flight_number="CA981",
        description="Four hours late.",
    )
    c = make_case(received_at=at(3, 9), category="baggage.lost", airline="MU")
    d = make_case(received_at=at(3, 10, 6), airline="MU")
    e = make_case(received_at=at(2, 20, 8), airline="CA")
    f = make_case(
        received_at=at(3, 6),
        category="baggage.damaged",
        flight_number="MU5101",
        airport="SHA",
    )

    reply_to_passenger(a, "Found it.", actor=agent, at=at(3, 2, 12))
    complete_playbook(a, agent, at=at(3, 3, 10))
    change_status(a, "resolved", actor=agent, at=at(3, 3, 10))
    reply_to_passenger(b, "Sorry.", actor=agent, at=at(3, 5, 6))
    reply_to_passenger(e, "Looking.", actor=agent, at=at(2, 20, 9))
    complete_playbook(e, agent, at=at(3, 5, 8))
    change_status(e, "resolved", actor=agent, at=at(3, 5, 8))
    reply_to_passenger(f, "Noted.", actor=agent, at=at(3, 6, 0, 30))
    complete_playbook(f, agent, at=at(3, 6, 6))
    change_status(f, "resolved", actor=agent, at=at(3, 6, 6))
    change_status(f, "closed", actor=agent, at=at(3, 7))

    # SLA: B's resolution clock breached on 03-05; C's first-response clock runs
    # past its due time (not swept yet); E's breach on 02-21 is before the period.
    Clock.objects.filter(case=b, kind="resolution").update(
        state="breached", due_at=at(3, 5), breached_at=at(3, 5), stopped_at=None
    )
    Clock.objects.filter(case=c, kind="first_response").update(due_at=at(3, 10))
    Clock.objects.filter(case=e, kind="first_response").update(
        state="breached", due_at=at(2, 21), breached_at=at(2, 21)
    )
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f}


def test_every_figure_of_the_period(history):
    kpis = compute_kpis(Case.objects.all(), MARCH, None, now=NOW)

    assert kpis["period"] == {"start": MARCH, "end": NOW, "as_of": NOW}
    assert kpis["received"] == 5
    assert kpis["by_category"] == {
        "baggage.delayed": 2,
        "baggage.damaged": 1,
        "baggage.lost": 1,
        "flight.delay": 1,
    }
    assert kpis["by_channel"] == {"web": 4, "email": 1}
    assert kpis["by_status"] == {"new": 2, "closed": 1, "open": 1, "resolved": 1}
    assert kpis["first_response"] == {
        "eligible": 4,
        "within_24h": 2,
        "rate": 0.5,
        "responded": 3,
        "median_minutes": 120.0,
    }
    assert kpis["resolution"] == {"resolved": 3, "median_minutes": 1440.0}
    assert kpis["handling_rate"] == 0.6
    assert kpis["backlog"] == {
        "active": 3,
        "age": {"under_1_day": 1, "1_to_3_days": 1, "3_to_7_days": 1, "over_7_days": 0},
    }
    assert kpis["sla_breaches"] == {
        "total": 2,
        "first_response": 1,
        "resolution": 1,
        "regulatory": 0,
    }


def test_top_problems_by_airline_flight_and_airport(history):
    top = compute_kpis(Case.objects.all(), MARCH, None, now=NOW)["top_problems"]

    assert top["airline"] == [
        {
            "value": "MU",
            "cases": 3,
            "categories": {
                "baggage.damaged": 1,
                "baggage.delayed": 1,
                "baggage.lost": 1,
            },
        },
        {
            "value": "CA",
            "cases": 2,
            "categories": {"baggage.delayed": 1, "flight.delay": 1},
        },
    ]
    assert top["flight_number"] == [
        {
            "value": "CA981",
            "cases": 2,
            "categories": {"baggage.delayed": 1, "flight.delay": 1},
        },
        {"value": "MU5101", "cases": 1, "categories": {"baggage.damaged": 1}},
    ]
    assert top["airport"] == [
        {"value": "PEK", "cases": 1, "categories": {"baggage.delayed": 1}},
        {"value": "SHA", "cases": 1, "categories": {"baggage.damaged": 1}},
    ]


def test_without_a_start_every_case_counts_and_an_even_median_is_the_mean(history):
    kpis = compute_kpis(Case.objects.all(), now=NOW)

    # first responses: 30, 60, 120 and 1,800 minutes -> (60 + 120) / 2
    assert kpis["received"] == 6
    assert kpis["first_response"]["median_minutes"] == 90.0
    assert kpis["first_response"]["rate"] == 0.6
    assert kpis["sla_breaches"]["total"] == 3


def test_the_figures_follow_the_queryset(history):
    only_baggage = Case.objects.filter(department__code="baggage")

    kpis = compute_kpis(only_baggage, MARCH, None, now=NOW)

    assert kpis["received"] == 4
    assert kpis["by_category"] == {
        "baggage.delayed": 2,
        "baggage.damaged": 1,
        "baggage.lost": 1,
    }
    assert kpis["handling_rate"] == 0.75


def test_an_empty_period_has_no_rates():
    kpis = compute_kpis(Case.objects.all(), MARCH, NOW, now=NOW)

    assert kpis["received"] == 0
    assert kpis["first_response"]["rate"] is None
    assert kpis["first_response"]["median_minutes"] is None
    assert kpis["handling_rate"] is None
    assert kpis["top_problems"] == {"airline": [], "flight_number": [], "airport": []}


def test_a_date_bound_is_local_midnight(settings):
    settings.TIME_ZONE = "Asia/Shanghai"

    bound = parse_period_bound("2025-03-01")

    assert bound.isoformat() == "2025-03-01T00:00:00+08:00"
    assert parse_period_bound("2025-03-01T06:00:00Z") == at(3, 1, 6)
    with pytest.raises(ValueError, match="not a date"):
        parse_period_bound("March")
