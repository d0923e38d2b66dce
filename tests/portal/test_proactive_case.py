"""A case PaxCare opened for a disrupted flight is not the passenger's words."""

import pytest

from paxcare.comms.models import Notification
from paxcare.disruptions.models import AffectedPassenger
from tests.disruptions.conftest import CA981_DELAY, disrupt, passenger
from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(db) -> dict[str, AffectedPassenger]:
    rows = [passenger(1), passenger(2, language="zh-hans")]
    disrupt(CA981_DELAY, rows, type="delay", estimated_arrival="2026-12-20T21:00:00")
    return {
        row.entry.language: row
        for row in AffectedPassenger.objects.select_related("entry", "case")
    }


def tracked_page(client, row: AffectedPassenger, language: str):
    client.cookies["django_language"] = language
    response = client.post(
        "/track/", {"number": row.case.number, "email": row.entry.email}
    )
    return client.get(response["Location"])


@pytest.mark.parametrize(
    ("language", "heading", "passengers_words"),
    [
        ("en", "PaxCare opened this case for your disrupted flight", "You wrote"),
        ("zh-hans", "PaxCare 已为您受影响的航班建立此案件", "您的留言"),
    ],
)
def test_the_tracking_page_shows_what_the_passenger_was_told(
    client, cases, language, heading, passengers_words
):
    # given a case the delay of CA981 opened for a passenger of that language
    row = cases[language]
    told = Notification.objects.filter(case=row.case, purpose="disruption").first()

    # when the passenger tracks it
    page = tracked_page(client, row, language)

    # then the page says PaxCare opened it, with the notification's words, and
    # shows neither staff's description nor any message as the passenger's
    assert page.status_code == 200
    assert heading in page.text
    assert told.context["disruption_text"].splitlines()[0] in page.text
    assert "PaxCare opened this case so that the" not in page.text
    assert "PaxCare 主动建立本服务单以照顾旅客" not in page.text
    messages = page.text.split('<section class="timeline">')[1].split("</section>")[0]
    assert passengers_words not in messages


def test_a_passengers_own_case_still_shows_their_words(client):
    # given a case the passenger filed
    case = make_case(email="li.wei@example.com", description="My bag is late.")

    # when they track it
    response = client.post(
        "/track/", {"number": case.number, "email": "li.wei@example.com"}
    )
    page = client.get(response["Location"])

    # then their words are theirs

    assert "You wrote" in page.text
    assert "My bag is late." in page.text
