"""Offer, approve, pay: the state machine, approval limits, consent, expiry."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from paxcare.cases.models import Attachment, Event
from paxcare.errors import Conflict, InvalidInput, PermissionDenied
from paxcare.remedies.models import ExchangeRate, LedgerEntry, OfferState
from paxcare.remedies.offers import (
    TRANSITIONS,
    OfferDraft,
    accept_offer,
    approve_offer,
    decline_offer,
    expire_offers,
    mark_offer_paid,
    propose_offer,
    reject_offer,
)
from paxcare.remedies.rates import NoRate, convert

EUR_600 = OfferDraft(
    kind="compensation",
    amount=Decimal("600"),
    currency="EUR",
    regime="eu261",
    entitlement_code="eu261.compensation",
)
VOUCHER_400 = OfferDraft(kind="voucher", amount=Decimal("400"), currency="CNY")


def _remedy_events(case):
    return [
        (e.type, e.data.get("automatic"))
        for e in Event.objects.filter(case=case, type__startswith="remedy.")
        if e.type != "remedy.facts_saved"
    ]


def test_the_state_machine_allows_exactly_these_moves():
    assert {state: sorted(moves) for state, moves in TRANSITIONS.items()} == {
        "proposed": ["approved", "declined", "expired"],
        "approved": ["accepted", "declined", "expired"],
        "accepted": ["paid"],
        "paid": [],
        "declined": [],
        "expired": [],
    }


def test_an_offer_within_the_agents_limit_is_offered_at_once(assessed_case, people):
    offer = propose_offer(assessed_case, VOUCHER_400, actor=people["agent"])

    assert (offer.state, offer.needs_approval, offer.approved_by) == (
        OfferState.APPROVED,
        False,
        people["agent"],
    )
    assert _remedy_events(assessed_case) == [
        ("remedy.proposed", None),
        ("remedy.approved", True),
        ("remedy.offered", None),
    ]


def test_an_offer_above_the_limit_is_converted_and_waits_for_approval(
    assessed_case, people
):
    offer = propose_offer(assessed_case, EUR_600, actor=people["agent"])

    assert (offer.state, offer.needs_approval, offer.approval_reason) == (
        OfferState.PROPOSED,
        True,
        "over_limit",
    )
    proposed = Event.objects.get(case=assessed_case, type="remedy.proposed")
    assert (
        proposed.data["value"],
        proposed.data["limit"],
        proposed.data["limit_currency"],
    ) == ("4680.00", "1000.00", "CNY")


def test_without_a_rate_the_offer_waits_instead_of_guessing(assessed_case, people):
    draft = OfferDraft(kind="compensation", amount=Decimal("100"), currency="CHF")

    offer = propose_offer(assessed_case, draft, actor=people["agent"])

    assert (offer.state, offer.approval_reason) == (OfferState.PROPOSED, "no_rate")


def test_rates_convert_with_the_rate_in_force_on_the_day(db):
    ExchangeRate.objects.create(
        base="EUR", quote="CNY", rate=Decimal("8.10"), effective_from=date(2026, 6, 1)
    )

    before = convert(Decimal("100"), "EUR", "CNY", date(2026, 5, 31))
    after = convert(Decimal("100"), "EUR", "CNY", date(2026, 6, 1))
    back = convert(Decimal("810"), "CNY", "EUR", date(2026, 6, 1))
    across = convert(Decimal("100"), "EUR", "USD", date(2026, 6, 1))

    assert (before, after, back, across) == (
        Decimal("780.00"),
        Decimal("810.00"),
        Decimal("100.00"),
        Decimal("112.50"),
    )
    with pytest.raises(NoRate):
        convert(Decimal("1"), "EUR", "CNY", date(2024, 12, 31))


def test_miles_always_need_a_second_person(assessed_case, people):
    draft = OfferDraft(kind="miles", miles=500)

    offer = propose_offer(assessed_case, draft, actor=people["supervisor"])

    assert (offer.state, offer.approval_reason) == (OfferState.PROPOSED, "miles")


def test_paxcare_itself_never_approves_its_own_offers(assessed_case):
    offer = propose_offer(assessed_case, VOUCHER_400, actor=None)

    assert (offer.state, offer.needs_approval) == (OfferState.PROPOSED, True)


def test_a_supervisor_approves_and_the_passenger_is_offered(assessed_case, people):
    offer = propose_offer(assessed_case, EUR_600, actor=people["agent"])

    approve_offer(offer, actor=people["supervisor"])

    offer.refresh_from_db()
    assert (offer.state, offer.approved_by) == (
        OfferState.APPROVED,
        people["supervisor"],
    )
    assert _remedy_events(assessed_case)[-2:] == [
        ("remedy.approved", False),
        ("remedy.offered", None),
    ]


def test_nobody_approves_their_own_offer(assessed_case, people):
    offer = propose_offer(assessed_case, EUR_600, actor=people["supervisor2"])

    with pytest.raises(PermissionDenied) as refused:
        approve_offer(offer, actor=people["supervisor2"])

    assert str(refused.value.message) == (
        "Another person must approve an offer you proposed."
    )


@pytest.mark.parametrize("persona", ["agent2", "auditor", "other"])
def test_agents_auditors_and_other_departments_cannot_approve(
    assessed_case, people, persona
):
    offer = propose_offer(assessed_case, EUR_600, actor=people["agent"])

    with pytest.raises(PermissionDenied):
        approve_offer(offer, actor=people[persona])


def test_a_refused_approval_ends_the_offer_declined(assessed_case, people):
    offer = propose_offer(assessed_case, EUR_600, actor=people["agent"])

    reject_offer(offer, actor=people["supervisor"], reason="EUR 300: 3-4 h band")

    offer.refresh_from_db()
    assert (offer.state, offer.declined_reason) == (
        OfferState.DECLINED,
        "EUR 300: 3-4 h band",
    )
    declined = Event.objects.get(case=assessed_case, type="remedy.declined")
    assert declined.data["by"] == "approver"


def test_a_voucher_instead_of_money_needs_the_passengers_consent(assessed_case, people):
    draft = OfferDraft(
        kind="voucher",
        amount=Decimal("900"),
        currency="CNY",
        instead_of_money=True,
        regime="eu261",
        entitlement_code="eu261.compensation",
    )
    offer = propose_offer(assessed_case, draft, actor=people["agent"])

    with pytest.raises(InvalidInput) as refused:
        accept_offer(offer)
    accept_offer(offer, consent=True)

    assert [f.field for f in refused.value.fields] == ["consent"]
    offer.refresh_from_db()
    assert (offer.state, offer.consent_given) == (OfferState.ACCEPTED, True)
    accepted = Event.objects.get(case=assessed_case, type="remedy.accepted")
    assert (accepted.actor_label, accepted.channel, accepted.data["consent"]) == (
        "passenger",
        "web",
        True,
    )


def test_money_is_accepted_without_a_consent_box(assessed_case, people):
    offer = propose_offer(assessed_case, VOUCHER_400, actor=people["agent"])

    accept_offer(offer)

    offer.refresh_from_db()
    assert (offer.state, offer.consent_given) == (OfferState.ACCEPTED, False)


def test_the_passenger_may_decline(assessed_case, people):
    offer = propose_offer(assessed_case, VOUCHER_400, actor=people["agent"])

    decline_offer(offer, reason="I want cash")

    offer.refresh_from_db()
    assert (offer.state, offer.declined_reason) == (OfferState.DECLINED, "I want cash")


def test_a_proposal_cannot_be_accepted_before_approval(assessed_case, people):
    offer = propose_offer(assessed_case, EUR_600, actor=people["agent"])

    with pytest.raises(Conflict):
        accept_offer(offer)


def test_an_accepted_offer_is_paid_with_its_reference(assessed_case, people):
    offer = propose_offer(assessed_case, VOUCHER_400, actor=people["agent"])
    accept_offer(offer)

    mark_offer_paid(offer, actor=people["agent2"], reference="VCH-2026-0042")

    offer.refresh_from_db()
    assert (offer.state, offer.payment_reference, offer.paid_by) == (
        OfferState.PAID,
        "VCH-2026-0042",
        people["agent2"],
    )
    paid = Event.objects.get(case=assessed_case, type="remedy.paid")
    assert paid.data["reference"] == "VCH-2026-0042"


def test_an_offer_not_yet_accepted_cannot_be_paid(assessed_case, people):
    offer = propose_offer(assessed_case, VOUCHER_400, actor=people["agent"])

    with pytest.raises(Conflict) as refused:
        mark_offer_paid(offer, actor=people["agent"], reference="X1")

    assert str(refused.value.message) == "An offer cannot go from approved to paid."


def test_an_offer_paid_twice_is_refused_as_paid_already(assessed_case, people):
    # Given an accepted offer marked as paid
    offer = propose_offer(assessed_case, VOUCHER_400, actor=people["agent"])
    accept_offer(offer)
    mark_offer_paid(offer, actor=people["agent"], reference="X1")

    # When it is marked as paid again
    with pytest.raises(Conflict) as refused:
        mark_offer_paid(offer, actor=people["agent"], reference="X2")

    # Then the answer says it was paid already
    assert str(refused.value.message) == "This offer was already marked as paid."


def test_an_amount_finer_than_the_currencys_minor_unit_is_refused(
    assessed_case, people
):
    # Given a goodwill voucher of 5.50 in yen, which has no minor unit
    draft = OfferDraft(kind="voucher", amount=Decimal("5.50"), currency="JPY")

    # When an agent proposes it
    with pytest.raises(InvalidInput) as refused:
        propose_offer(assessed_case, draft, actor=people["agent"])

    # Then the amount is refused, saying why, and no offer exists
    assert [f.to_dict() for f in refused.value.fields] == [
        {
            "field": "amount",
            "code": "too_precise",
            "message": "JPY has no minor unit: give a whole amount.",
        }
    ]
    assert not assessed_case.remedy_offers.exists()


def test_a_whole_amount_in_yen_is_offered(assessed_case, people):
    # Given a voucher of 500 yen
    draft = OfferDraft(kind="voucher", amount=Decimal("500"), currency="JPY")

    # When an agent proposes it
    offer = propose_offer(assessed_case, draft, actor=people["agent"])

    # Then it is recorded with that amount
    assert (offer.amount, offer.currency) == (Decimal("500.00"), "JPY")


def test_open_offers_expire_when_their_time_runs_out(assessed_case, people):
    waiting = propose_offer(assessed_case, EUR_600, actor=people["agent"])
    offered = propose_offer(assessed_case, VOUCHER_400, actor=people["agent"])

    expired = expire_offers(offered.expires_at + timedelta(seconds=1))

    assert expired == 2
    states = {o.pk: o.state for o in assessed_case.remedy_offers.all()}
    assert states == {waiting.pk: "expired", offered.pk: "expired"}
    assert expire_offers(offered.expires_at + timedelta(days=1)) == 0


def test_accepting_too_late_expires_the_offer(assessed_case, people):
    offer = propose_offer(assessed_case, VOUCHER_400, actor=people["agent"])

    with pytest.raises(Conflict) as refused:
        accept_offer(offer, at=offer.expires_at)

    offer.refresh_from_db()
    assert (refused.value.code, offer.state) == ("expired", OfferState.EXPIRED)


def test_every_step_is_in_the_ledger(assessed_case, people):
    offer = propose_offer(assessed_case, EUR_600, actor=people["agent"])
    approve_offer(offer, actor=people["supervisor"])
    accept_offer(offer)
    mark_offer_paid(offer, actor=people["agent"], reference="SEPA-1")

    entries = LedgerEntry.objects.filter(offer=offer)

    assert [(e.state, str(e.amount), e.currency, e.regime) for e in entries] == [
        ("proposed", "600.00", "EUR", "eu261"),
        ("approved", "600.00", "EUR", "eu261"),
        ("accepted", "600.00", "EUR", "eu261"),
        ("paid", "600.00", "EUR", "eu261"),
    ]
    assert {(e.category, e.flight_number, e.flight_date) for e in entries} == {
        ("flight.delay", "LH400", date(2026, 5, 4))
    }


def test_ledger_entries_are_append_only(assessed_case, people):
    propose_offer(assessed_case, VOUCHER_400, actor=people["agent"])
    entry = LedgerEntry.objects.first()

    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_a_reimbursement_needs_its_expense_and_receipts(assessed_case, people):
    draft = OfferDraft(kind="reimbursement", amount=Decimal("80"), currency="EUR")

    with pytest.raises(InvalidInput) as refused:
        propose_offer(assessed_case, draft, actor=people["agent"])

    assert sorted(f.field for f in refused.value.fields) == ["expense", "receipts"]


def test_a_reimbursement_against_the_cases_receipt(assessed_case, people):
    receipt = Attachment(
        case=assessed_case,
        original_name="hotel.pdf",
        content_type="application/pdf",
        size_bytes=4,
        sha256="0" * 64,
        uploaded_at=assessed_case.received_at,
    )
    receipt.file.save("hotel.pdf", SimpleUploadedFile("hotel.pdf", b"%PDF"), save=False)
    receipt.save()
    draft = OfferDraft(
        kind="reimbursement",
        amount=Decimal("80"),
        currency="EUR",
        expense="hotel",
        receipt_ids=(receipt.pk,),
    )

    offer = propose_offer(assessed_case, draft, actor=people["agent"])

    assert (offer.state, list(offer.receipts.all())) == (
        OfferState.APPROVED,
        [receipt],
    )


@pytest.mark.parametrize(
    ("draft", "fields"),
    [
        (OfferDraft(kind="cash"), ["kind"]),
        (OfferDraft(kind="compensation"), ["amount"]),
        (OfferDraft(kind="refund", amount=Decimal("-5"), currency="EUR"), ["amount"]),
        (
            OfferDraft(kind="voucher", amount=Decimal("5"), currency="euro"),
            ["currency"],
        ),
        (OfferDraft(kind="miles"), ["miles"]),
        (OfferDraft(kind="rebooking", regime="eu262"), ["regime"]),
    ],
)
def test_bad_offers_are_refused_field_by_field(assessed_case, people, draft, fields):
    with pytest.raises(InvalidInput) as refused:
        propose_offer(assessed_case, draft, actor=people["agent"])

    assert [f.field for f in refused.value.fields] == fields


def test_a_rebooking_has_nothing_to_pay_and_is_offered_at_once(assessed_case, people):
    draft = OfferDraft(kind="rebooking", description="LH402 tomorrow 10:00")

    offer = propose_offer(assessed_case, draft, actor=people["agent2"])

    assert (offer.state, offer.amount) == (OfferState.APPROVED, None)


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        (
            OfferDraft(kind="compensation", amount=Decimal("100"), currency="ZZZ"),
            [("currency", "Give an ISO 4217 currency code.")],
        ),
        (
            OfferDraft(kind="compensation", amount=Decimal("100.123"), currency="EUR"),
            [("amount", "Give at most two decimal places.")],
        ),
        (
            OfferDraft(
                kind="compensation", amount=Decimal("99999999999999"), currency="EUR"
            ),
            [("amount", "At most 9,999,999,999.99.")],
        ),
        (
            OfferDraft(kind="compensation", amount=Decimal("1e999999"), currency="EUR"),
            [("amount", "At most 9,999,999,999.99.")],
        ),
        (
            OfferDraft(kind="rebooking", amount=Decimal("100"), currency="EUR"),
            [("amount", "A rebooking has no amount.")],
        ),
        (
            OfferDraft(kind="miles", miles=99999999999999999999),
            [("miles", "At most 100,000,000 miles.")],
        ),
    ],
)
def test_money_the_ledger_cannot_hold_is_a_field_error(
    assessed_case, people, draft, expected
):
    with pytest.raises(InvalidInput) as refused:
        propose_offer(assessed_case, draft, actor=people["agent"])

    assert [(f.field, f.message) for f in refused.value.fields] == expected
    assert not assessed_case.remedy_offers.exists()
