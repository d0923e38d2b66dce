"""The batch form of offers: what one case gets, for many cases at a time."""

from datetime import timedelta
from decimal import Decimal

import pytest

from paxcare.cases.models import Event
from paxcare.comms.models import Notification
from paxcare.errors import PermissionDenied
from paxcare.remedies.models import LedgerEntry, RemedyOffer
from paxcare.remedies.offers import OfferDraft, propose_offer
from paxcare.remedies.offers_batch import approve_offers, propose_offers, reject_offers
from paxcare.routing.services import reassign_case
from tests.factories import make_case
from tests.remedies.conftest import UTC_NOW

VOUCHER_400 = OfferDraft(kind="voucher", amount=Decimal("400"), currency="CNY")
VOUCHER_4000 = OfferDraft(kind="voucher", amount=Decimal("4000"), currency="CNY")


@pytest.fixture
def cases(people):
    """Three flight cases the care agent works."""
    return [
        reassign_case(
            make_case(
                category="flight.cancellation",
                description="CA981 cancelled.",
                flight_number="CA981",
            ),
            people["agent"],
            actor=None,
        )
        for _ in range(3)
    ]


def history(case) -> list[tuple[str, dict]]:
    """Return the case's remedy events with their data, the offer and batch ids
    left out."""
    events = Event.objects.filter(case=case, type__startswith="remedy.").order_by("pk")
    ids = ("offer", "batch")
    return [(e.type, {k: v for k, v in e.data.items() if k not in ids}) for e in events]


def ledger(case) -> list[tuple]:
    entries = LedgerEntry.objects.filter(case=case).order_by("pk")
    return list(
        entries.values_list(
            "state", "kind", "amount", "currency", "category", "flight_number"
        )
    )


@pytest.mark.parametrize("draft", [VOUCHER_400, VOUCHER_4000])
def test_each_case_of_a_batch_gets_what_a_single_offer_gives(people, cases, draft):
    alone, *batch = cases

    single = propose_offer(alone, draft, actor=people["agent"], at=UTC_NOW)
    offers = propose_offers(batch, draft, actor=people["agent"], at=UTC_NOW)

    for case, offer in zip(batch, offers, strict=True):
        assert offer.case_id == case.pk
        assert (offer.state, offer.needs_approval, offer.approval_reason) == (
            single.state,
            single.needs_approval,
            single.approval_reason,
        )
        assert (offer.expires_at, offer.proposed_by_id, offer.approved_by_id) == (
            single.expires_at,
            single.proposed_by_id,
            single.approved_by_id,
        )
        assert history(case) == history(alone)
        assert ledger(case) == ledger(alone)
    purposes = sorted(Notification.objects.values_list("purpose", flat=True))
    expected = "offer" if single.state == "approved" else "approval_request"
    assert purposes.count(expected) == len(
        [p for p in purposes if p in ("offer", "approval_request")]
    )


def test_a_batch_within_the_limit_is_offered_and_told(people, cases):
    offers = propose_offers(cases, VOUCHER_400, actor=people["agent"], at=UTC_NOW)

    assert [o.state for o in offers] == ["approved"] * 3
    assert history(cases[0]) == [
        (
            "remedy.proposed",
            {
                "kind": "voucher",
                "amount": "400.00",
                "currency": "CNY",
                "miles": None,
                "state": "proposed",
                "needs_approval": False,
                "value": "400.00",
                "case_value": "400.00",
                "limit": "1000.00",
                "limit_currency": "CNY",
            },
        ),
        (
            "remedy.approved",
            {
                "kind": "voucher",
                "amount": "400.00",
                "currency": "CNY",
                "miles": None,
                "state": "approved",
                "automatic": True,
            },
        ),
        (
            "remedy.offered",
            {
                "kind": "voucher",
                "amount": "400.00",
                "currency": "CNY",
                "miles": None,
                "state": "approved",
                "expires_at": "2026-06-09T08:00:00+00:00",
            },
        ),
    ]
    told = Notification.objects.filter(purpose="offer")
    assert sorted(told.values_list("case_id", flat=True)) == [c.pk for c in cases]


def test_a_reimbursement_is_not_offered_in_a_batch(people, cases):
    draft = OfferDraft(
        kind="reimbursement", amount=Decimal("80"), currency="CNY", expense="meals"
    )

    with pytest.raises(ValueError, match="case by case"):
        propose_offers(cases, draft, actor=people["agent"])

    assert not RemedyOffer.objects.exists()


def test_a_batch_with_a_case_one_may_not_work_is_refused_whole(people, cases):
    with pytest.raises(PermissionDenied):
        propose_offers(cases, VOUCHER_400, actor=people["other"])

    assert not RemedyOffer.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_one_decision_approves_the_offers_it_may(people, cases):
    offers = propose_offers(cases, VOUCHER_4000, actor=people["agent"], at=UTC_NOW)
    above_own_limit = OfferDraft(kind="voucher", amount=Decimal("6000"), currency="CNY")
    mine = propose_offer(
        cases[0], above_own_limit, actor=people["supervisor"], at=UTC_NOW
    )

    decision = approve_offers([*offers, mine], actor=people["supervisor"], at=UTC_NOW)

    assert [o.pk for o in decision.done] == [o.pk for o in offers]
    assert (decision.skipped, decision.expired) == (1, 0)
    states = dict(RemedyOffer.objects.values_list("pk", "state"))
    assert [states[o.pk] for o in [*offers, mine]] == [
        "approved",
        "approved",
        "approved",
        "proposed",
    ]


def test_a_decision_expires_the_offers_whose_time_ran_out(people, cases):
    offers = propose_offers(cases, VOUCHER_4000, actor=people["agent"], at=UTC_NOW)

    decision = approve_offers(
        offers, actor=people["supervisor"], at=UTC_NOW + timedelta(days=31)
    )

    assert (len(decision.done), decision.expired, decision.skipped) == (0, 3, 0)
    assert set(RemedyOffer.objects.values_list("state", flat=True)) == {"expired"}


def test_one_decision_refuses_the_offers_with_its_reason(people, cases):
    offers = propose_offers(cases, VOUCHER_4000, actor=people["agent"], at=UTC_NOW)

    decision = reject_offers(
        offers, actor=people["supervisor2"], reason="Not for weather.", at=UTC_NOW
    )

    assert len(decision.done) == 3
    assert set(RemedyOffer.objects.values_list("state", "declined_reason")) == {
        ("declined", "Not for weather.")
    }
    assert [s for s, *_ in ledger(cases[1])] == ["proposed", "declined"]
    assert history(cases[1])[-1] == (
        "remedy.declined",
        {
            "kind": "voucher",
            "amount": "4000.00",
            "currency": "CNY",
            "miles": None,
            "state": "declined",
            "by": "approver",
            "reason": "Not for weather.",
        },
    )


@pytest.mark.parametrize("persona", ["agent2", "auditor", "no_profile"])
def test_only_supervisors_and_administrators_decide(people, cases, persona):
    offers = propose_offers(cases, VOUCHER_4000, actor=people["agent"], at=UTC_NOW)

    with pytest.raises(PermissionDenied):
        approve_offers(offers, actor=people[persona], at=UTC_NOW)

    assert set(RemedyOffer.objects.values_list("state", flat=True)) == {"proposed"}
