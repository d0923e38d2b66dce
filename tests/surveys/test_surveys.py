"""Surveys: created on resolution, sent through comms, answered once by the passenger.

The link is signed, bound to one survey of one case, expires, and a GET (a mail
scanner opening it) records nothing; only the passenger's POST does.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from paxcare.cases.services import add_passenger_message, change_status
from paxcare.comms.models import Notification
from paxcare.routing.models import Department, Role
from paxcare.surveys.events import SurveyEvent
from paxcare.surveys.links import SALT, survey_token
from paxcare.surveys.models import FollowUp, Survey
from paxcare.surveys.services import Answer, answer_survey, send_reminders
from tests.factories import make_agent, make_case

pytestmark = pytest.mark.django_db

CATEGORY = "baggage.pilferage"


@pytest.fixture
def supervisor():
    user = make_agent("bag.boss", role=Role.SUPERVISOR, departments=("baggage",))
    Department.objects.filter(code="baggage").update(supervisor=user)
    return user


@pytest.fixture
def resolved(supervisor, django_capture_on_commit_callbacks):
    """A baggage case resolved by the supervisor, its invitation sent."""
    case = make_case(category=CATEGORY, email="li.wei@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        change_status(case, "resolved", actor=supervisor)
    return case


def _url(survey: Survey) -> str:
    return f"/survey/{survey_token(survey)}/"


def _events(case, type_: str) -> list:
    return list(case.events.filter(type=type_))


def test_resolution_creates_a_survey_and_sends_the_link_through_comms(resolved):
    survey = Survey.objects.get(case=resolved)

    notification = Notification.objects.get(case=resolved, purpose="survey")
    assert notification.key == f"survey:{survey.pk}:invitation"
    assert survey.invited_at is not None
    link = re.search(r"http\S+/survey/([^/\s]+)/", mail.outbox[-1].body)
    assert link is not None
    assert signing.loads(link.group(1), salt=SALT) == {
        "s": survey.pk,
        "c": resolved.pk,
        "n": survey.nonce,
    }
    assert [e.type for e in resolved.events.filter(type__startswith="survey.")] == [
        SurveyEvent.CREATED,
        SurveyEvent.INVITED,
    ]


def test_a_get_never_records_a_rating(client, resolved):
    survey = resolved.survey

    page = client.get(_url(survey), {"rating": "1"})
    head = client.head(_url(survey))

    survey.refresh_from_db()
    assert page.status_code == 200 and head.status_code == 200
    assert page.context["form"].initial == {"rating": 1}
    assert (survey.answered_at, survey.rating) == (None, None)
    assert _events(resolved, SurveyEvent.ANSWERED) == []


def test_the_post_records_the_answer_and_the_event(client, resolved):
    survey = resolved.survey

    response = client.post(
        _url(survey), {"rating": "4", "recommend": "9", "reason": "quick"}
    )

    survey.refresh_from_db()
    assert response.status_code == 302
    assert (survey.rating, survey.recommend, survey.reason.code) == (4, 9, "quick")
    [event] = _events(resolved, SurveyEvent.ANSWERED)
    assert event.data == {
        "rating": 4,
        "recommend": 9,
        "reason": "quick",
        "comment": False,
    }
    assert client.get(_url(survey)).status_code == 200
    assert FollowUp.objects.count() == 0


def test_a_replayed_link_changes_nothing_and_a_change_is_an_event(client, resolved):
    survey = resolved.survey
    client.post(_url(survey), {"rating": "5"})

    same = client.post(_url(survey), {"rating": "5"})
    changed = client.post(_url(survey), {"rating": "1", "comment": "Actually bad."})

    survey.refresh_from_db()
    assert same.status_code == changed.status_code == 409
    assert survey.rating == 5
    assert len(_events(resolved, SurveyEvent.ANSWERED)) == 1
    [second] = _events(resolved, SurveyEvent.SECOND_ANSWER)
    assert second.data["first"]["rating"] == 5
    assert second.data["second"]["rating"] == 1
    assert FollowUp.objects.count() == 0


def test_a_forged_or_bent_link_is_refused(client, resolved, supervisor):
    survey = resolved.survey
    other = make_case(category=CATEGORY, email="other@example.com")
    change_status(other, "resolved", actor=supervisor)
    token = survey_token(survey)
    # Signed with the real key but naming another case: still refused.
    crossed = signing.dumps(
        {"s": survey.pk, "c": other.pk, "n": survey.nonce}, salt=SALT
    )
    wrong_salt = signing.dumps({"s": survey.pk, "c": resolved.pk, "n": survey.nonce})

    responses = [
        client.get(f"/survey/{token[:-2]}xx/"),
        client.post(f"/survey/{token[:-2]}xx/", {"rating": "5"}),
        client.post(f"/survey/{crossed}/", {"rating": "5"}),
        client.post(f"/survey/{wrong_salt}/", {"rating": "5"}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_a_new_nonce_invalidates_earlier_links(client, resolved):
    survey = resolved.survey
    old = _url(survey)
    Survey.objects.filter(pk=survey.pk).update(nonce="fresh-nonce")

    assert client.post(old, {"rating": "5"}).status_code == 404


def test_an_expired_survey_takes_no_answer(client, resolved):
    survey = resolved.survey
    Survey.objects.filter(pk=survey.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    response = client.post(_url(survey), {"rating": "5"})

    assert response.status_code == 410
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_a_bad_answer_is_a_field_error(client, resolved):
    response = client.post(_url(resolved.survey), {"rating": "9"})

    assert response.status_code == 400
    assert "rating" in response.context["form"].errors


def test_a_low_rating_opens_a_follow_up_for_the_supervisor(
    client, resolved, supervisor
):
    answer_survey(survey_token(resolved.survey), Answer(2, 3, "too_slow", "Slow."))

    follow_up = FollowUp.objects.get()
    [event] = _events(resolved, SurveyEvent.FOLLOW_UP_OPENED)
    assert (follow_up.case, follow_up.supervisor) == (resolved, supervisor)
    assert event.data["to"] == supervisor.pk
    client.force_login(supervisor)
    page = client.get("/console/insights/follow-ups/")
    assert resolved.number in page.text
    closed = client.post(
        f"/console/insights/follow-ups/{follow_up.pk}/close/",
        {"outcome": "Called back, voucher offered."},
    )
    follow_up.refresh_from_db()
    assert closed.status_code == 302
    assert follow_up.closed_by == supervisor
    assert len(_events(resolved, SurveyEvent.FOLLOW_UP_CLOSED)) == 1


def test_an_agent_cannot_close_a_follow_up(client, resolved):
    answer_survey(survey_token(resolved.survey), Answer(1))
    agent = make_agent("bag.agent", departments=("baggage",))
    client.force_login(agent)

    response = client.post(
        f"/console/insights/follow-ups/{FollowUp.objects.get().pk}/close/",
        {"outcome": "Done."},
    )

    assert response.status_code == 403
    assert FollowUp.objects.get().closed_at is None


def test_one_reminder_after_three_days(resolved, django_capture_on_commit_callbacks):
    survey = resolved.survey
    Survey.objects.filter(pk=survey.pk).update(
        invited_at=timezone.now() - timedelta(days=3, minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        first = send_reminders()
    again = send_reminders()

    survey.refresh_from_db()
    assert (first, again) == (1, 0)
    assert survey.reminded_at is not None
    assert Notification.objects.filter(
        case=resolved, key=f"survey:{survey.pk}:reminder"
    ).exists()


def test_a_case_resolved_again_keeps_its_one_survey(resolved, supervisor):
    add_passenger_message(resolved, "Still missing.", channel="web")
    change_status(resolved, "resolved", actor=supervisor)

    assert Survey.objects.filter(case=resolved).count() == 1


def test_a_merged_case_gets_no_survey(supervisor):
    original = make_case(category=CATEGORY, email="twin@example.com", description="Two")
    twin = make_case(category=CATEGORY, email="twin@example.com", description="Two")

    change_status(twin, "resolved", actor=supervisor)

    assert twin.duplicate_of == original
    assert not Survey.objects.filter(case=twin).exists()


def test_the_survey_page_speaks_the_case_language(client, supervisor):
    case = make_case(
        category=CATEGORY, description="我的行李里少了东西。", email="wang@example.com"
    )
    change_status(case, "resolved", actor=supervisor)

    page = client.get(_url(case.survey))

    assert case.language == "zh-hans"
    assert "您对我们处理您的案件是否满意？" in page.text


def test_the_answer_reads_on_the_case_timeline(client, resolved, supervisor):
    answer_survey(survey_token(resolved.survey), Answer(4, 8))
    client.force_login(supervisor)

    page = client.get(f"/console/cases/{resolved.number}/")

    assert "Survey answered: satisfaction 4 of 5. Likelihood to recommend 8 of 10." in (
        page.text
    )
    assert "Survey invitation sent to the passenger." in page.text


def test_only_the_answer_itself_hears_the_apology_not_a_later_visit(client, resolved):
    apology = "We are sorry we let you down."

    answered = client.post(_url(resolved.survey), {"rating": "1"}, follow=True)
    later = Client().get(_url(resolved.survey))

    assert apology in answered.content.decode()
    assert later.status_code == 200
    assert "This link has been used" in later.content.decode()
    assert apology not in later.content.decode()
