"""Who may do what with offers: a matrix per role, through the API, the console
and the portal. A case someone may not see answers 404, as if it did not exist."""

from decimal import Decimal

import pytest
from django.test import Client

from paxcare.portal.views import SESSION_KEY
from paxcare.remedies.models import OfferState, RemedyOffer
from paxcare.remedies.offers import OfferDraft, accept_offer, propose_offer
from tests.api.conftest import ApiClient
from tests.factories import make_case

EUR_600 = OfferDraft(kind="compensation", amount=Decimal("600"), currency="EUR")
VOUCHER = OfferDraft(kind="voucher", amount=Decimal("400"), currency="CNY")
PERSONAS = ["agent", "supervisor", "auditor", "admin", "other", "anonymous"]


def _call(people, persona, method, path, body=None):
    if persona == "anonymous":
        client = Client()
        if method == "get":
            return client.get(f"/api/v1{path}")
        return client.post(
            f"/api/v1{path}", body or {}, content_type="application/json"
        )
    api = ApiClient(people[persona])
    return api.get(path) if method == "get" else api.post(path, body or {})


@pytest.mark.parametrize(
    ("persona", "status"),
    list(zip(PERSONAS, [201, 201, 403, 201, 404, 401], strict=True)),
)
def test_propose_through_the_api(assessed_case, people, persona, status):
    body = {
        "case": assessed_case.number,
        "kind": "voucher",
        "amount": "400",
        "currency": "CNY",
    }

    response = _call(people, persona, "post", "/remedies/offers", body)

    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    list(zip(PERSONAS, [403, 200, 403, 200, 404, 401], strict=True)),
)
def test_approve_through_the_api(assessed_case, people, persona, status):
    offer = propose_offer(assessed_case, EUR_600, actor=people["agent2"])

    response = _call(people, persona, "post", f"/remedies/offers/{offer.pk}/approve")

    assert response.status_code == status
    offer.refresh_from_db()
    expected = OfferState.APPROVED if status == 200 else OfferState.PROPOSED
    assert offer.state == expected


@pytest.mark.parametrize(
    ("persona", "status"),
    list(zip(PERSONAS, [200, 200, 403, 200, 404, 401], strict=True)),
)
def test_record_a_payment_through_the_api(assessed_case, people, persona, status):
    offer = propose_offer(assessed_case, VOUCHER, actor=people["agent"])
    accept_offer(offer)

    response = _call(
        people, persona, "post", f"/remedies/offers/{offer.pk}/pay", {"reference": "V1"}
    )

    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "status", "seen"),
    [
        ("agent", 200, 1),
        ("supervisor", 200, 1),
        ("auditor", 200, 1),
        ("admin", 200, 1),
        ("other", 200, 0),
        ("anonymous", 401, None),
    ],
)
def test_offers_and_ledger_are_scoped_to_the_cases_one_sees(
    assessed_case, people, persona, status, seen
):
    propose_offer(assessed_case, VOUCHER, actor=people["agent"])

    offers = _call(people, persona, "get", "/remedies/offers")
    ledger = _call(people, persona, "get", "/remedies/ledger?state=approved")

    assert (offers.status_code, ledger.status_code) == (status, status)
    if seen is not None:
        assert len(offers.json()) == seen
        assert len(ledger.json()["rows"]) == seen


def test_the_proposer_cannot_approve_through_the_api(assessed_case, people):
    pending = propose_offer(assessed_case, EUR_600, actor=people["supervisor2"])

    response = ApiClient(people["supervisor2"]).post(
        f"/remedies/offers/{pending.pk}/approve", {}
    )

    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "Another person must approve an offer you proposed."
    )


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_staff_cannot_answer_for_the_passenger(assessed_case, people, action):
    offer = propose_offer(assessed_case, VOUCHER, actor=people["agent"])

    response = ApiClient(people["admin"]).post(
        f"/remedies/offers/{offer.pk}/{action}", {}
    )

    assert response.status_code in (404, 405)
    offer.refresh_from_db()
    assert offer.state == OfferState.APPROVED


def test_the_api_answers_a_bad_offer_with_field_errors(assessed_case, people):
    body = {"case": assessed_case.number, "kind": "miles"}

    response = ApiClient(people["agent"]).post("/remedies/offers", body)

    assert response.status_code == 422
    assert [f["field"] for f in response.json()["error"]["fields"]] == ["miles"]


def test_the_api_shows_a_cases_rights_goodwill_and_playbook(assessed_case, people):
    response = ApiClient(people["auditor"]).get(
        f"/remedies/cases/{assessed_case.number}"
    )

    body = response.json()
    paying = [
        (e["regime"], e["amount"])
        for e in body["assessment"]["entitlements"]
        if e["kind"] == "compensation"
    ]
    assert paying == [("eu261", "600.00")]
    assert [(g["kind"], g["amount"]) for g in body["goodwill"]] == [
        ("voucher", "400.00")
    ]
    assert [s["code"] for s in body["playbook"]["steps"]][:2] == [
        "facts",
        "cause_verified",
    ]


