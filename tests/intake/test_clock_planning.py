"""Intake plans a batch's SLA clocks before assignment locks the departments.

The plan reads a department's calendar from the routes' cached copy; a locked row
that names another calendar (changed without a signal, so the copy is stale) has
the clocks planned again on it.
"""

import pytest

from paxcare.cases.models import Event
from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import open_case
from paxcare.routing.models import Department
from paxcare.routing.services import routes_by_category
from paxcare.sla.models import BusinessCalendar, Clock

pytestmark = pytest.mark.django_db


def refund_draft() -> CaseDraft:
    return CaseDraft(
        subject="Refund still missing",
        description="My refund for the cancelled ticket has not arrived.",
        channel="phone",
        kind="claim",
        category="ticketing.refund",
        priority="normal",
        passenger_name="Li Wei",
        email="li.wei@example.com",
    )


def test_clocks_follow_the_locked_departments_calendar_not_a_stale_route():
    # given a New York calendar and the routes read while ticketing counted in
    # Beijing
    new_york = BusinessCalendar.objects.create(
        code="us-office",
        name="New York office",
        time_zone="America/New_York",
        working_hours={str(day): [["09:00", "17:00"]] for day in range(1, 6)},
    )
    cached = routes_by_category()
    ticketing = Department.objects.get(code="ticketing")
    assert ticketing in cached.values()
    assert ticketing.calendar.code == "cn-office"
    # and ticketing moved to New York without a signal (the routes' copy is stale)
    Department.objects.filter(code="ticketing").update(calendar=new_york)

    # when a refund claim is opened
    case = open_case(refund_draft()).case

    # then both clocks count in New York, as the event that created the case says
    clocks = Clock.objects.filter(case=case).order_by("kind")
    assert [(c.kind, c.calendar.code) for c in clocks] == [
        ("first_response", "us-office"),
        ("resolution", "us-office"),
    ]
    created = Event.objects.get(case=case, type="case.created")
    assert created.data["sla"]["calendar"] == "us-office"
    assert created.data["sla"]["due"] == {c.kind: c.due_at.isoformat() for c in clocks}


def test_clocks_of_an_unchanged_department_keep_its_calendar():
    # given the routes read and nothing changed since
    routes_by_category()

    # when a refund claim is opened
    case = open_case(refund_draft()).case

    # then its clocks count in the department's calendar
    clocks = Clock.objects.filter(case=case).order_by("kind")
    assert [(c.kind, c.calendar.code) for c in clocks] == [
        ("first_response", "cn-office"),
        ("resolution", "cn-office"),
    ]
