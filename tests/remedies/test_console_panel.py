"""The remedies panel on the console's case page, and the changes made from it."""

import pytest

from paxcare.cases.models import Event
from paxcare.remedies.models import CaseFacts, OfferState, RemedyOffer
from paxcare.remedies.offers import OfferDraft, propose_offer
from paxcare.remedies.services import open_required_steps, tick_step
from tests.factories import make_case
from tests.remedies.test_offers import EUR_600, VOUCHER_400


def _page(client, case, language="en") -> str:
    response = client.get(
        f"/console/cases/{case.number}/", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return response.content.decode()


FACTS_POST = {
    "segments-TOTAL_FORMS": "2",
    "segments-INITIAL_FORMS": "0",
    "segments-MIN_NUM_FORMS": "1",
    "segments-MAX_NUM_FORMS": "6",
    "segments-0-marketing_carrier": "lh",
    "segments-0-flight_number": "LH400",
    "segments-0-origin": "fra",
    "segments-0-destination": "JFK",
    "segments-0-scheduled_departure": "2026-05-04T10:00",
    "segments-0-scheduled_arrival": "2026-05-04T12:45",
    "facts-event_type": "delay",
    "facts-cause": "technical",
    "facts-actual_arrival": "2026-05-04T16:55",
    "facts-cabin": "economy",
}


def test_the_panel_shows_the_law_next_to_the_goodwill_policy(
    client, assessed_case, people
):
    client.force_login(people["agent"])

    page = _page(client, assessed_case)

    law = page.index("What the law requires")
    goodwill = page.index("What the airline adds: goodwill policy")
    assert (
        law
        < page.index("Compensation of EUR 600: the journey of 6,188 km")
        < (goodwill)
    )
    assert "voucher: CNY 400.00" in page[goodwill:]


def test_the_explanations_follow_the_readers_language(client, assessed_case, people):
    client.force_login(people["agent"])

    page = _page(client, assessed_case, "zh-hans")

    assert "赔偿EUR 600：全程大圆距离6,188公里" in page
    assert "法律规定的权益" in page


def test_without_facts_the_panel_asks_for_them(client, delay_case, people):
    client.force_login(people["agent"])

    page = _page(client, delay_case)

    assert "Fill in the trip facts to see what the passenger is entitled to." in page
    assert 'value="LH400"' in page


def test_the_facts_form_saves_local_times_at_each_airport(client, delay_case, people):
    client.force_login(people["agent"])

    response = client.post(
        f"/console/cases/{delay_case.number}/remedies/facts/", FACTS_POST
    )

    assert response.status_code == 302
    facts = CaseFacts.objects.get(case=delay_case)
    segment = facts.segments.get()
    assert (
        segment.scheduled_departure.isoformat(),
        segment.scheduled_arrival.isoformat(),
        facts.actual_arrival.isoformat(),
    ) == (
        "2026-05-04T08:00:00+00:00",
        "2026-05-04T16:45:00+00:00",
        "2026-05-04T20:55:00+00:00",
    )
    assert "Compensation of EUR 600" in _page(client, delay_case)


def test_bad_facts_come_back_with_the_error_beside_the_field(
    client, delay_case, people
):
    client.force_login(people["agent"])
    post = dict(FACTS_POST, **{"facts-actual_arrival": "2026-05-04T03:00"})

    response = client.post(f"/console/cases/{delay_case.number}/remedies/facts/", post)

    assert response.status_code == 400
    assert "Must be later than the departure." in response.content.decode()
    assert not CaseFacts.objects.filter(case=delay_case).exists()


def test_an_unknown_airport_is_refused_by_the_form(client, delay_case, people):
    client.force_login(people["agent"])
    post = dict(FACTS_POST, **{"segments-0-origin": "XQZ"})

    response = client.post(f"/console/cases/{delay_case.number}/remedies/facts/", post)

    assert response.status_code == 400
    assert "Not a known IATA airport code." in response.content.decode()


def test_offer_this_proposes_the_entitlement(client, assessed_case, people):
    client.force_login(people["agent"])

    response = client.post(
        f"/console/cases/{assessed_case.number}/remedies/offers/",
        {
            "kind": "compensation",
            "amount": "600.00",
            "currency": "EUR",
            "regime": "eu261",
            "entitlement_code": "eu261.compensation",
        },
    )

    assert response.status_code == 302
    offer = RemedyOffer.objects.get(case=assessed_case)
    assert (offer.state, offer.regime, offer.entitlement_code) == (
        OfferState.PROPOSED,
        "eu261",
        "eu261.compensation",
    )
    page = _page(client, assessed_case)
    assert "waits for approval: above the proposer&#x27;s approval limit" in page


def test_a_bad_proposal_comes_back_with_its_errors(client, assessed_case, people):
    client.force_login(people["agent"])

    response = client.post(
        f"/console/cases/{assessed_case.number}/remedies/offers/", {"kind": "miles"}
    )

    assert response.status_code == 400
    assert "Give a number of miles." in response.content.decode()


def test_the_supervisor_sees_approve_and_the_agent_does_not(
    client, assessed_case, people
):
    propose_offer(assessed_case, EUR_600, actor=people["agent"])

    client.force_login(people["agent"])
    agent_page = _page(client, assessed_case)
    client.force_login(people["supervisor"])
    supervisor_page = _page(client, assessed_case)

    assert ">Approve<" not in agent_page
    assert ">Approve<" in supervisor_page


def test_the_timeline_tells_the_story_of_an_offer(client, assessed_case, people):
    propose_offer(assessed_case, VOUCHER_400, actor=people["agent"])
    client.force_login(people["agent"])

    page = _page(client, assessed_case)

    assert "Remedy approved within the proposer&#x27;s limit: voucher, CNY 400.00." in (
        page
    )
    assert "Remedy offered to the passenger: voucher, CNY 400.00." in page


def test_the_remedies_page_lists_what_waits_for_my_approval(
    client, assessed_case, people
):
    propose_offer(assessed_case, EUR_600, actor=people["agent"])
    propose_offer(
        assessed_case, OfferDraft(kind="miles", miles=900), actor=people["supervisor"]
    )
    client.force_login(people["supervisor"])

    page = client.get("/console/remedies/").content.decode()

    assert page.count(f"{assessed_case.number}</a>") == 1
    assert "EUR 600.00" in page


def test_an_auditor_reads_the_panel_without_forms(client, assessed_case, people):
    client.force_login(people["auditor"])

    page = _page(client, assessed_case)

    assert "Compensation of EUR 600" in page
    assert "Save trip facts" not in page
    assert "Propose a remedy" not in page


@pytest.mark.django_db
def test_a_refund_case_shows_its_playbook_but_no_entitlements(client, people):
    case = make_case(category="ticketing.refund", description="Refund please.")
    client.force_login(people["admin"])

    page = _page(client, case)

    assert "Playbook: Refund" in page
    assert "What the law requires" not in page


def test_describers_cover_every_remedies_event(assessed_case, people):
    from paxcare.remedies.timeline import describe_remedies_event

    propose_offer(assessed_case, EUR_600, actor=people["agent"])
    events = Event.objects.filter(case=assessed_case, type__contains=".")
    described = {e.type: describe_remedies_event(e) for e in events}

    assert described["remedy.facts_saved"] == (
        "Trip facts saved: delay, LH400 FRA-JFK."
    )
    assert described["remedy.proposed"] == (
        "Remedy proposed, waiting for approval: cash compensation, EUR 600.00."
    )
    assert described["case.created"] is None


def test_changing_the_event_keeps_the_flights_already_saved(
    client, assessed_case, people
):
    client.force_login(people["agent"])
    post = dict(
        FACTS_POST,
        **{
            "segments-INITIAL_FORMS": "1",
            "facts-actual_arrival": "2026-05-04T18:00",
        },
    )

    response = client.post(
        f"/console/cases/{assessed_case.number}/remedies/facts/", post
    )

    assert response.status_code == 302
    facts = CaseFacts.objects.get(case=assessed_case)
    assert [s.flight_number for s in facts.segments.all()] == ["LH400"]
    assert facts.actual_arrival.isoformat() == "2026-05-04T22:00:00+00:00"


def test_a_flight_can_be_taken_off_the_itinerary(client, assessed_case, people):
    client.force_login(people["agent"])
    post = dict(
        FACTS_POST,
        **{
            "segments-INITIAL_FORMS": "1",
            "segments-1-marketing_carrier": "LH",
            "segments-1-flight_number": "LH402",
            "segments-1-origin": "JFK",
            "segments-1-destination": "BOS",
            "segments-1-scheduled_departure": "2026-05-04T15:00",
            "segments-1-scheduled_arrival": "2026-05-04T16:15",
            "segments-1-DELETE": "on",
        },
    )

    client.post(f"/console/cases/{assessed_case.number}/remedies/facts/", post)

    facts = CaseFacts.objects.get(case=assessed_case)
    assert [s.flight_number for s in facts.segments.all()] == ["LH400"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "facts-fare_amount",
            "99999999999999",
            "Ensure that there are no more than 12 digits in total.",
        ),
        ("facts-fare_amount", "1e999999", "Ensure that there are no more than"),
        ("facts-fare_amount", "NaN", "Enter a number."),
        ("facts-fare_currency", "ZZZ", "Give an ISO 4217 code, e.g. EUR."),
    ],
)
def test_a_fare_the_database_cannot_hold_is_refused_beside_the_field(
    client, delay_case, people, field, value, message
):
    client.force_login(people["agent"])
    post = dict(
        FACTS_POST,
        **{"facts-fare_amount": "300", "facts-fare_currency": "USD", field: value},
    )

    response = client.post(f"/console/cases/{delay_case.number}/remedies/facts/", post)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CaseFacts.objects.filter(case=delay_case).exists()


