"""The history the KPI facts are checked against, and readers of the kept counts.

Report time NOW = 2025-03-10 12:00 UTC. The history has what the facts and counts
must get right: a reopen (resolution cleared, then set again), a wait on the
passenger, a merged twin, a case too young for the first-response rate, a closed
case, cases before March, one received after an earlier period's end, top-problem
fields and survey answers. ``behind_the_services`` adds a case of another
department assigned to an agent of baggage, a clock marked breached and one running
past due unmarked.
"""

from datetime import UTC, datetime

import pytest

from paxcare.cases.models import Case
from paxcare.cases.services import (
    add_passenger_message,
    change_status,
    reply_to_passenger,
)
from paxcare.insights import rollups
from paxcare.insights.models import KpiCount
from paxcare.routing.models import Role
from paxcare.sla.models import Clock
from paxcare.surveys.links import survey_token
from paxcare.surveys.services import Answer, answer_survey
from tests.factories import complete_playbook, make_agent, make_case, make_user


def at(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0):
    return datetime(2025, month, day, hour, minute, second, tzinfo=UTC)


NOW = at(3, 10, 12)


@pytest.fixture
def people():
    return {
        "admin": make_user("root", is_superuser=True, is_staff=True),
        "supervisor": make_agent(
            "sup", role=Role.SUPERVISOR, departments=("baggage", "disruption-care")
        ),
        "agent": make_agent("bag", departments=("baggage",)),
    }


@pytest.fixture
def history(people):
    sup = people["supervisor"]
    pilfer = {"category": "baggage.pilferage"}
    a = make_case(received_at=at(3, 3), airport="PEK", airline="CA", **pilfer)
    b = make_case(received_at=at(3, 4, 1), flight_number="CA981", **pilfer)
    c = make_case(received_at=at(3, 5), email="twin@example.com", description="Two.")
    make_case(received_at=at(3, 5, 1), email="twin@example.com", description="Two.")
    d = make_case(received_at=at(2, 20, 8), airline="CA", flight_number="CA981")
    e = make_case(
        received_at=at(3, 6, 0, 0, 7),
        category="baggage.damaged",
        flight_number="MU5101",
        airport="SHA",
    )
    lost = make_case(received_at=at(3, 9), category="baggage.lost", airline="MU")
    make_case(received_at=at(3, 10, 6), airline="MU", airport="PEK")
    late = make_case(received_at=at(3, 8, 3), category="flight.delay", channel="email")

    reply_to_passenger(a, "Receipts?", actor=sup, new_status="pending", at=at(3, 3, 2))
    add_passenger_message(a, "Attached.", channel="web", at=at(3, 4, 4))
    change_status(a, "resolved", actor=sup, at=at(3, 5, 4))
    reply_to_passenger(b, "Found.", actor=sup, new_status="resolved", at=at(3, 4, 4))
    add_passenger_message(b, "Not mine.", channel="web", at=at(3, 6, 1))
    reply_to_passenger(b, "Sorry.", actor=sup, at=at(3, 6, 2))
    change_status(b, "resolved", actor=sup, at=at(3, 6, 3))
    reply_to_passenger(c, "Looking.", actor=sup, at=at(3, 5, 1, 30, 11))
    reply_to_passenger(d, "Looking.", actor=sup, at=at(2, 20, 9))
    complete_playbook(d, sup, at=at(3, 5, 8))
    change_status(d, "resolved", actor=sup, at=at(3, 5, 8))
    reply_to_passenger(e, "Noted.", actor=sup, at=at(3, 6, 0, 30))
    complete_playbook(e, sup, at=at(3, 6, 6))
    change_status(e, "resolved", actor=sup, at=at(3, 6, 6))
    change_status(e, "closed", actor=sup, at=at(3, 7))
    reply_to_passenger(late, "Rebooked.", actor=sup, at=at(3, 8, 4, 0, 1))
    answers = ((a, Answer(5, 10), 7), (b, Answer(2, 3), 8), (e, Answer(3), 9))
    for case, answer, day in answers:
        survey = Case.objects.get(pk=case.pk).survey
        answer_survey(survey_token(survey), answer, at=at(3, day))
    return {"late": late, "C": c, "lost": lost}


def behind_the_services(history: dict, user) -> None:
    """Change the history as a data fix would, then rebuild the facts.

    No service gives an agent another department's case, nor moves SLA clocks back
    in time: the delayed flight's case is assigned to ``user``, C's resolution clock
    marked breached, and the lost bag's first response runs past due unmarked.
    """
    Case.objects.filter(pk=history["late"].pk).update(assignee=user)
    Clock.objects.filter(case=history["C"], kind="resolution").update(
        state="breached", due_at=at(3, 7), breached_at=at(3, 7), stopped_at=None
    )
    Clock.objects.filter(case=history["lost"], kind="first_response").update(
        due_at=at(3, 10)
    )
    rollups.rebuild()


def counts() -> dict[tuple, int]:
    """Return each all-time KPI count, summed over its rows and days, without the
    zeros."""
    totals: dict[tuple, int] = {}
    for (department, measure, value, _day), n in day_counts().items():
        key = (department, measure, value)
        totals[key] = totals.get(key, 0) + n
    return {key: n for key, n in totals.items() if n}


def day_counts() -> dict[tuple, int]:
    """Return each KPI count of each day (None: kept for all time only), summed
    over its rows, without the zeros."""
    totals: dict[tuple, int] = {}
    for department, measure, value, day, n in KpiCount.objects.values_list(
        "department", "measure", "value", "day", "n"
    ):
        key = (department, measure, value, day)
        totals[key] = totals.get(key, 0) + n
    return {key: n for key, n in totals.items() if n}
