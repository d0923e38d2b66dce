"""Administrators edit the taxonomy, departments, routes and agents in the admin;
passengers and bookings are there to read; the admin is for staff only."""

import pytest
from django.contrib.auth import get_user_model

from paxcare.routing.models import Agent, CategoryRoute, Department, Role
from paxcare.triage.models import Category, ClassifierVersion
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    root = get_user_model().objects.create_superuser(
        "root", "root@example.com", "pass-word-123"
    )
    client.force_login(root)
    return client


@pytest.mark.parametrize(
    "page",
    [
        "triage/category/",
        "triage/classifierversion/",
        "routing/department/",
        "routing/categoryroute/",
        "routing/agent/",
        "crm/passenger/",
        "crm/booking/",
    ],
)
def test_the_pages_open_for_an_administrator(admin_client, page):
    assert admin_client.get(f"/admin/{page}").status_code == 200


def test_a_category_name_changes_and_its_code_stays(admin_client):
    category = Category.objects.get(code="baggage.lost")

    response = admin_client.post(
        f"/admin/triage/category/{category.pk}/change/",
        {
            "code": "baggage.gone",
            "name_en": "lost bag",
            "name_zh": "行李遗失",
            "position": category.position,
            "is_active": "on",
        },
    )

    category.refresh_from_db()
    assert response.status_code == 302
    assert (category.code, category.name_en, category.name_zh) == (
        "baggage.lost",
        "lost bag",
        "行李遗失",
    )


def test_a_category_cannot_be_deleted_only_retired(admin_client):
    category = Category.objects.get(code="baggage.lost")

    response = admin_client.get(f"/admin/triage/category/{category.pk}/delete/")

    assert response.status_code == 403


def test_a_route_moves_a_category_to_another_department(admin_client):
    route = CategoryRoute.objects.get(category__code="baggage.lost")
    service = Department.objects.get(code="service-quality")

    admin_client.post(
        f"/admin/routing/categoryroute/{route.pk}/change/",
        {"category": route.category_id, "department": service.pk},
    )

    route.refresh_from_db()
    assert route.department == service
    assert make_case(category="baggage.lost").department == service


def test_an_agent_profile_is_edited(admin_client):
    user = make_agent("bag.agent", departments=("baggage",))
    agent = user.agent
    ticketing = Department.objects.get(code="ticketing")

    response = admin_client.post(
        f"/admin/routing/agent/{agent.pk}/change/",
        {
            "user": user.pk,
            "role": Role.SUPERVISOR,
            "departments": [ticketing.pk],
            "is_available": "",
            "approval_limit": "2500.00",
            "approval_currency": "CNY",
            "skills": "[]",
            "languages": '["zh-hans"]',
        },
    )

    agent = Agent.objects.get(pk=agent.pk)
    assert response.status_code == 302
    assert (agent.role, agent.is_available, str(agent.approval_limit)) == (
        Role.SUPERVISOR,
        False,
        "2500.00",
    )
    assert list(agent.departments.values_list("code", flat=True)) == ["ticketing"]


def test_the_shipped_model_is_activated_back(admin_client):
    version = ClassifierVersion.objects.create(
        label="airline history", blob=b"", is_active=True
    )

    response = admin_client.post(
        "/admin/triage/classifierversion/",
        {"action": "use_shipped_default", "_selected_action": [version.pk]},
    )

    assert response.status_code == 302
    assert ClassifierVersion.objects.filter(is_active=True).count() == 0


def test_a_version_is_activated(admin_client):
    old = ClassifierVersion.objects.create(label="old", blob=b"", is_active=True)
    new = ClassifierVersion.objects.create(label="new", blob=b"")

    admin_client.post(
        "/admin/triage/classifierversion/",
        {"action": "activate", "_selected_action": [new.pk]},
    )

    assert list(ClassifierVersion.objects.filter(is_active=True)) == [new]
    old.refresh_from_db()
    assert old.is_active is False


def test_passengers_are_read_not_edited(admin_client):
    passenger = make_case(passenger_name="Li Wei").passenger

    page = admin_client.get(f"/admin/crm/passenger/{passenger.pk}/change/")
    post = admin_client.post(
        f"/admin/crm/passenger/{passenger.pk}/change/", {"full_name": "Someone"}
    )

    passenger.refresh_from_db()
    assert page.status_code == 200
    assert post.status_code == 403
    assert passenger.full_name == "Li Wei"


def test_an_agent_without_staff_status_is_sent_to_the_admin_sign_in(client):
    agent = make_agent("bag.agent", departments=("baggage",))
    agent.is_staff = False
    agent.save()
    client.force_login(agent)

    response = client.get("/admin/triage/category/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
