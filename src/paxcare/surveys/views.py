"""The passenger's survey page. Opening it (GET) records nothing; only the submit does.

Mail scanners and link previews open every link in a message: the page they get is
the form, and the rating is recorded only by the passenger's POST.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from paxcare.errors import InvalidInput
from paxcare.portal.forms import show_service_errors
from paxcare.surveys.forms import SurveyForm
from paxcare.surveys.links import LinkError
from paxcare.surveys.services import answer_survey, survey_for_token

logger = logging.getLogger(__name__)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        survey = survey_for_token(token)
    except LinkError as error:
        status = 410 if error.reason == "expired" else 404
        return render(
            request, "surveys/unavailable.html", {"reason": error.reason}, status=status
        )
    if not request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        translation.activate(survey.language)
        request.LANGUAGE_CODE = survey.language
    if survey.answered_at is not None:
        status = 409 if request.method == "POST" else 200
        if request.method == "POST":
            _submit_again(request, token)
        return render(
            request, "surveys/answered.html", {"survey": survey}, status=status
        )
    return _form_page(request, token, survey)


def _form_page(request: HttpRequest, token: str, survey) -> HttpResponse:
    initial = {}
    if request.GET.get("rating") in {"1", "2", "3", "4", "5"}:
        initial["rating"] = int(request.GET["rating"])
    form = SurveyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = answer_survey(token, form.to_answer())
        except InvalidInput as error:
            show_service_errors(form, error)
        except LinkError:
            return render(request, "surveys/unavailable.html", status=410)
        else:
            if not outcome.recorded:
                # Another submission of the link won the survey's row lock after
                # this request had read the survey unanswered: this one is later.
                return render(
                    request,
                    "surveys/answered.html",
                    {"survey": outcome.survey},
                    status=409,
                )
            # Said once, to whoever answered: a later visit of the link does not
            # tell how the passenger rated us.
            if form.cleaned_data["rating"] <= 2:
                messages.info(
                    request,
                    _(
                        "We are sorry we let you down. A supervisor will look at "
                        "your case and get back to you."
                    ),
                )
            return redirect("surveys:answer", token=token)
    status = 400 if form.is_bound else 200
    context = {"form": form, "survey": survey, "case": survey.case}
    return render(request, "surveys/answer.html", context, status=status)


def _submit_again(request: HttpRequest, token: str) -> None:
    """Keep a later, different answer on the timeline; it changes nothing."""
    form = SurveyForm(request.POST)
    if form.is_valid():
        try:
            answer_survey(token, form.to_answer())
        except (InvalidInput, LinkError):
            logger.info("surveys: a second answer could not be read")
