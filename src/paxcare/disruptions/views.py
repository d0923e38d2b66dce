"""The console's disruption pages: the list, one disruption, and acting on all of it.

Each view reads a form, calls one service and renders or redirects. A disruption
the user may not see answers 404, like a case; an action by someone who is not a
supervisor answers 403.
"""

import logging
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from paxcare.console.access import console_view
from paxcare.disruptions.access import disruptions_visible_to, may_act_on_all
from paxcare.disruptions.actions import (
    approve_goodwill,
    close_rebooked_and_satisfied,
    give_goodwill,
    message_everyone,
    refuse_goodwill,
)
from paxcare.disruptions.forms import (
    CloseForm,
    GoodwillDecisionForm,
    GoodwillForm,
    MessageAllForm,
)
from paxcare.disruptions.models import Disruption, DisruptionKind
from paxcare.disruptions.public import public_view
from paxcare.disruptions.summary import affected_rows, summarise
from paxcare.errors import InvalidInput, ServiceError
from paxcare.portal.forms import show_service_errors

logger = logging.getLogger(__name__)

LIST_SIZE = 100
ROWS_SHOWN = 500


def _disruption(request: HttpRequest, pk: int) -> Disruption:
    found = (
        disruptions_visible_to(request.user)
        .select_related("flight")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _supervised(request: HttpRequest, pk: int) -> Disruption:
    disruption = _disruption(request, pk)
    if not may_act_on_all(request.user):
        raise PermissionDenied
    return disruption


@console_view
def disruption_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    found = (
        disruptions_visible_to(request.user)
        .select_related("flight")
        .annotate(passengers=Count("affected"))
    )
    if kind in DisruptionKind.values:
        found = found.filter(kind=kind)
    rows = list(found.order_by("-updated_at", "-pk")[:LIST_SIZE])
    context = {"rows": rows, "kinds": DisruptionKind.choices, "kind": kind}
    return render(request, "disruptions/console_list.html", context)


@console_view
def disruption_page(request: HttpRequest, pk: int, **bound) -> HttpResponse:
    disruption = _disruption(request, pk)
    rows = list(affected_rows(disruption, request.user)[: ROWS_SHOWN + 1])
    context = {
        "disruption": disruption,
        "flight": disruption.flight,
        "public": public_view(disruption),
        "summary": summarise(disruption),
        "rows": rows[:ROWS_SHOWN],
        "more_rows": len(rows) > ROWS_SHOWN,
        "revisions": disruption.revisions.order_by("-version"),
        "may_act": may_act_on_all(request.user),
        "message_form": bound.get("message_form") or MessageAllForm(),
        "goodwill_form": bound.get("goodwill_form") or GoodwillForm(),
        "close_form": bound.get("close_form") or CloseForm(),
    }
    status = 400 if bound else 200
    return render(request, "disruptions/console_page.html", context, status=status)


@console_view
@require_POST
def message_all(request: HttpRequest, pk: int) -> HttpResponse:
    disruption = _supervised(request, pk)
    form = MessageAllForm(request.POST)
    if not form.is_valid():
        return disruption_page(request, pk, message_form=form)
    try:
        report = message_everyone(
            disruption, form.cleaned_data["body"], actor=request.user
        )
    except InvalidInput as error:
        form.add_error("body", "; ".join(str(f.message) for f in error.fields))
        return disruption_page(request, pk, message_form=form)
    left_out = ngettext(
        "%(skipped)d case left out", "%(skipped)d cases left out", report.skipped
    ) % {"skipped": report.skipped}
    sent = ngettext(
        "Message sent to %(done)d passenger; %(left_out)s.",
        "Message sent to %(done)d passengers; %(left_out)s.",
        report.done,
    )
    messages.success(request, sent % {"done": report.done, "left_out": left_out})
    return redirect("disruptions:console_page", pk=pk)


@console_view
@require_POST
def goodwill(request: HttpRequest, pk: int) -> HttpResponse:
    disruption = _supervised(request, pk)
    form = GoodwillForm(request.POST)
    if not form.is_valid():
        return disruption_page(request, pk, goodwill_form=form)
    data = form.cleaned_data
    try:
        report = give_goodwill(
            disruption,
            amount=data["amount"],
            currency=data["currency"],
            form=data["form"],
            reference=str(data["reference"]),
            actor=request.user,
        )
    except InvalidInput as error:
        show_service_errors(form, error)
        return disruption_page(request, pk, goodwill_form=form)
    messages.success(
        request,
        _(
            "Goodwill: %(offered)d offered to passengers, %(waiting)d waiting for "
            "approval, %(skipped)d skipped (%(already)d had it already, "
            "%(left_out)d not yours to work)."
        )
        % {
            "offered": report.offered,
            "waiting": report.waiting,
            "skipped": report.skipped,
            "already": report.already,
            "left_out": report.left_out,
        },
    )
    return redirect("disruptions:console_page", pk=pk)


@console_view
@require_POST
def goodwill_decision(
    request: HttpRequest, pk: int, reference: UUID, decision: str
) -> HttpResponse:
    """Approve or refuse, in one decision, a gesture's offers waiting for approval."""
    if decision not in ("approve", "refuse"):
        raise Http404
    disruption = _supervised(request, pk)
    reference = str(reference)
    form = GoodwillDecisionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if decision == "approve":
            done = approve_goodwill(disruption, reference, actor=request.user)
            text = _(
                "%(done)d offers approved and shown to the passengers; %(skipped)d "
                "left as they were, %(expired)d expired."
            )
        else:
            done = refuse_goodwill(
                disruption, reference, actor=request.user, reason=reason
            )
            text = _(
                "%(done)d offers refused; %(skipped)d left as they were, "
                "%(expired)d expired."
            )
    except ServiceError as error:
        messages.error(request, str(error.message))
        return redirect("disruptions:console_page", pk=pk)
    messages.success(
        request,
        text
        % {"done": len(done.done), "skipped": done.skipped, "expired": done.expired},
    )
    return redirect("disruptions:console_page", pk=pk)


@console_view
@require_POST
def close_satisfied(request: HttpRequest, pk: int) -> HttpResponse:
    disruption = _supervised(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return disruption_page(request, pk, close_form=form)
    report = close_rebooked_and_satisfied(disruption, actor=request.user)
    messages.success(
        request,
        _(
            "%(done)d cases closed; %(skipped)d left out; %(blocked)d wait for "
            "required playbook steps."
        )
        % {"done": report.done, "skipped": report.skipped, "blocked": report.blocked},
    )
    return redirect("disruptions:console_page", pk=pk)
