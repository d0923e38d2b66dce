"""The public disruption pages and the claim form. No sign-in, no passenger data.

The claim form is how a passenger of a disrupted flight reaches the case PaxCare
already opened for them: their booking reference and e-mail find it, and their
words are added to it; anyone else gets a new case, like any web complaint.
"""

import logging
from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from paxcare.crm.models import Language
from paxcare.disruptions.claims import file_claim
from paxcare.disruptions.forms import ClaimForm
from paxcare.disruptions.public import (
    PAGE_SIZE,
    find_disruption,
    public_view,
    recent_disruptions,
)
from paxcare.errors import InvalidInput
from paxcare.portal import ratelimit
from paxcare.portal.forms import show_service_errors

logger = logging.getLogger(__name__)

# A claim is filed rarely; 10 in 10 minutes per address stops a script, not a family.
CLAIM_LIMIT = 10
CLAIM_WINDOW_SECONDS = 10 * 60


def _language() -> str:
    return Language.CHINESE if (get_language() or "").startswith("zh") else "en"


def public_list(request: HttpRequest) -> HttpResponse:
    on = _day(request.GET.get("date", ""))
    rows = [public_view(d) for d in recent_disruptions(on=on)[:PAGE_SIZE]]
    context = {"rows": rows, "on": on, "feed_language": _language()}
    return render(request, "disruptions/public_list.html", context)


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def public_detail(request: HttpRequest, key: str) -> HttpResponse:
    disruption = find_disruption(key)
    if disruption is None:
        raise Http404
    context = {
        "entry": public_view(disruption),
        "feed_language": _language(),
        "form": ClaimForm(),
    }
    return render(request, "disruptions/public_detail.html", context)


def claim(request: HttpRequest, key: str) -> HttpResponse:
    disruption = find_disruption(key)
    if disruption is None:
        raise Http404
    entry = public_view(disruption)
    form = ClaimForm(request.POST or None)
    context = {"entry": entry, "form": form, "feed_language": _language()}
    if request.method != "POST":
        return render(request, "disruptions/claim.html", context)
    if not ratelimit.allow(request, "claim", CLAIM_LIMIT, CLAIM_WINDOW_SECONDS):
        logger.warning("disruptions: claim rate limit reached")
        context["rate_limited"] = True
        return render(request, "disruptions/claim.html", context, status=429)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case, joined = file_claim(
                disruption.flight,
                booking_reference=data["booking_reference"],
                email=data["email"],
                message=data["message"],
                language=_language(),
            )
        except InvalidInput as error:
            show_service_errors(form, error)
        else:
            context.update(case=case, joined=joined)
            return render(request, "disruptions/claim_filed.html", context)
    return render(request, "disruptions/claim.html", context, status=400)
