"""An offer is money to pay: in a currency that is legal tender, never the SDR."""

from decimal import Decimal

import pytest

from paxcare.errors import InvalidInput
from paxcare.remedies.models import RemedyOffer
from paxcare.remedies.offers import OfferDraft, is_payable_currency, propose_offer
from paxcare.remedies.offers_batch import propose_offers
from tests.api.conftest import ApiClient
from tests.factories import make_case

XDR_MESSAGE = (
    "XDR cannot be paid: give the currency of the payment, such as EUR (XDR, the "
    "SDR, is a unit of account of the Montreal Convention)."
)


@pytest.mark.parametrize(
    ("code", "payable"),
    [
        ("EUR", True),
        ("CNY", True),
        ("XAF", True),
        ("XCD", True),
        ("XDR", False),
        ("XAU", False),
        ("XTS", False),
        ("XXX", False),
        ("CLF", False),
        ("DEM", False),
    ],
)
def test_only_legal_tender_is_payable(code, payable):
    assert is_payable_currency(code) is payable


@pytest.mark.parametrize("kind", ["compensation", "refund", "voucher"])
def test_an_offer_in_sdr_is_refused_on_its_currency(assessed_case, people, kind):
    draft = OfferDraft(kind=kind, amount=Decimal("1519"), currency="xdr")

    with pytest.raises(InvalidInput) as refused:
        propose_offer(assessed_case, draft, actor=people["agent"])

    assert [(f.field, f.code, f.message) for f in refused.value.fields] == [
        ("currency", "not_payable", XDR_MESSAGE)
    ]
    assert not RemedyOffer.objects.exists()


def test_the_api_answers_an_offer_in_sdr_with_a_field_error(assessed_case, people):
    body = {
        "case": assessed_case.number,
        "kind": "compensation",
        "amount": "1519.00",
        "currency": "XDR",
    }

    response = ApiClient(people["agent"]).post("/remedies/offers", body)

    assert response.status_code == 422
    assert response.json()["error"]["fields"] == [
        {"field": "currency", "code": "not_payable", "message": XDR_MESSAGE}
    ]
    assert not RemedyOffer.objects.exists()


def test_the_console_form_shows_the_fault_beside_the_currency(
    client, assessed_case, people
):
    client.force_login(people["agent"])

    response = client.post(
        f"/console/cases/{assessed_case.number}/remedies/offers/",
        {"kind": "compensation", "amount": "1519.00", "currency": "XDR"},
    )

    assert response.status_code == 400
    assert response.context["offer_form"].errors == {"currency": [XDR_MESSAGE]}
    assert not RemedyOffer.objects.exists()


def test_a_batch_in_sdr_is_refused_before_any_case_gets_it(people):
    case = make_case(category="flight.cancellation")
    draft = OfferDraft(kind="voucher", amount=Decimal("100"), currency="XDR")

    with pytest.raises(InvalidInput) as refused:
        propose_offers([case], draft, actor=people["admin"])

    assert [(f.field, f.code) for f in refused.value.fields] == [
        ("currency", "not_payable")
    ]
    assert not RemedyOffer.objects.exists()
