"""The console and the API search with one search: the same words find the same cases.

A case is found by its words, its passenger's e-mail, and its travel references
(flight, booking reference, e-ticket), which an agent on a call is read out.
"""

import pytest
from django.test import Client

from paxcare.accounts.models import ApiToken
from paxcare.cases.models import Case
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db

FILED = {
    "description": "My suitcase never arrived",
    "category": "baggage.delayed",
    "flight_number": "MU5101",
    "booking_reference": "QQ12RT",
    "ticket_number": "781 2345678901",
    "email": "fs@example.com",
}


@pytest.fixture
def agent():
    return make_agent("bag.search", departments=("baggage",))


@pytest.fixture
def api(agent) -> Client:
    _token, secret = ApiToken.issue(agent, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def console(agent) -> Client:
    client = Client()
    client.force_login(agent)
    return client


@pytest.fixture
def filed(api) -> str:
    """A case filed through the API, as the QA report did; its number."""
    response = api.post("/api/v1/cases", FILED, content_type="application/json")
    assert response.status_code == 201
    return response.json()["number"]


def console_finds(console: Client, query: str) -> list[str]:
    response = console.get("/console/all/", {"q": query})
    assert response.status_code == 200
    return [case.number for case in response.context["page"].rows]


def api_finds(api: Client, query: str) -> list[str]:
    response = api.get("/api/v1/cases", {"q": query})
    assert response.status_code == 200
    return [item["number"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    "query",
    [
        "fs@example.com",
        "MU5101",
        "mu5101",
        "MU 5101",
        "QQ12RT",
        "qq12rt",
        "781-2345678901",
        "7812345678901",
        "781 2345678901",
        "suitcase",
        "SUITCASE arrived",
        "ＭＵ５１０１",
        "ＱＱ１２ＲＴ",
        "ｆｓ＠ｅｘａｍｐｌｅ．ｃｏｍ",
    ],
)
def test_the_console_and_the_api_find_a_case_by_the_same_words(
    api, console, filed, query
):
    # given a case filed through the API (the fixture) and one that is not it
    make_case(description="Another bag.", flight_number="CA981")

    # when both search for the same words
    by_console = console_finds(console, query)
    by_api = api_finds(api, query)

    # then both find the filed case, and only it
    assert by_console == [filed]
    assert by_api == [filed]


@pytest.mark.parametrize(
    "query", ["MU5102", "QQ12RX", "781-2345678900", "fs@example.org", "luggage"]
)
def test_the_console_and_the_api_find_nothing_for_the_same_near_misses(
    api, console, filed, query
):
    assert console_finds(console, query) == []
    assert api_finds(api, query) == []


def test_a_case_number_finds_its_case_alone_in_both_places(api, console, filed):
    typed = filed.replace("-", "").lower()

    assert console_finds(console, typed) == [filed]
    assert api_finds(api, typed) == [filed]


def test_chinese_words_are_found_in_both_places(api, console):
    # given a Chinese complaint on a flight
    chinese = make_case(description="我的行李箱在北京没有到。", flight_number="CA981")
    make_case(description="航班延误了。")

    # when both search a Chinese word and the word with the flight
    # then both find it
    for query in ("行李箱", "行李 CA981"):
        assert console_finds(console, query) == [chinese.number]
        assert api_finds(api, query) == [chinese.number]


def test_a_changed_booking_reference_is_found_at_once(api, console, filed):
    # given the booking reference corrected after filing
    Case.objects.filter(number=filed).update(booking_reference="ZZ34UV")

    # then the new one finds the case and the old one no longer does
    assert console_finds(console, "ZZ34UV") == [filed]
    assert api_finds(api, "ZZ34UV") == [filed]
    assert console_finds(console, "QQ12RT") == []
    assert api_finds(api, "QQ12RT") == []
