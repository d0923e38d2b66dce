"""The passengers' pages: file a case, track it, reply. No sign-in.

A passenger proves a case is theirs with its number and their e-mail; the session
then remembers the case so that replying and reloading need neither again.
"""

import logging
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from paxcare.cases.downloads import attachment_response
from paxcare.cases.models import Case, Channel
from paxcare.cases.numbers import normalise_case_number
from paxcare.cases.services import (
    add_passenger_message,
    attachment_for_passenger,
    case_files,
    case_for_passenger,
    public_timeline,
)
from paxcare.errors import InvalidInput, NotFound
from paxcare.portal import ratelimit
from paxcare.portal.forms import (
    ComplaintForm,
    PassengerReplyForm,
    TrackForm,
    show_service_errors,
)
from paxcare.portal.services import file_case, opening_words

logger = logging.getLogger(__name__)

SESSION_KEY = "portal_cases"
# A session remembers the last few cases its passenger opened or looked up.
SESSION_MAX_CASES = 20


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"track_form": TrackForm()})


def file_complaint(request: HttpRequest) -> HttpResponse:
    form = ComplaintForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = file_case(
                form.to_draft(Channel.WEB), form.cleaned_data["attachments"]
            )
        except InvalidInput as error:
            show_service_errors(form, error)
        else:
            _remember(request, case, form.cleaned_data["email"])
            return redirect("portal:filed", number=case.number)
    status = 400 if form.is_bound else 200
    return render(request, "portal/file.html", {"form": form}, status=status)


def filed(request: HttpRequest, number: str) -> HttpResponse:
    case = _remembered_case(request, number)
    return render(request, "portal/filed.html", {"case": case})


def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(
        request.POST or None, initial={"number": request.GET.get("number", "")}
    )
    if request.method != "POST":
        return render(request, "portal/track.html", {"form": form})
    if not ratelimit.allow_tracking(request):
        logger.warning("portal: tracking rate limit reached")
        context = {"form": form, "rate_limited": True}
        return render(request, "portal/track.html", context, status=429)
    case = None
    if form.is_valid():
        case = case_for_passenger(
            form.cleaned_data["number"], form.cleaned_data["email"]
        )
    if case is None:
        # One answer for a wrong number and for someone else's case alike.
        context = {"form": form, "not_found": form.is_valid()}
        return render(
            request,
            "portal/track.html",
            context,
            status=404 if form.is_valid() else 400,
        )
    _remember(request, case, form.cleaned_data["email"])
    return redirect("portal:case", number=case.number)


def case_page(request: HttpRequest, number: str) -> HttpResponse:
    try:
        case = _remembered_case(request, number)
    except Http404:
        query = urlencode({"number": number[:20]})
        return redirect(reverse("portal:track") + "?" + query)
    return _render_case(request, case, PassengerReplyForm())


@require_POST
def reply(request: HttpRequest, number: str) -> HttpResponse:
    case = _remembered_case(request, number)
    form = PassengerReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            add_passenger_message(
                case,
                form.cleaned_data["body"],
                channel=Channel.WEB,
                files=form.cleaned_data["attachments"],
            )
        except InvalidInput as error:
            show_service_errors(form, error)
        else:
            return redirect(reverse("portal:case", args=[case.number]) + "#latest")
    return _render_case(request, case, form, status=400)


def attachment(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    """Download a file of a case this session has proved to own; 404 for any other."""
    case = _remembered_case(request, number)
    found = attachment_for_passenger(case, attachment_id)
    if found is None:
        raise Http404
    try:
        return attachment_response(found)
    except NotFound as error:
        raise Http404 from error


def _render_case(request, case: Case, form, status: int = 200) -> HttpResponse:
    context = {
        "case": case,
        "case_files": case_files(case),
        # A case PaxCare opened: what the passenger was told, not staff's note.
        "opening": opening_words(case),
        "timeline": public_timeline(case),
        "form": form,
    }
    return render(request, "portal/case.html", context, status=status)


def _remember(request: HttpRequest, case: Case, email: str) -> None:
    """Keep the proof (number and e-mail) in the session, newest first."""
    kept = [
        pair for pair in request.session.get(SESSION_KEY, []) if pair[0] != case.number
    ]
    request.session[SESSION_KEY] = [[case.number, email], *kept][:SESSION_MAX_CASES]


def _remembered_case(request: HttpRequest, number: str) -> Case:
    """Return a case this session has proved to own; 404 for any other."""
    canonical = normalise_case_number(number)
    proofs = dict(request.session.get(SESSION_KEY, []))
    case = (
        case_for_passenger(canonical, proofs[canonical])
        if canonical in proofs
        else None
    )
    if case is None:
        raise Http404
    return case
