"""A disruption's goodwill gesture: one remedy offer per case, approved, paid, once."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paxcare.cases.models import Case, Event
from paxcare.comms.models import Notification
from paxcare.disruptions.actions import (
    approve_goodwill,
    give_goodwill,
    refuse_goodwill,
)
from paxcare.disruptions.manifests import load_manifest
from paxcare.disruptions.models import AffectedPassenger
from paxcare.disruptions.proactive import care_for_disruption
from paxcare.disruptions.summary import summarise
from paxcare.errors import PermissionDenied
from paxcare.remedies.ledger import LedgerFilter, compensation_totals, ledger_totals
from paxcare.remedies.models import ExchangeRate, LedgerEntry, RemedyOffer
from paxcare.remedies.offers import accept_offer, mark_offer_paid
from paxcare.routing.models import Department, Role
from tests.disruptions.conftest import AF_JFK_CDG, disrupt, passenger
from tests.factories import make_agent

AT = datetime(2026, 1, 6, 9, 0, tzinfo=UTC)
REFERENCE = "6f1c7a52-2a4b-4d3c-9d8e-0c4b2f1e9a10"
AGAIN = "0b7e4a11-5c2d-4e8f-a1b3-9d6c7e8f0a12"


@pytest.fixture
def leads(people):
    """Two supervisors of disruption care: USD 100 of approval limit each."""
    made = {
        name: make_agent(
            name,
            role=Role.SUPERVISOR,
            departments=("disruption-care",),
            approval_limit=Decimal("100"),
            approval_currency="USD",
        )
        for name in ("care.lead", "care.lead2")
    }
    lead2 = made["care.lead2"]
    lead2.email = "lead2@example.com"
    lead2.save()
    Department.objects.filter(code="disruption-care").update(supervisor=lead2)
    ExchangeRate.objects.create(
        base="EUR", quote="USD", rate=Decimal("1.10"), effective_from=date(2025, 1, 1)
    )
    return made["care.lead"], lead2


@pytest.fixture
def disruption(people):
    rows = [passenger(1), passenger(2), passenger(3)]
    return disrupt(AF_JFK_CDG, rows, type="cancellation")


def give(disruption, actor, amount="50", currency="USD", form="voucher", **kwargs):
    return give_goodwill(
        disruption,
        amount=Decimal(amount),
        currency=currency,
        form=form,
        reference=kwargs.pop("reference", REFERENCE),
        actor=actor,
        at=kwargs.pop("at", AT),
    )


def counts(report) -> tuple[int, int, int, int]:
    return (report.offered, report.waiting, report.already, report.left_out)


def remedy_events(case) -> list[str]:
    types = Event.objects.filter(case=case).order_by("pk").values_list("type", flat=1)
    return [t for t in types if t.startswith(("remedy.", "disruption.goodwill"))]


# --- Within the limit: offered at once ----------------------------------------


def test_a_gesture_within_the_limit_is_offered_to_every_passenger(leads, disruption):
    lead, _lead2 = leads

    report = give(disruption, lead)

    assert counts(report) == (3, 0, 0, 0)
    offers = RemedyOffer.objects.order_by("pk")
    assert [
        (o.kind, o.amount, o.currency, o.state, o.needs_approval, o.proposed_by)
        for o in offers
    ] == [("voucher", Decimal("50.00"), "USD", "approved", False, lead)] * 3
    for case in Case.objects.all():
        assert remedy_events(case) == [
            "disruption.goodwill",
            "remedy.proposed",
            "remedy.approved",
            "remedy.offered",
        ]
    assert Notification.objects.filter(purpose="offer").count() == 3
    assert sorted(LedgerEntry.objects.values_list("state", flat=True)) == (
        ["approved"] * 3 + ["proposed"] * 3
    )
    entry = LedgerEntry.objects.first()
    assert (entry.category, entry.flight_number, entry.flight_date) == (
        "flight.cancellation",
        "AF23",
        date(2026, 1, 5),
    )


def test_the_page_shows_what_became_of_the_gesture(client, leads, disruption):
    lead, _lead2 = leads
    client.force_login(lead)

    response = client.post(
        f"/console/disruptions/{disruption.pk}/goodwill/",
        {"amount": "50", "currency": "usd", "form": "voucher", "reference": REFERENCE},
        follow=True,
    )

    body = response.content.decode()
    assert (
        "Goodwill: 3 offered to passengers, 0 waiting for approval, 0 skipped "
        "(0 had it already, 0 not yours to work)."
    ) in body
    [batch] = response.context["summary"].goodwill_batches
    assert (batch.form, batch.amount, batch.currency, batch.passengers) == (
        "voucher",
        Decimal("50.00"),
        "USD",
        3,
    )
    assert batch.state_counts() == [("approved", 3)]


# --- Above the limit: one approval for the batch ------------------------------


def test_a_gesture_above_the_limit_waits_and_asks_the_supervisor(leads, disruption):
    lead, _lead2 = leads

    report = give(disruption, lead, amount="150")

    assert counts(report) == (0, 3, 0, 0)
    assert set(RemedyOffer.objects.values_list("state", "approval_reason")) == {
        ("proposed", "over_limit")
    }
    proposed = Event.objects.filter(type="remedy.proposed").first()
    assert (proposed.data["value"], proposed.data["limit"]) == ("150.00", "100.00")
    requests = Notification.objects.filter(purpose="approval_request")
    assert list(requests.values_list("recipient", flat=True)) == ["lead2@example.com"]
    assert not Notification.objects.filter(purpose="offer").exists()


def test_a_euro_amount_is_judged_in_the_limit_currency(leads, disruption):
    lead, _lead2 = leads

    within = give(disruption, lead, amount="90", currency="EUR", form="cash")
    above = give(disruption, lead, amount="95", currency="EUR", reference=AGAIN)

    # EUR 90 is USD 99.00, within USD 100; EUR 95 is USD 104.50, above it.
    assert counts(within) == (3, 0, 0, 0)
    assert counts(above) == (0, 3, 0, 0)


def test_another_supervisor_approves_the_whole_batch_at_once(leads, disruption):
    lead, lead2 = leads
    give(disruption, lead, amount="150")

    own = approve_goodwill(disruption, REFERENCE, actor=lead, at=AT)
    decision = approve_goodwill(disruption, REFERENCE, actor=lead2, at=AT)

    assert (len(own.done), own.skipped) == (0, 3)
    assert (len(decision.done), decision.skipped, decision.expired) == (3, 0, 0)
    assert set(RemedyOffer.objects.values_list("state", "approved_by")) == {
        ("approved", lead2.pk)
    }
    for case in Case.objects.all():
        assert remedy_events(case) == [
            "disruption.goodwill",
            "remedy.proposed",
            "remedy.approved",
            "remedy.offered",
        ]
        approved = case.events.get(type="remedy.approved")
        assert (approved.data["automatic"], approved.actor) == (False, lead2)
    assert Notification.objects.filter(purpose="offer").count() == 3


def test_the_approve_button_is_for_the_other_supervisor(client, leads, disruption):
    lead, lead2 = leads
    give(disruption, lead, amount="150", at=None)
    page = f"/console/disruptions/{disruption.pk}/"
    approve = f"{page}goodwill/{REFERENCE}/approve/"

    client.force_login(lead)
    own_page = client.get(page).content.decode()
    client.force_login(lead2)
    other_page = client.get(page).content.decode()
    response = client.post(approve, follow=True)

    assert approve not in own_page
    assert "Another supervisor or administrator approves these offers." in own_page
    assert approve in other_page
    assert "Approve the 3 waiting offers" in other_page
    assert (
        "3 offers approved and shown to the passengers; 0 left as they were, 0 expired."
    ) in response.content.decode()
    [batch] = response.context["summary"].goodwill_batches
    assert batch.state_counts() == [("approved", 3)]


def test_a_refused_batch_is_declined_and_no_longer_counts(client, leads, disruption):
    lead, lead2 = leads
    give(disruption, lead, amount="150", at=None)
    client.force_login(lead2)

    client.post(
        f"/console/disruptions/{disruption.pk}/goodwill/{REFERENCE}/refuse/",
        {"reason": "Too generous for a weather cancellation."},
    )

    assert set(RemedyOffer.objects.values_list("state", "declined_reason")) == {
        ("declined", "Too generous for a weather cancellation.")
    }
    declined = Event.objects.filter(type="remedy.declined")
    assert [e.data["by"] for e in declined] == ["approver"] * 3
    summary = summarise(disruption)
    assert summary.goodwill == []
    assert summary.goodwill_batches[0].state_counts() == [("declined", 3)]


# --- Accepted and paid: the ledger and the cost KPI ---------------------------


def test_accepted_and_paid_gestures_add_up_by_currency_in_the_ledger(leads, disruption):
    lead, lead2 = leads
    give(disruption, lead, amount="90", currency="EUR", form="cash")
    give(disruption, lead, amount="150", currency="USD", reference=AGAIN)
    approve_goodwill(disruption, AGAIN, actor=lead2, at=AT)
    cash = list(RemedyOffer.objects.filter(kind="compensation").order_by("pk"))
    vouchers = list(RemedyOffer.objects.filter(kind="voucher").order_by("pk"))

    for offer in cash[:2] + vouchers:
        accept_offer(offer, at=AT)
    for offer in cash[:2] + vouchers[:1]:
        mark_offer_paid(offer, actor=lead, reference="PAY-1", at=AT)

    rows = ledger_totals(Case.objects.all(), LedgerFilter())
    assert [
        (r["state"], r["kind"], r["currency"], r["amount"], r["count"]) for r in rows
    ] == [
        ("accepted", "compensation", "EUR", "180.00", 2),
        ("accepted", "voucher", "USD", "450.00", 3),
        ("approved", "compensation", "EUR", "270.00", 3),
        ("approved", "voucher", "USD", "450.00", 3),
        ("paid", "compensation", "EUR", "180.00", 2),
        ("paid", "voucher", "USD", "150.00", 1),
        ("proposed", "compensation", "EUR", "270.00", 3),
        ("proposed", "voucher", "USD", "450.00", 3),
    ]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    end = datetime(2026, 2, 1, tzinfo=UTC)
    assert compensation_totals(Case.objects.all(), start, end) == {
        "EUR": Decimal("180.00"),
        "USD": Decimal("150.00"),
    }
    flight = ledger_totals(
        Case.objects.all(),
        LedgerFilter(state="paid", flight_number="AF23", flight_date=date(2026, 1, 5)),
    )
    assert [(r["currency"], r["amount"]) for r in flight] == [
        ("EUR", "180.00"),
        ("USD", "150.00"),
    ]


# --- Repeated: never offered twice ------------------------------------------


def test_repeating_the_gesture_offers_nothing_twice(leads, disruption):
    lead, _lead2 = leads
    give(disruption, lead)

    same_form = give(disruption, lead)
    new_form_same_gesture = give(disruption, lead, amount="50.00", reference=AGAIN)

    assert counts(same_form) == (0, 0, 3, 0)
    assert counts(new_form_same_gesture) == (0, 0, 3, 0)
    assert RemedyOffer.objects.count() == 3
    assert Event.objects.filter(type="disruption.goodwill").count() == 3
    for row in AffectedPassenger.objects.all():
        assert [(g["amount"], g["reference"]) for g in row.goodwill] == [
            ("50.00", REFERENCE)
        ]


def test_a_repeat_reaches_only_passengers_added_since(leads, disruption):
    lead, _lead2 = leads
    give(disruption, lead)
    load_manifest(disruption.flight, [passenger(4)])
    care_for_disruption(disruption.pk)

    report = give(disruption, lead, reference=AGAIN)

    assert counts(report) == (1, 0, 3, 0)
    assert RemedyOffer.objects.count() == 4


def test_another_gesture_is_a_new_offer(leads, disruption):
    lead, _lead2 = leads
    give(disruption, lead)

    miles = give(
        disruption, lead, amount="5000", currency="", form="miles", reference=AGAIN
    )

    # Miles have no price in the rate table: a second person always approves them.
    assert counts(miles) == (0, 3, 0, 0)
    assert (
        sorted(RemedyOffer.objects.values_list("kind", "miles", "state"))
        == [("miles", 5000, "proposed")] * 3 + [("voucher", None, "approved")] * 3
    )


# --- Who may -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("care_agent", 403),
        ("auditor", 403),
        ("baggage_supervisor", 404),
        ("baggage_agent", 404),
    ],
)
def test_only_supervisors_of_the_cases_give_goodwill(
    client, people, disruption, persona, status
):
    client.force_login(people[persona])

    response = client.post(
        f"/console/disruptions/{disruption.pk}/goodwill/",
        {"amount": "50", "currency": "USD", "form": "voucher", "reference": REFERENCE},
    )

    assert response.status_code == status
    assert not RemedyOffer.objects.exists()


def test_an_agent_cannot_give_goodwill_through_the_service(people, disruption):
    with pytest.raises(PermissionDenied):
        give(disruption, people["care_agent"])

    assert not RemedyOffer.objects.exists()


def test_a_supervisor_of_another_department_reaches_no_case(people, disruption):
    report = give(disruption, people["baggage_supervisor"])

    assert counts(report) == (0, 0, 0, 3)
    assert not RemedyOffer.objects.exists()
    assert not Event.objects.filter(type="disruption.goodwill").exists()


def test_a_supervisor_of_another_department_cannot_approve(leads, people, disruption):
    lead, _lead2 = leads
    give(disruption, lead, amount="150")

    decision = approve_goodwill(
        disruption, REFERENCE, actor=people["baggage_supervisor"], at=AT
    )

    assert (len(decision.done), decision.skipped) == (0, 3)
    assert set(RemedyOffer.objects.values_list("state", flat=True)) == {"proposed"}


def test_an_agent_cannot_approve_or_refuse(client, leads, people, disruption):
    lead, _lead2 = leads
    give(disruption, lead, amount="150")
    client.force_login(people["care_agent"])

    for decision in ("approve", "refuse"):
        response = client.post(
            f"/console/disruptions/{disruption.pk}/goodwill/{REFERENCE}/{decision}/"
        )
        assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        refuse_goodwill(disruption, REFERENCE, actor=people["care_agent"], at=AT)
    assert set(RemedyOffer.objects.values_list("state", flat=True)) == {"proposed"}


# --- In bounded batches --------------------------------------------------------


def test_the_gesture_costs_the_same_queries_for_three_or_twelve_passengers(
    leads,
):
    lead, _lead2 = leads
    small = disrupt(
        AF_JFK_CDG, [passenger(n) for n in range(1, 4)], type="cancellation"
    )
    large_flight = {**AF_JFK_CDG, "flight_number": "AF25"}
    large = disrupt(
        large_flight,
        [passenger(n, booking_reference=f"Q7M3P{n % 10}") for n in range(1, 13)],
        type="cancellation",
    )

    with CaptureQueriesContext(connection) as few:
        give(small, lead)
    with CaptureQueriesContext(connection) as many:
        give(large, lead)

    assert RemedyOffer.objects.count() == 15
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_gestures_read_in_chinese(client, leads, disruption):
    lead, lead2 = leads
    give(disruption, lead, amount="150", at=None)
    client.force_login(lead2)

    response = client.get(
        f"/console/disruptions/{disruption.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    body = response.content.decode()
    for text in ("补偿及其补偿方案", "批准 3 个待批准的补偿方案", "全部拒绝"):
        assert text in body