def test_the_chinese_panel_cites_the_law_in_chinese(client, assessed_case, people):
    # Given an agent on a case assessed under EU 261 (LH400 FRA-JFK, late)
    client.force_login(people["agent"])

    # When the case page is read in English and in Chinese
    english = _page(client, assessed_case, "en")
    chinese = _page(client, assessed_case, "zh-hans")

    # Then the citation names the regulation in each language, its article as is
    assert "Regulation (EC) No 261/2004, Art. 6, 7(1)" in english
    assert (
        "欧盟第261/2004号条例（Regulation (EC) No 261/2004），Art. 6, 7(1)" in chinese
    )
    assert "Regulation (EC) No 261/2004, Art." not in chinese


def test_a_done_step_names_who_did_it_by_their_name(client, assessed_case, people):
    # given a playbook step ticked by an agent who has a name
    agent = people["agent"]
    agent.first_name, agent.last_name = "Anna", "Li"
    agent.save()
    step = open_required_steps(assessed_case)[0]
    tick_step(assessed_case, step.pk, actor=agent)
    client.force_login(agent)

    # when the case page is read in each language
    english = _page(client, assessed_case)
    chinese = _page(client, assessed_case, "zh-hans")

    # then the step names the person, not the username
    assert "done by Anna Li on " in english
    assert "由 Anna Li 于 " in chinese
