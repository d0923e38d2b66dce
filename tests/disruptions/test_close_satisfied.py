"""Closing the rebooked and satisfied: the steps the disruption proves are ticked."""

import pytest

from paxcare.cases.models import Case
from paxcare.comms.outbound import due_ids, send_due
from paxcare.disruptions.actions import close_rebooked_and_satisfied
from paxcare.disruptions.models import AffectedPassenger
from paxcare.remedies.services import open_required_steps
from tests.disruptions.conftest import AF_JFK_CDG, CA981_DELAY, disrupt, passenger

pytestmark = pytest.mark.django_db

REBOOKED_AF = {
    "rebooked_flight": "AF11",
    "rebooked_departure": "2026-01-05T20:00:00-05:00",
    "rebooked_arrival": "2026-01-06T10:00:00+01:00",
    "rebooking_accepted": True,
}
REBOOKED_CA = {
    "rebooked_flight": "CA989",
    "rebooked_departure": "2026-12-20T15:00:00+08:00",
    "rebooked_arrival": "2026-12-20T17:00:00-05:00",
    "rebooking_accepted": True,
}


def step_ticks(case: Case) -> list[tuple[str, str]]:
    return list(
        case.events.filter(type="playbook.step_done")
        .order_by("pk")
        .values_list("data__code", "actor__username")
    )


def test_a_rebooked_passenger_told_of_the_cancellation_is_closed(people):
    # given a cancellation whose passenger accepted the rebooking and was told
    disruption = disrupt(AF_JFK_CDG, [passenger(1, **REBOOKED_AF)], type="cancellation")
    send_due(due_ids())
    case = AffectedPassenger.objects.get().case
    assert [s.code for s in open_required_steps(case)] == [
        "facts",
        "notice_verified",
        "choice",
        "entitlements",
        "answer",
    ]

    # when the supervisor closes the satisfied
    report = close_rebooked_and_satisfied(disruption, actor=people["care_supervisor"])

    # then the case is closed, each proven step ticked by the supervisor first
    assert (report.done, report.skipped, report.blocked) == (1, 0, 0)
    case.refresh_from_db()
    assert case.status == "closed"
    assert step_ticks(case) == [
        ("facts", "care.super"),
        ("notice_verified", "care.super"),
        ("choice", "care.super"),
        ("entitlements", "care.super"),
        ("answer", "care.super"),
    ]
    notes = dict(
        case.events.filter(type="playbook.step_done").values_list(
            "data__code", "data__note"
        )
    )
    assert notes["choice"] == "The passenger accepted rebooking on AF11."
    assert notes["notice_verified"] == (
        "Operations recorded no notice before the cancellation."
    )
    # the optional care check is left to the agent
    assert "care_check" not in notes


def test_a_delay_whose_cause_nobody_recorded_is_left_untouched(people):
    # given a delay sent without a delay code or cause, its passenger rebooked and told
    disruption = disrupt(
        CA981_DELAY,
        [passenger(1, **REBOOKED_CA)],
        delay_code="",
        estimated_arrival="2026-12-20T21:00:00",
    )
    send_due(due_ids())
    case = AffectedPassenger.objects.get().case

    # when the supervisor closes the satisfied
    report = close_rebooked_and_satisfied(disruption, actor=people["care_supervisor"])

    # then the case waits for its agent, with no step ticked by the action
    assert (report.done, report.skipped, report.blocked) == (0, 0, 1)
    case.refresh_from_db()
    assert case.status == "new"
    assert step_ticks(case) == []
    assert "cause_verified" in [s.code for s in open_required_steps(case)]


def test_a_delay_with_its_cause_recorded_is_closed(people):
    # given the same delay with the delay code operations sent
    disruption = disrupt(
        CA981_DELAY,
        [passenger(1, **REBOOKED_CA)],
        estimated_arrival="2026-12-20T21:00:00",
    )
    send_due(due_ids())

    # when the supervisor closes the satisfied
    report = close_rebooked_and_satisfied(disruption, actor=people["care_supervisor"])

    # then it is closed, the cause step proven by the delay code
    assert (report.done, report.blocked) == (1, 0)
    case = AffectedPassenger.objects.get().case
    assert [code for code, _ in step_ticks(case)] == [
        "facts",
        "cause_verified",
        "entitlements",
        "answer",
    ]
