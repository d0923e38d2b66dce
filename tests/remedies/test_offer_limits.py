"""The approval limit holds for what a proposer gives on a case, not per offer."""

from datetime import timedelta
from decimal import Decimal

import pytest

from paxcare.cases.models import Event
from paxcare.remedies.models import OfferState
from paxcare.remedies.offers import (
    OfferDraft,
    approve_offer,
    decline_offer,
    expire_offers,
    propose_offer,
    reject_offer,
)
from paxcare.remedies.offers_batch import propose_offers
from paxcare.routing.services import reassign_case
from tests.factories import make_agent, make_case
from tests.remedies.conftest import UTC_NOW


def eur(amount: str, kind: str = "compensation") -> OfferDraft:
    return OfferDraft(kind=kind, amount=Decimal(amount), currency="EUR")


MILES = OfferDraft(kind="miles", miles=8000)


@pytest.fixture
def limited(people):
    """An agent of disruption care who may give EUR 500 alone."""
    return make_agent(
        "care.limited",
        departments=("disruption-care",),
        approval_limit=Decimal("500"),
        approval_currency="EUR",
    )


@pytest.fixture
def colleague(people):
    """Another agent of disruption care with the same EUR 500."""
    return make_agent(
        "care.colleague",
        departments=("disruption-care",),
        approval_limit=Decimal("500"),
        approval_currency="EUR",
    )


def propose(case, amounts, actor, at=UTC_NOW):
    return [propose_offer(case, eur(a), actor=actor, at=at) for a in amounts]


def judged(offers) -> list[tuple[str, str]]:
    return [(o.state, o.approval_reason) for o in offers]


def case_values(case) -> list[str]:
    events = Event.objects.filter(case=case, type="remedy.proposed").order_by("pk")
    return [e.data.get("case_value") for e in events]


# --- Splitting ------------------------------------------------------------------


def test_splitting_a_sum_into_offers_under_the_limit_needs_approval(
    delay_case, limited
):
    offers = propose(delay_case, ["400", "500", "499", "499", "499"], limited)

    assert judged(offers) == [
        ("approved", ""),
        ("proposed", "case_over_limit"),
        ("proposed", "case_over_limit"),
        ("proposed", "case_over_limit"),
        ("proposed", "case_over_limit"),
    ]
    assert case_values(delay_case) == [
        "400.00",
        "900.00",
        "1399.00",
        "1898.00",
        "2397.00",
    ]


def test_the_offer_that_crosses_the_limit_waits_not_the_ones_before(
    delay_case, limited
):
    offers = propose(delay_case, ["200", "150", "150", "1"], limited)

    assert judged(offers) == [
        ("approved", ""),
        ("approved", ""),
        ("approved", ""),
        ("proposed", "case_over_limit"),
    ]


def test_one_offer_above_the_limit_keeps_its_own_reason(delay_case, limited):
    [offer] = propose(delay_case, ["501"], limited)

    assert judged([offer]) == [("proposed", "over_limit")]


def test_other_currencies_count_converted_to_the_limits(delay_case, limited):
    # CNY 3,120.00 is EUR 400.00 at the shipped 7.80.
    cny = OfferDraft(kind="voucher", amount=Decimal("3120"), currency="CNY")
    first = propose_offer(delay_case, cny, actor=limited, at=UTC_NOW)

    [second] = propose(delay_case, ["101"], limited)

    assert judged([first, second]) == [
        ("approved", ""),
        ("proposed", "case_over_limit"),
    ]
    assert case_values(delay_case) == ["400.00", "501.00"]


def test_an_offer_on_another_case_does_not_count(delay_case, limited, people):
    other = reassign_case(
        make_case(category="flight.delay", description="Late."),
        people["agent"],
        actor=None,
    )
    propose(other, ["450"], limited)

    [offer] = propose(delay_case, ["450"], limited)

    assert judged([offer]) == [("approved", "")]


# --- What no longer counts ------------------------------------------------------


def test_a_refused_offer_no_longer_counts(delay_case, limited, people):
    _first, waiting = propose(delay_case, ["400", "500"], limited)
    reject_offer(waiting, actor=people["supervisor"], reason="Too much.")

    [offer] = propose(delay_case, ["100"], limited)

    assert judged([offer]) == [("approved", "")]
    assert case_values(delay_case)[-1] == "500.00"


