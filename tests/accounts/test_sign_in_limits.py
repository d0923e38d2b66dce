"""Wrong passwords are limited per username and address, in the console and admin."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from paxcare.accounts.forms import LOGIN_FAILURE_LIMIT
from tests.factories import make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_failures_counted():
    cache.clear()


REFUSED = (
    "Too many failed sign-ins for this username from your connection. "
    "Try again in 15 minutes."
)


@pytest.fixture
def agent():
    return make_agent("bag.agent", departments=("baggage",))


def console_sign_in(client: Client, password: str, **extra):
    return client.post(
        "/console/login/", {"username": "bag.agent", "password": password}, **extra
    )


def test_after_five_wrong_passwords_even_the_right_one_is_refused(client, agent):
    wrong = [console_sign_in(client, "guess").status_code for _ in range(5)]

    response = console_sign_in(client, "pass-word-123")

    assert LOGIN_FAILURE_LIMIT == 5
    assert wrong == [200] * 5
    assert response.status_code == 429
    assert (
        response.context["form"]
        .errors["__all__"][0]
        .startswith("Too many failed sign-ins for this username from your connection.")
    )
    assert "_auth_user_id" not in client.session


def test_thirty_wrong_passwords_do_not_open_the_account(client, agent):
    for _ in range(30):
        console_sign_in(client, "guess")

    response = console_sign_in(client, "pass-word-123")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_another_address_keeps_its_own_count(client, agent):
    for _ in range(LOGIN_FAILURE_LIMIT):
        console_sign_in(client, "guess")

    response = console_sign_in(client, "pass-word-123", REMOTE_ADDR="10.0.0.9")

    assert response.status_code == 302


def test_a_success_clears_the_count(client, agent):
    for _ in range(LOGIN_FAILURE_LIMIT - 1):
        console_sign_in(client, "guess")
    console_sign_in(client, "pass-word-123")
    client.logout()

    results = [console_sign_in(client, "guess").status_code for _ in range(4)]

    assert results == [200, 200, 200, 200]
    assert console_sign_in(client, "pass-word-123").status_code == 302


def test_the_admin_sign_in_is_limited_too(client):
    get_user_model().objects.create_superuser("root", "root@example.com", "s3cret-pw!")

    def admin_sign_in(password: str):
        return client.post(
            "/admin/login/?next=/admin/", {"username": "root", "password": password}
        )

    for _ in range(LOGIN_FAILURE_LIMIT):
        admin_sign_in("guess")
    response = admin_sign_in("s3cret-pw!")

    assert response.status_code == 200
    assert (
        response.context["form"]
        .errors["__all__"][0]
        .startswith("Too many failed sign-ins for this username from your connection.")
    )
    assert "_auth_user_id" not in client.session
