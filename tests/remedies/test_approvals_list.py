"""The remedies page lists what waits for the reader's approval, in a fixed number
of queries however many offers wait."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paxcare.remedies.offers import OfferDraft, offers_awaiting, propose_offer
from paxcare.routing.services import reassign_case
from tests.factories import make_case

EUR_600 = OfferDraft(kind="compensation", amount=Decimal("600"), currency="EUR")
PAGE = "/console/remedies/"


@pytest.fixture
def flight_cases(people):
    return [
        reassign_case(
            make_case(category="flight.delay", description="Late."),
            people["agent"],
            actor=None,
        )
        for _ in range(3)
    ]


def wait(cases, count, actor):
    return [
        propose_offer(cases[n % len(cases)], EUR_600, actor=actor) for n in range(count)
    ]


def queries_of_the_page(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PAGE)
    assert response.status_code == 200
    return len(queries), len(response.context["waiting"])


def test_the_approvals_list_costs_the_same_for_3_and_30_offers(
    client, flight_cases, people
):
    client.force_login(people["supervisor"])
    wait(flight_cases, 3, people["agent"])
    few, listed_few = queries_of_the_page(client)

    wait(flight_cases, 27, people["agent"])
    many, listed_many = queries_of_the_page(client)

    assert (listed_few, listed_many) == (3, 30)
    assert many == few


def test_the_list_holds_exactly_what_the_reader_may_approve(flight_cases, people):
    theirs = wait(flight_cases, 2, people["agent"])
    own = wait(flight_cases, 1, people["supervisor2"])
    elsewhere = propose_offer(
        make_case(category="baggage.delayed"), EUR_600, actor=None
    )

    waiting = {
        persona: sorted(o.pk for o in offers_awaiting(people[persona]))
        for persona in ("supervisor2", "supervisor", "agent2", "auditor", "admin")
    }

    assert waiting == {
        "supervisor2": [o.pk for o in theirs],
        "supervisor": sorted(o.pk for o in theirs + own),
        "agent2": [],
        "auditor": [],
        "admin": sorted(o.pk for o in theirs + own + [elsewhere]),
    }


def test_the_page_shows_the_waiting_offers(client, flight_cases, people):
    [offer] = wait(flight_cases, 1, people["agent"])
    client.force_login(people["supervisor"])

    response = client.get(PAGE)

    assert [o.pk for o in response.context["waiting"]] == [offer.pk]
    assert f'href="/console/cases/{offer.case.number}/#remedies"' in (
        response.content.decode()
    )


def test_the_list_shows_each_amount_with_its_currency_s_decimals(
    client, flight_cases, people
):
    # given offers in euros and in yen waiting for the supervisor
    propose_offer(flight_cases[0], EUR_600, actor=people["agent"])
    yen = OfferDraft(kind="voucher", amount=Decimal("150000"), currency="JPY")
    propose_offer(flight_cases[1], yen, actor=people["agent"])
    client.force_login(people["supervisor"])

    # when the supervisor opens the remedies page
    page = client.get(PAGE).content.decode()

    # then the euros have cents and the yen none
    assert "EUR 600.00" in page
    assert "JPY 150,000<" in page
