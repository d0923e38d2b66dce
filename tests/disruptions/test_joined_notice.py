"""A passenger whose own case the disruption joined is told so, in their language."""

from datetime import date

import pytest

from paxcare.comms.models import Notification
from paxcare.comms.outbound import due_ids, send_due
from paxcare.disruptions.models import AffectedPassenger
from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import open_case
from tests.disruptions.conftest import disrupt, passenger

pytestmark = pytest.mark.django_db

B6999 = {
    "carrier": "B6",
    "flight_number": "B6999",
    "origin": "JFK",
    "destination": "BOS",
    "scheduled_departure": "2026-12-06T09:00:00-05:00",
    "scheduled_arrival": "2026-12-06T10:15:00-05:00",
}


def own_case():
    return open_case(
        CaseDraft(
            description="Is my flight tomorrow on time?",
            channel="api",
            email="Pre@Example.com",
            flight_number="B6999",
            flight_date=date(2026, 12, 6),
        )
    ).case


@pytest.mark.parametrize(
    ("language", "joined_words", "opened_words"),
    [
        ("zh-hans", "您的案件 {number} 现已涵盖此次航班变动。", "我们已为您建立案件"),
        ("en", "Your case {number} now covers this disruption.", "We have opened case"),
    ],
)
def test_a_joined_passenger_is_told_their_case_covers_it(
    language, joined_words, opened_words
):
    # given the passenger's own English case about B6999
    case = own_case()

    # when B6999 is cancelled and the manifest lists them, in ``language``
    disrupt(
        B6999,
        [passenger(1, email="pre@example.com", language=language)],
        type="cancellation",
    )
    send_due(due_ids())

    # then their case is joined, and the notice says so, in the manifest's language
    row = AffectedPassenger.objects.get()
    assert (row.case, row.opened_case) == (case, False)
    notice = Notification.objects.get(case=case, purpose="disruption")
    assert notice.language == language
    assert joined_words.format(number=case.number) in notice.body
    assert opened_words not in notice.body


def test_a_passenger_whose_case_the_disruption_opened_is_told_it_was_opened():
    # when B6999 is cancelled with a passenger who had no case
    disrupt(B6999, [passenger(1, language="zh-hans")], type="cancellation")
    send_due(due_ids())

    # then the notice says a case was opened for them
    case = AffectedPassenger.objects.get().case
    notice = Notification.objects.get(case=case, purpose="disruption")
    assert f"我们已为您建立案件 {case.number}。" in notice.body
