"""Rule rows kept per process: a change takes effect on the next request.

Routes, SLA policies and the active classifier version are read once per process
(``paxcare.rowcache``); these tests change them between two API requests, as an
administrator does, and check that the second request follows the change.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paxcare import rowcache
from paxcare.cases.models import Case
from paxcare.routing.models import CategoryRoute, Department
from paxcare.routing.services import routes_by_category
from paxcare.sla.models import ClockKind, SlaPolicy
from paxcare.triage.models import Category, ClassifierVersion
from paxcare.triage.services import (
    activate_classifier,
    active_classifier,
    shipped_classifier,
    use_shipped_classifier,
)

pytestmark = pytest.mark.django_db

BAG = {
    "description": "My bag did not arrive on CA982.",
    "category": "baggage.delayed",
    "kind": "claim",
}


def post_case(client, n: int):
    response = client.post("/cases", {**BAG, "email": f"pax{n}@example.com"})
    assert response.status_code == 201, response.content
    return response.json()


def test_a_changed_route_takes_effect_on_the_next_request(baggage_agent, api_as):
    # given a first case routed to baggage, with the routes now cached
    admin = api_as("admin", role="admin", departments=())
    assert post_case(admin, 1)["department"] == "baggage"

    # when an administrator sends delayed bags to customer relations
    route = CategoryRoute.objects.get(category__code="baggage.delayed")
    route.department = Department.objects.get(code="customer-relations")
    route.save()

    # then the next case goes there
    assert post_case(admin, 2)["department"] == "customer-relations"


def test_a_changed_sla_policy_takes_effect_on_the_next_request(baggage_agent):
    # given a first case, with the SLA policies now cached
    first = Case.objects.get(number=post_case(baggage_agent, 1)["number"])
    first_due = first.clocks.get(kind=ClockKind.FIRST_RESPONSE)
    assert first_due.target_minutes == 24 * 60

    # when a policy for delayed bags asks for a reply within two hours
    SlaPolicy.objects.create(
        name="Delayed bags",
        category="baggage.delayed",
        first_response_minutes=120,
        first_response_business_hours=False,
        resolution_minutes=2880,
        resolution_business_hours=False,
        warn_before_minutes=30,
        rank=1,
    )

    # then the next case's first-response clock has two hours
    second = Case.objects.get(number=post_case(baggage_agent, 2)["number"])
    clock = second.clocks.get(kind=ClockKind.FIRST_RESPONSE)
    assert clock.target_minutes == 120
    assert clock.due_at - clock.started_at == timedelta(hours=2)


def test_a_renamed_department_is_answered_on_the_next_request(baggage_agent):
    # given the routes cached by a first case
    post_case(baggage_agent, 1)
    baggage = Department.objects.get(code="baggage")

    # when the department gets a new code
    baggage.code = "bags"
    baggage.save()

    # then the next answer names it
    assert post_case(baggage_agent, 2)["department"] == "bags"


def test_rule_rows_are_read_once_until_they_change():
    # given the routes read once
    routes_by_category()

    # when they are asked for again, no query is made
    with CaptureQueriesContext(connection) as unchanged:
        again = routes_by_category()
    # and after a change of any route, they are read again
    CategoryRoute.objects.first().save()
    with CaptureQueriesContext(connection) as changed:
        routes_by_category()

    # then
    assert len(unchanged.captured_queries) == 0
    assert len(changed.captured_queries) == 1
    bag = Category.objects.get(code="baggage.delayed")
    assert again[bag.pk].code == "baggage"


def test_another_process_s_change_is_seen_once_the_shared_token_moves(monkeypatch):
    # given routes cached, and a change this process got no signal of (another
    # process made it; QuerySet.update sends none either)
    monkeypatch.setattr(rowcache, "CHECK_SECONDS", 0)
    bag = Category.objects.get(code="baggage.delayed")
    assert routes_by_category()[bag.pk].code == "baggage"
    relations = Department.objects.get(code="customer-relations")
    CategoryRoute.objects.filter(category=bag).update(department=relations)
    assert routes_by_category()[bag.pk].code == "baggage"

    # when the other process's commit moves the shared token
    cache.set(rowcache.SHARED_KEY, "another-process")

    # then this process reads the routes again
    assert routes_by_category()[bag.pk].code == "customer-relations"


def test_a_commit_moves_the_shared_token(django_capture_on_commit_callbacks):
    # given a token as it stands
    before = cache.get(rowcache.SHARED_KEY)

    # when a route change commits
    with django_capture_on_commit_callbacks(execute=True):
        CategoryRoute.objects.first().save()

    # then every process will see a new token
    after = cache.get(rowcache.SHARED_KEY)
    assert after is not None
    assert after != before


def test_an_activated_classifier_version_is_used_by_the_next_request():
    # given the shipped model in charge, with the version check cached
    assert active_classifier() is shipped_classifier()
    version = ClassifierVersion.objects.create(
        label="ours", blob=shipped_classifier().to_bytes()
    )
    assert active_classifier() is shipped_classifier()

    # when a version is activated, then it classifies the next texts
    activate_classifier(version)
    ours = active_classifier()
    assert ours is not shipped_classifier()
    with CaptureQueriesContext(connection) as again:
        assert active_classifier() is ours
    assert len(again.captured_queries) == 0

    # and when the shipped model is restored, it is back at once
    use_shipped_classifier()
    assert active_classifier() is shipped_classifier()
