"""The passenger hears of an offer once it is theirs to answer; an offer over the
proposer's limit asks the department's supervisor first."""

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from paxcare.comms.models import Notification, Purpose
from paxcare.remedies.offers import OfferDraft, approve_offer, propose_offer
from paxcare.remedies.offers_batch import propose_offers
from paxcare.routing.models import Department
from paxcare.routing.services import reassign_case
from tests.factories import make_case
from tests.remedies.conftest import UTC_NOW

EUR_600 = OfferDraft(kind="compensation", amount=Decimal("600"), currency="EUR")
VOUCHER_400 = OfferDraft(kind="voucher", amount=Decimal("400"), currency="CNY")
VOUCHER_4000 = OfferDraft(kind="voucher", amount=Decimal("4000"), currency="CNY")


def _sent(case, purpose):
    return list(Notification.objects.filter(case=case, purpose=purpose))


def test_an_offer_within_the_limit_is_sent_to_the_passenger_at_once(
    assessed_case, people, settings
):
    settings.PUBLIC_URL = "https://care.example.com/"

    offer = propose_offer(assessed_case, VOUCHER_400, actor=people["agent"])

    [told] = _sent(assessed_case, Purpose.OFFER)
    assert (told.channel, told.recipient, told.key) == (
        "email",
        "anna.schmidt@example.com",
        f"offer:{offer.pk}",
    )
    assert told.context["offer_text"] == "voucher"
    assert (told.context["amount"], told.context["currency"]) == ("400.00", "CNY")
    assert told.context["accept_url"] == (
        f"https://care.example.com/track/{assessed_case.number}/"
    )
    local_expiry = offer.expires_at.astimezone(ZoneInfo(settings.TIME_ZONE))
    assert told.context["expires"] == local_expiry.strftime("%Y-%m-%d %H:%M")
    assert _sent(assessed_case, Purpose.APPROVAL_REQUEST) == []


def test_an_offer_over_the_limit_asks_the_supervisor_then_tells_the_passenger(
    assessed_case, people
):
    supervisor = people["supervisor"]
    supervisor.email = "lead@example.com"
    supervisor.save()
    Department.objects.filter(code="disruption-care").update(supervisor=supervisor)

    offer = propose_offer(assessed_case, EUR_600, actor=people["agent"])

    [asked] = _sent(assessed_case, Purpose.APPROVAL_REQUEST)
    assert (asked.recipient, asked.context["requester"]) == (
        "lead@example.com",
        "care.agent",
    )
    assert asked.context["console_url"].endswith(
        f"/console/cases/{assessed_case.number}/"
    )
    assert _sent(assessed_case, Purpose.OFFER) == []

    approve_offer(offer, actor=supervisor)

    [told] = _sent(assessed_case, Purpose.OFFER)
    assert (told.recipient, told.context["amount"], told.context["currency"]) == (
        "anna.schmidt@example.com",
        "600.00",
        "EUR",
    )


def test_a_chinese_passenger_reads_the_offer_in_chinese(people):
    case = make_case(
        description="航班延误四个小时。",
        category="flight.delay",
        email="li.wei@example.com",
        language="zh-hans",
    )
    case.department = Department.objects.get(code="disruption-care")
    case.save()

    propose_offer(case, VOUCHER_400, actor=people["agent"])

    [told] = _sent(case, Purpose.OFFER)
    assert told.language == "zh-hans"
    assert told.context["offer_text"] == "代金券"


@pytest.mark.parametrize("repeat", [1, 2])
def test_each_offer_is_told_once(assessed_case, people, repeat):
    offers = [
        propose_offer(assessed_case, VOUCHER_400, actor=people["agent"])
        for _ in range(repeat)
    ]

    keys = sorted(n.key for n in _sent(assessed_case, Purpose.OFFER))
    assert keys == sorted(f"offer:{o.pk}" for o in offers)


# --- A batch asks once ----------------------------------------------------------


def _lead(people, department="disruption-care", email="lead@example.com"):
    supervisor = people["supervisor"]
    supervisor.email = email
    supervisor.save()
    Department.objects.filter(code=department).update(supervisor=supervisor)
    return supervisor


def _cases(people, categories):
    return [
        reassign_case(
            make_case(category=category, description="Cancelled."),
            people["agent"],
            actor=None,
        )
        for category in categories
    ]


def test_a_batch_over_the_limit_asks_the_supervisor_once(people, settings):
    settings.PUBLIC_URL = "https://care.example.com/"
    _lead(people)
    cases = _cases(people, ["flight.cancellation"] * 3)

    offers = propose_offers(cases, VOUCHER_4000, actor=people["agent"], at=UTC_NOW)

    [asked] = Notification.objects.filter(purpose=Purpose.APPROVAL_REQUEST)
    assert (asked.case_id, asked.key, asked.recipient) == (
        cases[0].pk,
        f"batch:{offers[0].pk}",
        "lead@example.com",
    )
    assert asked.context == {
        "offer_text": "3 offers proposed together, one per case: "
        "voucher, 4,000.00 CNY each",
        "amount": "12,000.00",
        "currency": "CNY",
        "offer_count": 3,
        "console_url": "https://care.example.com/console/remedies/#approvals",
        "requester": "care.agent",
    }


def test_a_batch_asks_each_departments_supervisor_once(people):
    _lead(people)
    bags = people["supervisor2"]
    bags.email = "bags@example.com"
    bags.save()
    Department.objects.filter(code="baggage").update(supervisor=bags)
    categories = ["flight.cancellation", "baggage.delayed"] * 2 + ["baggage.delayed"]
    cases = [make_case(category=category) for category in categories]

    offers = propose_offers(cases, VOUCHER_4000, actor=people["admin"], at=UTC_NOW)

    asked = Notification.objects.filter(purpose=Purpose.APPROVAL_REQUEST)
    assert sorted(asked.values_list("recipient", "key", "context__offer_count")) == [
        ("bags@example.com", f"batch:{offers[0].pk}", 3),
        ("lead@example.com", f"batch:{offers[0].pk}", 2),
    ]


def test_a_batch_of_one_asks_as_a_single_offer_does(people):
    _lead(people)
    [case] = _cases(people, ["flight.cancellation"])

    [offer] = propose_offers([case], VOUCHER_4000, actor=people["agent"], at=UTC_NOW)

    [asked] = Notification.objects.filter(purpose=Purpose.APPROVAL_REQUEST)
    assert (asked.key, asked.context["offer_text"], asked.context["amount"]) == (
        f"offer:{offer.pk}",
        "voucher",
        "4,000.00",
    )


def test_single_offers_still_ask_one_by_one(assessed_case, people):
    _lead(people)

    offers = [
        propose_offer(assessed_case, EUR_600, actor=people["agent"]) for _ in range(2)
    ]

    asked = Notification.objects.filter(purpose=Purpose.APPROVAL_REQUEST)
    assert sorted(asked.values_list("key", flat=True)) == [
        f"offer:{offer.pk}" for offer in offers
    ]


def test_the_passengers_of_a_batch_within_the_limit_are_each_told(people):
    _lead(people)
    cases = _cases(people, ["flight.cancellation"] * 3)

    propose_offers(cases, VOUCHER_400, actor=people["agent"], at=UTC_NOW)

    told = Notification.objects.filter(purpose=Purpose.OFFER)
    assert sorted(told.values_list("case_id", flat=True)) == [c.pk for c in cases]
    assert not Notification.objects.filter(purpose=Purpose.APPROVAL_REQUEST).exists()
