"""API tokens: an optional expiry, and when each was last used."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from paxcare.accounts.management.commands.create_token import Command as CreateToken
from paxcare.accounts.models import ApiToken
from tests.factories import make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return make_agent("bag.agent", departments=("baggage",))


def test_create_token_with_days_sets_the_expiry(agent):
    out, err = StringIO(), StringIO()
    before = timezone.now()

    call_command("create_token", "bag.agent", "--days", "30", stdout=out, stderr=err)

    token = ApiToken.objects.get()
    assert before + timedelta(days=30) <= token.expires_at
    assert token.expires_at <= timezone.now() + timedelta(days=30)
    assert "valid until " in err.getvalue()


def test_create_token_without_days_never_expires(agent):
    call_command("create_token", "bag.agent", stdout=StringIO(), stderr=StringIO())

    assert ApiToken.objects.get().expires_at is None


@pytest.mark.parametrize("days", ["0", "-3", "soon"])
def test_create_token_refuses_a_bad_number_of_days(agent, days):
    with pytest.raises(CommandError, match="--days must be"):
        call_command("create_token", "bag.agent", "--days", days, stderr=StringIO())


@pytest.mark.parametrize("days", ["3651", "999999999"])
def test_create_token_refuses_more_than_ten_years_in_one_line(agent, days):
    # Given an agent
    # When a token is asked for longer than 3650 days
    with pytest.raises(CommandError) as refused:
        call_command("create_token", "bag.agent", "--days", days, stderr=StringIO())

    # Then the command says the bound, and no token exists
    assert str(refused.value) == (
        "--days must be at most 3650 (ten years); leave it out for a token that "
        "works until revoked."
    )
    assert ApiToken.objects.count() == 0


def test_create_token_accepts_exactly_ten_years(agent):
    # Given an agent
    before = timezone.now()

    # When a token is asked for 3650 days
    call_command(
        "create_token",
        "bag.agent",
        "--days",
        "3650",
        stdout=StringIO(),
        stderr=StringIO(),
    )

    # Then it expires 3650 days from now
    expires_at = ApiToken.objects.get().expires_at
    assert before + timedelta(days=3650) <= expires_at
    assert expires_at <= timezone.now() + timedelta(days=3650)


def test_create_token_help_states_the_bound_of_days():
    # Given the create-token command
    parser = CreateToken().create_parser("paxcare", "create-token")

    # When its help is formatted
    text = " ".join(parser.format_help().split())

    # Then it names the range of days
    assert "Days the token works, 1 to 3650; without it, until it is revoked." in text


def test_an_expired_token_is_refused(agent):
    token, secret = ApiToken.issue(agent, name="crm")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/cases").status_code == 200

    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save(update_fields=["expires_at"])
    response = api.get("/api/v1/cases")

    assert response.status_code == 401


def test_list_tokens_shows_expiry_last_use_and_state(agent):
    used, secret = ApiToken.issue(agent, name="crm bridge")
    Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/cases")
    revoked, _secret = ApiToken.issue(agent, name="old")
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    out = StringIO()

    call_command("list_tokens", "bag.agent", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].split() == [
        "token", "user", "name", "created", "expires", "last", "used", "state",
    ]  # fmt: skip
    assert len(lines) == 3
    assert lines[1].startswith(f"{used.key_prefix}…  bag.agent  crm bridge")
    assert lines[1].endswith("active")
    assert "never" in lines[1]
    assert lines[1].count(timezone.localtime().strftime("%Y-%m-%d")) == 2
    assert lines[2].endswith("revoked")
    assert lines[2].split()[-2:] == ["never", "revoked"]
