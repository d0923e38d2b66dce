"""Ledger totals per state and currency, by category, flight, regime and period."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from paxcare.cases.models import Case
from paxcare.errors import InvalidInput
from paxcare.remedies.ledger import LedgerFilter, compensation_totals, ledger_totals
from paxcare.remedies.offers import (
    OfferDraft,
    accept_offer,
    approve_offer,
    mark_offer_paid,
    propose_offer,
)
from paxcare.remedies.services import save_case_facts
from paxcare.routing.services import reassign_case
from tests.factories import make_case
from tests.remedies.conftest import FRA_JFK_SEGMENT, aware, delay_facts

MAY = datetime(2026, 5, 1, tzinfo=UTC)
JUNE = datetime(2026, 6, 1, tzinfo=UTC)
JULY = datetime(2026, 7, 1, tzinfo=UTC)


def _paid(case, draft, people, at):
    offer = propose_offer(case, draft, actor=people["agent"], at=at)
    if offer.state == "proposed":
        approve_offer(offer, actor=people["supervisor"], at=at)
    accept_offer(offer, at=at)
    mark_offer_paid(offer, actor=people["agent"], reference="R", at=at)
    return offer


@pytest.fixture
def book(assessed_case, people):
    """Paid EUR 600 (EU261) in May and CNY 400 in June on LH400; CNY 200 on CA981."""
    other = make_case(
        category="flight.cancellation",
        description="CA981 cancelled.",
        flight_number="CA981",
    )
    other = reassign_case(other, people["agent"], actor=None)
    eur = OfferDraft(
        kind="compensation", amount=Decimal("600"), currency="EUR", regime="eu261"
    )
    cny = OfferDraft(kind="voucher", amount=Decimal("400"), currency="CNY")
    small = OfferDraft(kind="voucher", amount=Decimal("200"), currency="CNY")
    _paid(assessed_case, eur, people, aware("2026-05-20T10:00:00+00:00"))
    _paid(assessed_case, cny, people, aware("2026-06-02T10:00:00+00:00"))
    _paid(other, small, people, aware("2026-06-03T10:00:00+00:00"))
    return {"lh": assessed_case, "ca": other}


def _paid_rows(rows):
    return [r for r in rows if r["state"] == "paid"]


def test_totals_of_a_period_by_state_kind_and_currency(book):
    rows = ledger_totals(Case.objects.all(), LedgerFilter(start=JUNE, end=JULY))

    assert _paid_rows(rows) == [
        {
            "state": "paid",
            "kind": "voucher",
            "currency": "CNY",
            "amount": "600.00",
            "miles": None,
            "count": 2,
        }
    ]


def test_money_in_two_currencies_is_never_added_up(book):
    rows = ledger_totals(Case.objects.all(), LedgerFilter(start=MAY, end=JULY))

    assert [(r["currency"], r["amount"]) for r in _paid_rows(rows)] == [
        ("EUR", "600.00"),
        ("CNY", "600.00"),
    ]


def test_totals_by_flight(book):
    rows = ledger_totals(Case.objects.all(), LedgerFilter(state="paid"), by="flight")

    assert [(r["flight"], r["currency"], r["amount"]) for r in rows] == [
        ("LH400", "EUR", "600.00"),
        ("CA981", "CNY", "200.00"),
        ("LH400", "CNY", "400.00"),
    ]


def test_totals_by_category_and_by_regime(book):
    by_category = ledger_totals(
        Case.objects.all(),
        LedgerFilter(state="paid", category="flight."),
        by="category",
    )
    by_regime = ledger_totals(
        Case.objects.all(), LedgerFilter(state="paid", regime="eu261"), by="regime"
    )

    assert [(r["category"], r["amount"]) for r in by_category] == [
        ("flight.delay", "600.00"),
        ("flight.cancellation", "200.00"),
        ("flight.delay", "400.00"),
    ]
    assert [(r["regime"], r["currency"], r["amount"]) for r in by_regime] == [
        ("eu261", "EUR", "600.00")
    ]


def test_totals_by_month(book):
    rows = ledger_totals(Case.objects.all(), LedgerFilter(state="paid"), by="month")

    assert [(r["month"], r["currency"], r["amount"]) for r in rows] == [
        ("2026-05", "EUR", "600.00"),
        ("2026-06", "CNY", "600.00"),
    ]


def test_totals_cover_only_the_cases_given(book):
    rows = ledger_totals(
        Case.objects.filter(pk=book["ca"].pk), LedgerFilter(state="paid")
    )

    assert [(r["currency"], r["amount"], r["count"]) for r in rows] == [
        ("CNY", "200.00", 1)
    ]


def test_the_flight_is_the_one_the_facts_name(book, people):
    facts = delay_facts(actual_arrival=aware("2026-05-04T18:00:00-04:00"))
    segment = dict(FRA_JFK_SEGMENT, flight_number="LH402")
    save_case_facts(book["lh"], facts, [segment], actor=people["agent"])
    draft = OfferDraft(kind="voucher", amount=Decimal("100"), currency="CNY")
    propose_offer(book["lh"], draft, actor=people["agent"])

    rows = ledger_totals(
        Case.objects.all(), LedgerFilter(flight_number="lh402"), by="flight"
    )

    # The agent's EUR 600 and CNY 400 on this case count: CNY 100 more waits.
    assert [(r["state"], r["flight"], r["amount"]) for r in rows] == [
        ("proposed", "LH402", "100.00"),
    ]


def test_compensation_paid_for_the_reports(book):
    paid = compensation_totals(Case.objects.all(), MAY, JULY)

    assert paid == {"CNY": Decimal("600.00"), "EUR": Decimal("600.00")}


@pytest.mark.parametrize(
    ("filters", "by", "field"),
    [
        (LedgerFilter(), "airport", "by"),
        (LedgerFilter(state="owed"), None, "state"),
        (LedgerFilter(start=JULY, end=JUNE), None, "end"),
    ],
)
def test_bad_questions_are_refused_by_field(db, filters, by, field):
    with pytest.raises(InvalidInput) as refused:
        ledger_totals(Case.objects.all(), filters, by=by)

    assert [f.field for f in refused.value.fields] == [field]
