"""Survey use cases: create after resolution, invite, remind, answer, follow up.

Every change runs in one transaction and writes the case's timeline Event. Messages
to the passenger go through comms (``notify``) after the commit, so a rolled-back
resolution never sends an invitation.
"""

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from paxcare.cases.events import record_event
from paxcare.cases.models import Case, Channel
from paxcare.cases.services import cases_visible_to, may_work
from paxcare.errors import FieldError, InvalidInput, NotFound, PermissionDenied
from paxcare.routing.models import Role
from paxcare.routing.services import agent_profile
from paxcare.surveys.events import SurveyEvent
from paxcare.surveys.links import LinkError, read_token, survey_url
from paxcare.surveys.models import LOW_RATING, FollowUp, Survey, SurveyReason

logger = logging.getLogger(__name__)

SURVEY_LIFETIME = timedelta(days=30)
# One reminder, three days after the invitation: most answers come in the first two.
REMIND_AFTER = timedelta(days=3)
MAX_COMMENT_CHARS = 2000
REMINDER_BATCH = 500


def comms_notify() -> Callable | None:
    """Return comms' ``notify`` function, or None while comms does not provide it."""
    try:
        from paxcare.comms.services import notify
    except ImportError:
        return None
    return notify


# --- Creating and inviting -----------------------------------------------------


def create_survey(case: Case, at: datetime) -> Survey | None:
    """Create the survey of a just-resolved case and invite the passenger on commit.

    A case gets one survey: a case resolved again after a reopen keeps the first.
    A case merged into another (``duplicate_of``) gets none: its original is asked.
    """
    if case.duplicate_of_id is not None or Survey.objects.filter(case=case).exists():
        return None
    survey = Survey.objects.create(
        case=case,
        nonce=secrets.token_urlsafe(12),
        language=case.language,
        created_at=at,
        expires_at=at + SURVEY_LIFETIME,
    )
    record_event(case, SurveyEvent.CREATED, data={"survey": survey.pk}, at=at)
    transaction.on_commit(lambda: invite(survey.pk))
    return survey


def invite(survey_id: int, now: datetime | None = None) -> bool:
    """Send the invitation through comms; return whether it was handed over."""
    return _send(survey_id, "invitation", now or timezone.now())


def send_reminders(now: datetime | None = None) -> int:
    """Remind every passenger invited REMIND_AFTER ago who has not answered; once."""
    now = now or timezone.now()
    due = Survey.objects.filter(
        invited_at__lte=now - REMIND_AFTER,
        reminded_at__isnull=True,
        answered_at__isnull=True,
        expires_at__gt=now,
    ).order_by("invited_at", "pk")
    sent = 0
    for survey_id in list(due.values_list("pk", flat=True)[:REMINDER_BATCH]):
        sent += _send(survey_id, "reminder", now)
    return sent


def _send(survey_id: int, which: str, now: datetime) -> bool:
    notify = comms_notify()
    if notify is None:
        logger.warning(
            "surveys: comms cannot notify yet; survey %s not sent", survey_id
        )
        return False
    with transaction.atomic():
        survey = (
            Survey.objects.select_for_update(of=("self",))
            .select_related("case")
            .get(pk=survey_id)
        )
        stamp = "invited_at" if which == "invitation" else "reminded_at"
        if getattr(survey, stamp) is not None or survey.answered_at is not None:
            return False
        context = {"survey_url": survey_url(survey), "reminder": which == "reminder"}
        notified = notify(
            survey.case, "survey", context=context, key=f"survey:{survey.pk}:{which}"
        )
        if not notified:
            logger.info(
                "surveys: no way to reach the passenger of case %s", survey.case
            )
            return False
        setattr(survey, stamp, now)
        survey.save(update_fields=[stamp])
        event = SurveyEvent.INVITED if which == "invitation" else SurveyEvent.REMINDED
        record_event(survey.case, event, data={"survey": survey.pk}, at=now)
    return True


# --- Answering -----------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    rating: int
    recommend: int | None = None
    reason: str = ""
    comment: str = ""


@dataclass(frozen=True)
class AnswerOutcome:
    survey: Survey
    recorded: bool


def survey_for_token(token: str, now: datetime | None = None) -> Survey:
    """Return the survey a link opens, reading only; raise LinkError if unusable."""
    payload = read_token(token)
    survey = (
        Survey.objects.select_related("case")
        .filter(pk=payload["s"], case_id=payload["c"], nonce=payload["n"])
        .first()
    )
    if survey is None:
        raise LinkError("invalid")
    if survey.answered_at is None and survey.expires_at <= (now or timezone.now()):
        raise LinkError("expired")
    return survey