# --- Console ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("agent", 403),
        ("supervisor", 302),
        ("auditor", 403),
        ("admin", 302),
        ("other", 404),
        ("no_profile", 403),
    ],
)
def test_approve_in_the_console(client, assessed_case, people, persona, status):
    offer = propose_offer(assessed_case, EUR_600, actor=people["agent2"])
    client.force_login(people[persona])

    response = client.post(
        f"/console/cases/{assessed_case.number}/remedies/offers/{offer.pk}/approve/"
    )

    assert response.status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client, assessed_case, people):
    offer = propose_offer(assessed_case, EUR_600, actor=people["agent2"])

    response = client.post(
        f"/console/cases/{assessed_case.number}/remedies/offers/{offer.pk}/approve/"
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/")


# --- Portal -------------------------------------------------------------------------


def _prove(client, number, email):
    session = client.session
    session[SESSION_KEY] = [[number, email]]
    session.save()


def test_the_passenger_accepts_in_the_portal(client, assessed_case, people):
    offer = propose_offer(assessed_case, VOUCHER, actor=people["agent"])
    _prove(client, assessed_case.number, "anna.schmidt@example.com")

    page = client.get(f"/track/{assessed_case.number}/")
    response = client.post(f"/track/{assessed_case.number}/offers/{offer.pk}/accept/")

    assert "CNY 400.00" in page.content.decode()
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.state == OfferState.ACCEPTED


def test_a_passenger_who_accepts_twice_is_told_it_was_already_accepted(
    client, assessed_case, people
):
    # Given an offer the passenger accepted in the portal
    offer = propose_offer(assessed_case, VOUCHER, actor=people["agent"])
    _prove(client, assessed_case.number, "anna.schmidt@example.com")
    url = f"/track/{assessed_case.number}/offers/{offer.pk}/accept/"
    client.post(url)

    # When they accept it again, in English and in Chinese
    english = client.post(url, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.post(url, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")

    # Then each page says it was accepted already, and the offer stays accepted
    assert "This offer was already accepted." in english.content.decode()
    assert "cannot go from" not in english.content.decode()
    assert "此方案已经接受过了。" in chinese.content.decode()
    offer.refresh_from_db()
    assert offer.state == OfferState.ACCEPTED


def test_the_portal_asks_for_consent_to_a_voucher_instead_of_money(
    client, assessed_case, people
):
    draft = OfferDraft(
        kind="voucher", amount=Decimal("900"), currency="CNY", instead_of_money=True
    )
    offer = propose_offer(assessed_case, draft, actor=people["agent"])
    _prove(client, assessed_case.number, "anna.schmidt@example.com")
    url = f"/track/{assessed_case.number}/offers/{offer.pk}/accept/"

    refused = client.post(url, follow=True)
    offer.refresh_from_db()
    state_after_refusal = offer.state
    client.post(url, {"consent": "on"})
    offer.refresh_from_db()

    assert "Tick the box to agree to take this instead of money." in (
        refused.content.decode()
    )
    assert (state_after_refusal, offer.state, offer.consent_given) == (
        OfferState.APPROVED,
        OfferState.ACCEPTED,
        True,
    )


def test_a_passenger_of_another_case_cannot_answer(client, assessed_case, people):
    offer = propose_offer(assessed_case, VOUCHER, actor=people["agent"])
    mine = make_case(description="My own problem.", email="li.wei@example.com")
    _prove(client, mine.number, "li.wei@example.com")

    own_number = client.post(f"/track/{mine.number}/offers/{offer.pk}/decline/")
    their_number = client.post(
        f"/track/{assessed_case.number}/offers/{offer.pk}/decline/"
    )

    assert (own_number.status_code, their_number.status_code) == (404, 404)
    offer.refresh_from_db()
    assert offer.state == OfferState.APPROVED


def test_a_visitor_without_proof_cannot_answer(client, assessed_case, people):
    offer = propose_offer(assessed_case, VOUCHER, actor=people["agent"])

    response = client.post(f"/track/{assessed_case.number}/offers/{offer.pk}/accept/")

    assert response.status_code == 404
    assert RemedyOffer.objects.get(pk=offer.pk).state == OfferState.APPROVED


def test_the_portal_hides_offers_still_waiting_for_approval(
    client, assessed_case, people
):
    offer = propose_offer(assessed_case, EUR_600, actor=people["agent"])
    _prove(client, assessed_case.number, "anna.schmidt@example.com")

    page = client.get(f"/track/{assessed_case.number}/").content.decode()
    response = client.post(f"/track/{assessed_case.number}/offers/{offer.pk}/accept/")

    assert "EUR 600.00" not in page
    assert response.status_code == 404


def test_a_nul_in_an_offer_is_a_field_error_and_proposes_nothing(assessed_case, people):
    body = {
        "case": assessed_case.number,
        "kind": "compensation",
        "amount": "600.00",
        "currency": "EUR",
        "description": "Compensation\x00",
    }

    response = ApiClient(people["agent"]).post("/remedies/offers", body)

    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert [(f["field"], f["code"]) for f in fields] == [
        ("description", "nul_character")
    ]
    assert RemedyOffer.objects.filter(case=assessed_case).count() == 0
