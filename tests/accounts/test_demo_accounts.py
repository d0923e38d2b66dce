"""Demo accounts work in demo mode only: sign-in, an open session, API tokens."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from paxcare.accounts.demo import DEMO_GROUP, is_demo_account
from paxcare.accounts.models import ApiToken
from tests.factories import make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_workspace(settings, tmp_path) -> dict[str, str]:
    """Seed the demo people in demo mode; return their printed passwords."""
    settings.DEMO_MODE = True
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    return _credentials(tmp_path / "demo-credentials.txt")


def _credentials(path: Path) -> dict[str, str]:
    rows = [line.split() for line in path.read_text().splitlines()]
    return {row[0]: row[1] for row in rows if not row[0].startswith("#")}


def sign_in(client: Client, username: str, password: str):
    return client.post("/console/login/", {"username": username, "password": password})


def test_seed_demo_marks_every_account_it_makes(demo_workspace):
    users = get_user_model().objects.all()

    assert users.count() == 13
    assert all(is_demo_account(user) for user in users)
    assert set(users.filter(groups__name=DEMO_GROUP).values_list("pk", flat=True)) == {
        user.pk for user in users
    }


def test_only_the_demo_administrator_may_use_the_admin_site(demo_workspace):
    users = get_user_model().objects

    staff = set(users.filter(is_staff=True).values_list("username", flat=True))

    assert staff == {"admin"}


def test_demo_accounts_sign_in_in_demo_mode(client, demo_workspace):
    response = sign_in(client, "admin", demo_workspace["admin"])

    assert response.status_code == 302
    assert response["Location"] == "/console/"


def test_outside_demo_mode_the_console_refuses_a_demo_password(
    client, demo_workspace, settings
):
    settings.DEMO_MODE = False

    response = sign_in(client, "admin", demo_workspace["admin"])

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": [
            "Please enter a correct username and password. Note that both fields "
            "may be case-sensitive."
        ]
    }
    assert "_auth_user_id" not in client.session


def test_outside_demo_mode_the_admin_site_refuses_a_demo_password(
    client, demo_workspace, settings
):
    settings.DEMO_MODE = False

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin", "password": demo_workspace["admin"]},
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_demo_session_ends_when_the_workspace_leaves_demo_mode(
    client, demo_workspace, settings
):
    sign_in(client, "agent.baggage1", demo_workspace["agent.baggage1"])
    assert client.get("/console/").status_code == 200

    settings.DEMO_MODE = False
    response = client.get("/console/")

    assert response.status_code == 302
    assert response["Location"] == "/console/login/?next=/console/"


def test_outside_demo_mode_a_demo_token_is_refused(demo_workspace, settings):
    admin = get_user_model().objects.get(username="admin")
    _token, secret = ApiToken.issue(admin, name="demo")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/cases").status_code == 200

    settings.DEMO_MODE = False
    response = api.get("/api/v1/cases")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_create_token_refuses_a_demo_account_outside_demo_mode(
    demo_workspace, settings
):
    settings.DEMO_MODE = False

    with pytest.raises(CommandError, match="'admin' is a demo account"):
        call_command("create_token", "admin", stdout=StringIO(), stderr=StringIO())


def test_other_accounts_keep_working_outside_demo_mode(client, settings):
    settings.DEMO_MODE = False
    make_agent("real.agent", departments=("baggage",))

    response = sign_in(client, "real.agent", "pass-word-123")

    assert response.status_code == 302


def test_demo_people_can_be_told_and_approve_within_their_limits(demo_workspace):
    from decimal import Decimal

    from paxcare.routing.models import Department

    users = get_user_model().objects.select_related("agent")
    supervisor = users.get(username="supervisor")
    agent = users.get(username="agent.baggage1")

    assert supervisor.email == "supervisor@example.com"
    assert set(Department.objects.values_list("supervisor", flat=True)) == {
        supervisor.pk
    }
    assert (agent.agent.approval_limit, agent.agent.approval_currency) == (
        Decimal("500"),
        "EUR",
    )
    assert supervisor.agent.approval_limit == Decimal("5000")