def answer_survey(
    token: str, answer: Answer, at: datetime | None = None
) -> AnswerOutcome:
    """Record the passenger's answer; the first answer stands.

    A second submission through a link already answered changes nothing: when it
    says something else it is kept on the timeline as a ``survey.second_answer``
    event. A low rating opens a follow-up for the department's supervisor.
    """
    at = at or timezone.now()
    reason = _check(answer)
    with transaction.atomic():
        found = survey_for_token(token, now=at)
        survey = (
            Survey.objects.select_for_update(of=("self",))
            .select_related("case", "reason")
            .get(pk=found.pk)
        )
        if survey.answered_at is not None:
            _note_second_answer(survey, answer, at)
            return AnswerOutcome(survey, recorded=False)
        survey.rating, survey.recommend = answer.rating, answer.recommend
        survey.reason, survey.comment = reason, answer.comment
        survey.answered_at = at
        survey.save()
        record_event(
            survey.case,
            SurveyEvent.ANSWERED,
            label=_("passenger"),
            channel=Channel.WEB,
            data=_answer_data(answer),
            at=at,
        )
        if answer.rating <= LOW_RATING:
            open_follow_up(survey, at)
    logger.info("surveys: survey %s answered", survey.pk)
    return AnswerOutcome(survey, recorded=True)


def _check(answer: Answer) -> SurveyReason | None:
    errors = []
    if not isinstance(answer.rating, int) or not 1 <= answer.rating <= 5:
        errors.append(FieldError("rating", _("Choose from 1 to 5."), "invalid_choice"))
    if answer.recommend is not None and not 0 <= answer.recommend <= 10:
        errors.append(
            FieldError("recommend", _("Choose from 0 to 10."), "invalid_choice")
        )
    if len(answer.comment or "") > MAX_COMMENT_CHARS:
        errors.append(
            FieldError(
                "comment",
                _("At most %(n)d characters.") % {"n": MAX_COMMENT_CHARS},
                "too_long",
            )
        )
    reason = None
    if answer.reason:
        reason = SurveyReason.objects.filter(code=answer.reason, is_active=True).first()
        if reason is None:
            errors.append(FieldError("reason", _("Unknown reason."), "invalid_choice"))
    if errors:
        raise InvalidInput(errors)
    return reason


def _answer_data(answer: Answer) -> dict:
    return {
        "rating": answer.rating,
        "recommend": answer.recommend,
        "reason": answer.reason or "",
        "comment": bool(answer.comment),
    }


def _note_second_answer(survey: Survey, answer: Answer, at: datetime) -> None:
    first = Answer(
        rating=survey.rating,
        recommend=survey.recommend,
        reason=survey.reason.code if survey.reason else "",
        comment=survey.comment,
    )
    if first == Answer(answer.rating, answer.recommend, answer.reason, answer.comment):
        return
    record_event(
        survey.case,
        SurveyEvent.SECOND_ANSWER,
        label=_("passenger"),
        channel=Channel.WEB,
        data={"first": _answer_data(first), "second": _answer_data(answer)},
        at=at,
    )


# --- Service recovery ------------------------------------------------------------


def open_follow_up(survey: Survey, at: datetime) -> FollowUp:
    """Give the department's supervisor a follow-up task for a low rating."""
    case = survey.case
    department = case.department
    supervisor_id = department.supervisor_id if department else None
    follow_up = FollowUp.objects.create(
        survey=survey,
        case=case,
        department=department,
        supervisor_id=supervisor_id,
        opened_at=at,
    )
    record_event(
        case,
        SurveyEvent.FOLLOW_UP_OPENED,
        data={
            "follow_up": follow_up.pk,
            "to": supervisor_id,
            "department": department.code if department else "",
            "rating": survey.rating,
        },
        at=at,
    )
    return follow_up


def follow_ups_visible_to(user) -> QuerySet[FollowUp]:
    """Return the follow-ups of the cases ``user`` may see, open ones first."""
    return (
        FollowUp.objects.filter(case__in=cases_visible_to(user).values("pk"))
        .select_related("case", "survey", "survey__reason", "department", "supervisor")
        .order_by("closed_at", "-opened_at")
    )


def may_close_follow_ups(user) -> bool:
    if user.is_superuser:
        return True
    profile = agent_profile(user)
    return profile is not None and profile.role in (Role.SUPERVISOR, Role.ADMIN)


def close_follow_up(
    follow_up_id: int, outcome: str, *, actor, at: datetime | None = None
) -> FollowUp:
    """Close a follow-up with what was done; supervisors and administrators only."""
    at = at or timezone.now()
    outcome = (outcome or "").strip()
    if not outcome:
        raise InvalidInput([FieldError("outcome", _("Say what was done."), "required")])
    with transaction.atomic():
        follow_up = (
            follow_ups_visible_to(actor)
            .select_for_update(of=("self",))
            .filter(pk=follow_up_id)
            .first()
        )
        if follow_up is None:
            raise NotFound(_("No such follow-up."))
        if not may_close_follow_ups(actor) or not may_work(actor, follow_up.case):
            raise PermissionDenied(_("Only a supervisor closes follow-ups."))
        if follow_up.closed_at is not None:
            return follow_up
        follow_up.closed_at, follow_up.closed_by = at, actor
        follow_up.outcome = outcome[:MAX_COMMENT_CHARS]
        follow_up.save(update_fields=["closed_at", "closed_by", "outcome"])
        record_event(
            follow_up.case,
            SurveyEvent.FOLLOW_UP_CLOSED,
            actor=actor,
            data={"follow_up": follow_up.pk},
            at=at,
        )
    return follow_up
