"""Queues, filters, search and pages of the console's case lists."""

from datetime import timedelta

import pytest
from django.utils import timezone

from paxcare.cases.models import Case
from paxcare.cases.services import change_status
from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import open_cases
from paxcare.sla.models import Clock
from tests.factories import complete_playbook, make_case


def numbers(response) -> list[str]:
    return [case.number for case in response.context["page"].rows]


def test_my_queue_holds_my_active_cases_only(client_as, people, case):
    resolved = make_case(description="Bag came back damaged.")
    complete_playbook(resolved, people["agent_a"])
    change_status(resolved, "resolved", actor=people["agent_a"])
    someone_elses = make_case(description="Another bag is late.")
    Case.objects.filter(pk=someone_elses.pk).update(assignee=people["agent_a2"])

    response = client_as("agent_a").get("/console/")

    assert response.status_code == 200
    assert numbers(response) == [case.number]


def test_the_department_queue_holds_the_departments_cases(client_as, people, case):
    other = make_case(description="Wheel broken on my suitcase.")
    Case.objects.filter(pk=other.pk).update(assignee=people["agent_a2"])
    make_case(category="ticketing.refund", description="Refund please.")

    response = client_as("supervisor").get("/console/department/")

    assert sorted(numbers(response)) == sorted([case.number, other.number])


def test_the_triage_queue_holds_the_cases_the_classifier_was_unsure_of(client_as, case):
    unsure = make_case(description="Something odd happened.")
    Case.objects.filter(pk=unsure.pk).update(needs_triage=True)

    response = client_as("agent_a").get("/console/triage/")

    assert numbers(response) == [unsure.number]


def test_all_cases_shows_every_status_but_never_another_departments(
    client_as, people, case
):
    complete_playbook(case, people["agent_a"])
    change_status(case, "resolved", actor=people["agent_a"])
    make_case(category="ticketing.refund", description="Refund please.")

    response = client_as("agent_a").get("/console/all/")

    assert numbers(response) == [case.number]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "open"}, ["opened"]),
        ({"category": "baggage.damaged"}, ["damaged"]),
        ({"channel": "phone"}, ["phoned"]),
        ({"risk": "breached"}, ["late"]),
        ({"q": "行李箱"}, ["chinese"]),
        ({"q": "frequent.flyer@EXAMPLE.com"}, ["by_email"]),
        ({"q": "WHEELCHAIR"}, ["by_subject"]),
    ],
)
def test_filters_and_search_narrow_the_list(client_as, people, query, expected):
    agent = people["agent_a"]
    made = {
        "opened": make_case(description="Opened already."),
        "damaged": make_case(category="baggage.damaged", description="Handle broke."),
        "phoned": make_case(channel="phone", description="Called about a bag."),
        "late": make_case(description="Still waiting for my bag."),
        "chinese": make_case(description="我的行李箱在北京没有到。"),
        "by_email": make_case(email="frequent.flyer@example.com", description="Bag."),
        "by_subject": make_case(subject="Wheelchair bag", description="Bag missing."),
    }
    change_status(made["opened"], "open", actor=agent)
    Clock.objects.filter(case=made["late"]).update(
        due_at=timezone.now() - timedelta(hours=1)
    )
    Case.objects.update(assignee=agent)

    response = client_as("agent_a").get("/console/all/", query)

    assert numbers(response) == [made[name].number for name in expected]


def test_searching_a_case_number_finds_it_however_it_is_typed(client_as, case):
    typed = case.number.replace("-", "").lower()

    response = client_as("agent_a").get("/console/all/", {"q": typed})

    assert numbers(response) == [case.number]


def test_an_unknown_filter_value_is_reported_and_ignored(client_as, case):
    response = client_as("agent_a").get("/console/all/", {"status": "lost"})

    assert response.status_code == 400
    assert numbers(response) == [case.number]
    assert "<li>Status: Select a valid choice." in response.text


def _many_cases(count: int, agent) -> list[Case]:
    start = timezone.now() - timedelta(days=1)
    drafts = [
        CaseDraft(
            description=f"Bag number {i} is missing.",
            channel="web",
            category="baggage.delayed",
            kind="complaint",
            email=f"pax{i}@example.com",
            received_at=start + timedelta(minutes=i),
        )
        for i in range(count)
    ]
    cases = [result.case for result in open_cases(drafts)]
    Case.objects.update(assignee=agent)
    return cases


def test_pages_hold_fifty_cases_newest_first_and_go_on_without_overlap(
    client_as, people
):
    cases = _many_cases(55, people["agent_a"])
    newest_first = [c.number for c in reversed(cases)]
    client = client_as("agent_a")

    first = client.get("/console/")
    cursor = first.context["page"].next_cursor
    second = client.get("/console/", {"after": cursor})

    assert numbers(first) == newest_first[:50]
    assert numbers(second) == newest_first[50:]
    assert second.context["page"].next_cursor is None
    assert 'rel="next"' in first.text


def test_a_broken_cursor_shows_the_first_page(client_as, case):
    response = client_as("agent_a").get("/console/", {"after": "not-a-cursor"})

    assert numbers(response) == [case.number]


def test_a_list_page_costs_the_same_few_queries_for_fifty_rows(
    client_as, people, django_assert_max_num_queries
):
    _many_cases(55, people["agent_a"])
    client = client_as("agent_a")

    # Session, user, agent profile, categories of the filter, the page, its clocks.
    with django_assert_max_num_queries(8):
        response = client.get("/console/all/", {"q": "Bag", "risk": "ok"})

    assert len(response.context["page"].rows) == 50
