"""A survey link submitted many times at once: one answer wins, every other gets 409.

The page reads the survey before the answer's transaction locks it, so a request
can find it unanswered and still lose the lock to another submission; the loser
must say so (409), not thank the passenger for an answer that was not kept.
"""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from paxcare.cases.services import change_status
from paxcare.routing.models import Role
from paxcare.surveys import views
from paxcare.surveys.events import SurveyEvent
from paxcare.surveys.links import survey_token
from paxcare.surveys.models import FollowUp, Survey
from paxcare.surveys.services import Answer, answer_survey
from tests.factories import make_agent, make_case

PARALLEL = 12


def _resolved_survey() -> Survey:
    """Return the fresh survey of a baggage case its supervisor resolved."""
    boss = make_agent("bag.boss", role=Role.SUPERVISOR, departments=("baggage",))
    case = make_case(category="baggage.pilferage", email="li.wei@example.com")
    change_status(case, "resolved", actor=boss)
    return Survey.objects.get(case=case)


def _url(survey: Survey) -> str:
    return f"/survey/{survey_token(survey)}/"


@pytest.mark.django_db
def test_an_answer_that_loses_the_lock_after_reading_the_survey_gets_409(
    client, monkeypatch
):
    # Given a fresh survey, and another submission of the link that commits while
    # this request is between reading the survey and answering it
    survey = _resolved_survey()
    token = survey_token(survey)

    def answer_after_the_other(token_, answer):
        answer_survey(token_, Answer(rating=2))
        return answer_survey(token_, answer)

    monkeypatch.setattr(views, "answer_survey", answer_after_the_other)

    # When this request submits its rating
    response = client.post(f"/survey/{token}/", {"rating": "4"})

    # Then it is told the link was used, and the first answer stands
    survey.refresh_from_db()
    assert response.status_code == 409
    assert "your first answer is the one we keep" in response.content.decode()
    assert survey.rating == 2
    assert survey.case.events.filter(type=SurveyEvent.ANSWERED).count() == 1
    [second] = survey.case.events.filter(type=SurveyEvent.SECOND_ANSWER)
    assert (second.data["first"]["rating"], second.data["second"]["rating"]) == (2, 4)


@pytest.mark.django_db
def test_later_posts_one_after_another_all_get_409(client):
    # Given a survey answered once
    survey = _resolved_survey()
    first = client.post(_url(survey), {"rating": "5"})

    # When the link is submitted again eleven times with other ratings
    later = [
        client.post(_url(survey), {"rating": str(1 + n % 4)})
        for n in range(PARALLEL - 1)
    ]

    # Then only the first was thanked and kept
    survey.refresh_from_db()
    assert first.status_code == 302
    assert [r.status_code for r in later] == [409] * (PARALLEL - 1)
    assert survey.rating == 5
    assert survey.case.events.filter(type=SurveyEvent.SECOND_ANSWER).count() == 11


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twelve_simultaneous_posts_give_one_thank_you_and_eleven_409():
    if connection.vendor != "postgresql":
        pytest.skip(
            "the race needs concurrent transactions with their own connections; "
            "the in-memory SQLite test database is shared by the threads and its "
            "writers queue on one lock (the interleaving is tested above)"
        )
    # Given a fresh survey and twelve passengers' browsers with different ratings
    survey = _resolved_survey()
    url = _url(survey)
    ratings = [1 + n % 5 for n in range(PARALLEL)]
    barrier = threading.Barrier(PARALLEL)
    statuses: dict[int, int] = {}
    errors = []

    def submit(n: int) -> None:
        try:
            browser = Client()
            barrier.wait()
            statuses[n] = browser.post(url, {"rating": str(ratings[n])}).status_code
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(PARALLEL)]

    # When they all submit at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then one is thanked, every other one gets 409, and the winner's rating stands
    assert errors == []
    assert sorted(statuses.values()) == [302] + [409] * (PARALLEL - 1)
    [winner] = [n for n, status in statuses.items() if status == 302]
    survey.refresh_from_db()
    assert survey.rating == ratings[winner]
    events = survey.case.events
    assert events.filter(type=SurveyEvent.ANSWERED).count() == 1
    differing = sum(1 for rating in ratings if rating != ratings[winner])
    assert events.filter(type=SurveyEvent.SECOND_ANSWER).count() == differing
    assert FollowUp.objects.count() == (1 if ratings[winner] <= 2 else 0)
