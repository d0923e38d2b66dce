"""A case a disruption opened shows what the passenger is owed at once, from the
flight and the manifest, before anyone saves trip facts on it."""

from paxcare.remedies.models import CaseFacts
from tests.disruptions.conftest import AF_JFK_CDG, disrupt, passenger


def test_the_remedies_panel_of_a_disruption_case_shows_its_entitlements(client, people):
    disruption = disrupt(
        AF_JFK_CDG,
        [passenger(1)],
        type="cancellation",
        delay_code="41",
        notified_at="2026-01-05T12:00:00-05:00",
    )
    case = disruption.affected.get().case
    client.force_login(people["care_supervisor"])

    page = client.get(f"/console/cases/{case.number}/").content.decode()

    assert "Fill in the trip facts" not in page
    assert "As known from the disruption of AF23 on 2026-01-05" in page
    assert "EUR 600.00" in page
    assert not CaseFacts.objects.filter(case=case).exists()


def test_a_case_without_a_disruption_still_asks_for_the_facts(client, people):
    from tests.factories import make_case

    case = make_case(category="flight.delay", flight_number="AF23")
    client.force_login(people["admin"])

    page = client.get(f"/console/cases/{case.number}/").content.decode()

    assert "Fill in the trip facts" in page
