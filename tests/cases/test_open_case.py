from datetime import timedelta

import pytest
from django.utils import timezone

from paxcare.cases.models import Case, Event
from paxcare.crm.models import Passenger
from paxcare.errors import InvalidInput
from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import open_case, open_cases
from paxcare.sla.models import Clock
from tests.factories import make_agent

pytestmark = pytest.mark.django_db


def draft(**fields) -> CaseDraft:
    values = {
        "description": "My suitcase did not arrive at PEK after flight CA982.",
        "channel": "web",
        "email": "li.wei@example.com",
        "passenger_name": "Li Wei",
        "category": "baggage.delayed",
        "kind": "claim",
    }
    values.update(fields)
    return CaseDraft(**values)


def test_a_web_case_is_routed_assigned_clocked_and_on_the_timeline():
    agent = make_agent("bag1", departments=("baggage",))

    result = open_case(draft(flight_number="ca982", booking_reference="k7m3px"))

    case = Case.objects.get(pk=result.case.pk)
    assert result.created is True
    assert case.department.code == "baggage"
    assert case.assignee == agent
    assert case.status == "new"
    assert case.flight_number == "CA982"
    assert case.airline == "CA"
    assert case.booking_reference == "K7M3PX"
    assert case.passenger.email == "li.wei@example.com"
    kinds = set(Clock.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == {"first_response", "resolution"}
    # one timeline event carries every step of the creation
    created = case.events.get()
    assert created.type == "case.created"
    assert created.data["channel"] == "web"
    assert created.data["classified"]["category"] == "baggage.delayed"
    assert created.data["classified"]["by"] == "given"
    assert created.data["routed"] == {"old": None, "new": "baggage"}
    assert created.data["assigned"] == {
        "old": None,
        "new": agent.pk,
        "rule": "fewest_open",
    }
    assert sorted(created.data["sla"]["due"]) == ["first_response", "resolution"]


def test_the_same_external_id_never_makes_two_cases():
    first = open_case(draft(channel="social", external_id="tweet-1", email=""))

    again = open_case(draft(channel="social", external_id="tweet-1", email=""))
    batch = open_cases(
        [draft(channel="social", external_id="tweet-2", email="") for _ in range(3)]
    )

    assert again.created is False
    assert again.case.pk == first.case.pk
    assert [r.created for r in batch] == [True, False, False]
    assert Case.objects.filter(external_id__in=["tweet-1", "tweet-2"]).count() == 2


def test_the_same_passenger_with_the_same_text_soon_after_is_flagged():
    first = open_case(draft())

    second = open_case(
        draft(description="  my suitcase did not arrive at PEK after flight CA982. ")
    )

    assert second.created is True
    assert second.duplicate_of.pk == first.case.pk
    assert Case.objects.get(pk=second.case.pk).duplicate_of_id == first.case.pk
    assert second.case.events.filter(type="case.duplicate_flagged").count() == 1


def test_the_same_text_outside_the_window_is_not_a_duplicate():
    open_case(draft(received_at=timezone.now() - timedelta(days=3)))

    later = open_case(draft())

    assert later.duplicate_of is None


def test_duplicates_inside_one_batch_are_linked_to_the_first():
    results = open_cases([draft(), draft()])

    assert results[1].duplicate_of.pk == results[0].case.pk
    assert Case.objects.get(pk=results[1].case.pk).duplicate_of_id == results[0].case.pk


def test_a_passenger_is_found_again_by_email_whatever_its_case():
    first = open_case(draft(email="Li.Wei@Example.com"))

    second = open_case(draft(email="li.wei@example.com", description="Another matter."))

    assert second.case.passenger_id == first.case.passenger_id
    assert Passenger.objects.count() == 1


def test_a_bad_draft_reports_every_field_and_writes_nothing():
    with pytest.raises(InvalidInput) as raised:
        open_case(
            draft(
                description="x" * 20_001,
                email="not-an-email",
                phone="12345",
                category="baggage.teleported",
                flight_number="981",
                booking_reference="TOO-LONG",
                ticket_number="12345",
                airport="XQX",
            )
        )

    fields = {f.field: f.code for f in raised.value.fields}
    assert fields == {
        "description": "too_long",
        "email": "invalid",
        "phone": "invalid",
        "category": "invalid_choice",
        "flight_number": "invalid",
        "booking_reference": "invalid",
        "ticket_number": "invalid",
        "airport": "invalid",
    }
    assert Case.objects.count() == 0
    assert Event.objects.count() == 0
    assert Passenger.objects.count() == 0


def test_good_drafts_of_a_batch_open_even_when_others_are_bad():
    results = open_cases([draft(), draft(email="broken@"), draft(description="Other.")])

    assert [r.created for r in results] == [True, False, True]
    assert [f.field for f in results[1].errors] == ["email"]
    assert Case.objects.count() == 2


def test_phone_numbers_are_stored_in_e164_and_chinese_text_sets_the_language():
    result = open_case(
        draft(
            phone="+86 138 0013 8000", email="", description="我的行李箱没有到达北京。"
        )
    )

    assert result.case.passenger.phone == "+8613800138000"
    assert result.case.language == "zh-hans"


def test_html_in_text_is_kept_as_text():
    text = '<script>alert("x")</script> my bag'

    result = open_case(draft(description=text))

    assert Case.objects.get(pk=result.case.pk).description == text
