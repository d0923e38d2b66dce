"""The passenger hears of an offer once it is theirs to answer; an offer over the
proposer's limit asks the department's supervisor first."""

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from paxcare.comms.models import Notification, Purpose
from paxcare.remedies.offers import OfferDraft, approve_offer, propose_offer
from paxcare.routing.models import Department
from tests.factories import make_case

EUR_600 = OfferDraft(kind="compensation", amount=Decimal("600"), currency="EUR")
VOUCHER_400 = OfferDraft(kind="voucher", amount=Decimal("400"), currency="CNY")


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
