"""The public page and feeds: in English and Chinese, and never a passenger's data."""

import json
import xml.etree.ElementTree as ElementTree

import pytest

from paxcare.public import public_url
from tests.disruptions.conftest import AF_JFK_CDG, disrupt, passenger

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SECRETS = ("Ann Smith", "ann1@example.com", "K7M3P1", "+12125550101", "PX-")


@pytest.fixture
def disruption():
    return disrupt(
        AF_JFK_CDG,
        [passenger(1, phone="+12125550101"), passenger(2)],
        type="cancellation",
        delay_code="71",
    )


def assert_no_passenger_data(body: str) -> None:
    for secret in SECRETS:
        assert secret not in body


def test_the_english_page_says_what_happened_why_and_what_is_owed(client, disruption):
    response = client.get("/disruptions/AF23-20260105-JFK/", HTTP_ACCEPT_LANGUAGE="en")

    body = response.content.decode()
    assert response.status_code == 200
    assert "AF23 JFK–CDG on Jan. 5, 2026 is cancelled" in body
    assert "bad weather" in body
    assert "EU 261/2004" in body
    assert "How to claim" in body
    assert_no_passenger_data(body)


def test_the_chinese_page_is_in_chinese(client, disruption):
    response = client.get(
        "/disruptions/AF23-20260105-JFK/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "AF23 JFK–CDG 航班（2026年1月5日）已取消" in body
    assert "恶劣天气" in body
    assert "就本航班索赔或咨询" in body
    assert_no_passenger_data(body)


def test_an_unknown_flight_is_404(client, disruption):
    assert client.get("/disruptions/AF24-20260105-JFK/").status_code == 404
    assert client.get("/disruptions/not-a-flight/").status_code == 404


def test_the_list_shows_the_disruption(client, disruption):
    response = client.get("/disruptions/", HTTP_ACCEPT_LANGUAGE="en")

    body = response.content.decode()
    assert "/disruptions/AF23-20260105-JFK/" in body
    assert "/disruptions/feed/en.atom" in body
    assert_no_passenger_data(body)


@pytest.mark.parametrize(
    ("language", "title", "headline"),
    [
        ("en", "Flight disruptions", "AF23 JFK–CDG on Jan. 5, 2026 is cancelled"),
        ("zh-hans", "航班不正常信息", "AF23 JFK–CDG 航班（2026年1月5日）已取消"),
    ],
)
def test_the_atom_feed_in_each_language(client, disruption, language, title, headline):
    response = client.get(f"/disruptions/feed/{language}.atom")

    body = response.content.decode()
    root = ElementTree.fromstring(response.content)
    assert response["Content-Type"].startswith("application/atom+xml")
    assert root.find(f"{ATOM}title").text == title
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [headline]
    assert entries[0].find(f"{ATOM}id").text == public_url(
        "/disruptions/AF23-20260105-JFK/#v1"
    )
    assert_no_passenger_data(body)


@pytest.mark.parametrize(
    ("language", "reason"), [("en", "bad weather"), ("zh-hans", "恶劣天气")]
)
def test_the_json_feed_in_each_language(client, disruption, language, reason):
    response = client.get(f"/disruptions/feed/{language}.json")

    feed = json.loads(response.content)
    assert response["Content-Type"].startswith("application/feed+json")
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["language"] == language
    item = feed["items"][0]
    assert item["_flight"]["flight_number"] == "AF23"
    assert item["_flight"]["status"] == "cancelled"
    # Weather (delay code 71) is an extraordinary circumstance: no EU261 cash.
    assert sorted(
        (e["regime"], e["kind"], e["amount"]) for e in item["_flight"]["entitlements"]
    ) == [
        ("eu261", "care", None),
        ("eu261", "care", None),
        ("eu261", "refund", None),
        ("eu261", "rerouting", None),
        ("us_dot", "refund", None),
    ]
    assert item["_flight"]["reason"] == reason
    assert_no_passenger_data(response.content.decode())


def test_a_feed_in_another_language_is_404(client, disruption):
    assert client.get("/disruptions/feed/fr.atom").status_code == 404
    assert client.get("/disruptions/feed/fr.json").status_code == 404