def test_an_offer_the_passenger_declined_no_longer_counts(delay_case, limited):
    [first] = propose(delay_case, ["400"], limited)
    decline_offer(first, at=UTC_NOW)

    [offer] = propose(delay_case, ["450"], limited)

    assert judged([offer]) == [("approved", "")]


def test_an_expired_offer_no_longer_counts(delay_case, limited):
    propose(delay_case, ["400"], limited)
    later = UTC_NOW + timedelta(days=31)
    assert expire_offers(later) == 1

    [offer] = propose(delay_case, ["450"], limited, at=later)

    assert judged([offer]) == [("approved", "")]


# --- A second person ------------------------------------------------------------


def test_a_supervisors_approval_lets_the_offer_through(delay_case, limited, people):
    _first, waiting = propose(delay_case, ["400", "500"], limited)

    approve_offer(waiting, actor=people["supervisor"], at=UTC_NOW)

    waiting.refresh_from_db()
    assert (waiting.state, waiting.approved_by) == (
        OfferState.APPROVED,
        people["supervisor"],
    )


def test_what_a_supervisor_approved_still_counts_for_the_proposer(
    delay_case, limited, people
):
    _first, waiting = propose(delay_case, ["400", "500"], limited)
    approve_offer(waiting, actor=people["supervisor"], at=UTC_NOW)

    [offer] = propose(delay_case, ["10"], limited)

    assert judged([offer]) == [("proposed", "case_over_limit")]
    assert case_values(delay_case)[-1] == "910.00"


def test_a_colleagues_offer_approved_at_once_counts(delay_case, limited, colleague):
    propose(delay_case, ["450"], colleague)

    [offer] = propose(delay_case, ["100"], limited)

    assert judged([offer]) == [("proposed", "case_over_limit")]
    assert case_values(delay_case)[-1] == "550.00"


def test_a_colleagues_offer_a_second_person_approved_does_not_count(
    delay_case, limited, colleague, people
):
    [big] = propose(delay_case, ["2000"], colleague)
    approve_offer(big, actor=people["supervisor"], at=UTC_NOW)

    [offer] = propose(delay_case, ["450"], limited)

    assert judged([offer]) == [("approved", "")]
    assert case_values(delay_case)[-1] == "450.00"


# --- Miles and rebookings -------------------------------------------------------


def test_miles_keep_their_rule_and_do_not_count_as_money(delay_case, limited):
    miles = propose_offer(delay_case, MILES, actor=limited, at=UTC_NOW)

    [offer] = propose(delay_case, ["500"], limited)

    assert judged([miles, offer]) == [("proposed", "miles"), ("approved", "")]


def test_a_rebooking_is_still_offered_at_once_over_the_limit(delay_case, limited):
    propose(delay_case, ["500"], limited)

    rebooking = propose_offer(
        delay_case, OfferDraft(kind="rebooking"), actor=limited, at=UTC_NOW
    )

    assert judged([rebooking]) == [("approved", "")]


# --- Batches --------------------------------------------------------------------


def test_a_batch_judges_each_case_with_what_counts_there(people, limited):
    cases = [
        reassign_case(
            make_case(category="flight.cancellation", description="Cancelled."),
            people["agent"],
            actor=None,
        )
        for _ in range(3)
    ]
    propose(cases[1], ["400"], limited)

    offers = propose_offers(cases, eur("150", "voucher"), actor=limited, at=UTC_NOW)

    assert judged(offers) == [
        ("approved", ""),
        ("proposed", "case_over_limit"),
        ("approved", ""),
    ]
    assert [case_values(case)[-1] for case in cases] == [
        "150.00",
        "550.00",
        "150.00",
    ]


def test_a_goodwill_offer_per_passenger_within_the_limit_is_offered_at_once(
    people, limited
):
    cases = [
        reassign_case(
            make_case(category="flight.cancellation", description="Cancelled."),
            people["agent"],
            actor=None,
        )
        for _ in range(4)
    ]

    offers = propose_offers(cases, eur("500", "voucher"), actor=limited, at=UTC_NOW)

    assert judged(offers) == [("approved", "")] * 4


def test_a_case_named_twice_in_a_batch_counts_its_first_offer(people, limited):
    [case] = [
        reassign_case(
            make_case(category="flight.cancellation", description="Cancelled."),
            people["agent"],
            actor=None,
        )
    ]

    offers = propose_offers(
        [case, case], eur("300", "voucher"), actor=limited, at=UTC_NOW
    )

    assert judged(offers) == [("approved", ""), ("proposed", "case_over_limit")]
    assert case_values(case) == ["300.00", "600.00"]
