from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from paxcare.accounts.models import ApiToken, hash_token
from paxcare.routing.models import Agent, Department, Role
from tests.factories import make_agent

pytestmark = pytest.mark.django_db


def test_create_token_prints_a_working_token_and_stores_its_hash():
    make_agent("bag.agent", departments=("baggage",))
    out = StringIO()

    call_command(
        "create_token",
        "bag.agent",
        "--name",
        "crm bridge",
        stdout=out,
        stderr=StringIO(),
    )

    secret = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert secret.startswith("pxc_")
    assert token.key_hash == hash_token(secret)
    assert secret not in (token.key_hash, token.key_prefix)
    assert token.name == "crm bridge"
    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/cases")
    assert response.status_code == 200


def test_create_token_for_an_unknown_user_fails_clearly():
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("create_token", "nobody")


def test_seed_demo_refuses_outside_demo_mode(settings):
    settings.DEMO_MODE = False

    with pytest.raises(CommandError, match="only in demo mode"):
        call_command("seed_demo", stdout=StringIO())


def test_seed_demo_creates_the_people_once_and_keeps_their_passwords(
    settings, tmp_path
):
    settings.DEMO_MODE = True
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    first, second = StringIO(), StringIO()

    call_command("seed_demo", stdout=first)
    call_command("seed_demo", stdout=second)

    users = get_user_model().objects
    credentials = _credentials(tmp_path / "demo-credentials.txt")
    assert users.count() == 13
    assert set(credentials) == set(users.values_list("username", flat=True))
    assert users.get(username="agent.baggage1").check_password(
        credentials["agent.baggage1"]
    )
    assert first.getvalue() == second.getvalue()
    assert "http://127.0.0.1:8000/api/v1/docs" in first.getvalue()
    supervisor = users.get(username="supervisor")
    assert set(Department.objects.values_list("supervisor", flat=True)) == {
        supervisor.pk
    }
    assert Agent.objects.get(user=supervisor).role == Role.SUPERVISOR
    assert users.get(username="admin").is_superuser
    assert list(
        Agent.objects.get(user__username="agent.ticketing2").departments.values_list(
            "code", flat=True
        )
    ) == ["ticketing"]


def _credentials(path: Path) -> dict[str, str]:
    rows = [
        line.split()
        for line in path.read_text().splitlines()
        if not line.startswith("#")
    ]
    return dict(rows)
