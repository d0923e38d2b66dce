"""Pages of the remedies app: the console panel's changes, the passenger's answer
to an offer, the console's remedies page and the public page of passenger rights.

Every change is a POST that calls one service and goes back to the case page; a
refused form is shown again on a page of its own with the errors beside it.
"""

from __future__ import annotations

import logging
from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from paxcare.cases.models import Case
from paxcare.cases.numbers import normalise_case_number
from paxcare.cases.services import (
    case_for_passenger,
    cases_visible_to,
    get_case_for_staff,
    may_work,
)
from paxcare.console.access import console_view
from paxcare.errors import Conflict, InvalidInput, NotFound, ServiceError
from paxcare.portal.views import SESSION_KEY
from paxcare.remedies import ledger, offers, policy, services
from paxcare.remedies.forms import (
    AcceptForm,
    CaseFactsForm,
    DeclineForm,
    OfferForm,
    PayForm,
    RejectForm,
    SegmentFormSet,
    StepForm,
)
from paxcare.remedies.models import OfferKind, OfferState
from paxcare.remedies.panels import facts_forms

logger = logging.getLogger(__name__)

# Waiting offers listed on the remedies page, oldest first; a disruption's whole
# gesture is approved from the disruption's page.
WAITING_SHOWN = 200


def _case(request: HttpRequest, number: str) -> Case:
    try:
        return get_case_for_staff(request.user, number)
    except NotFound as error:
        raise Http404 from error


def _workable(request: HttpRequest, number: str) -> Case:
    case = _case(request, number)
    if not may_work(request.user, case):
        raise PermissionDenied
    return case


def _back(case: Case) -> HttpResponse:
    return redirect(reverse("console:case", args=[case.number]) + "#remedies")


def _show_errors(form, error: InvalidInput) -> None:
    for fault in error.fields:
        field = fault.field if fault.field in form.fields else None
        form.add_error(field, fault.message)


# --- Facts ----------------------------------------------------------------------


@console_view
def facts(request: HttpRequest, number: str) -> HttpResponse:
    """Show the facts form on a page of its own (GET), or save it (POST)."""
    case = _workable(request, number)
    if request.method != "POST":
        form, formset = facts_forms(case)
        return _facts_page(request, case, form, formset)
    form = CaseFactsForm(request.POST, prefix="facts")
    formset = SegmentFormSet(request.POST, prefix="segments")
    if form.is_valid() and formset.is_valid():
        segments = [f.segment() for f in formset.filled()]
        try:
            services.save_case_facts(
                case, form.facts(segments), segments, actor=request.user
            )
        except InvalidInput as error:
            _facts_errors(form, formset, error)
        else:
            messages.success(request, _("Trip facts saved."))
            return _back(case)
    return _facts_page(request, case, form, formset, status=400)


def _facts_errors(form, formset, error: InvalidInput) -> None:
    for fault in error.fields:
        if fault.field.startswith("segments."):
            _prefix, index, name = fault.field.split(".", 2)
            filled = formset.filled()
            if int(index) < len(filled) and name in filled[int(index)].fields:
                filled[int(index)].add_error(name, fault.message)
                continue
            form.add_error(None, fault.message)
        elif fault.field in form.fields:
            form.add_error(fault.field, fault.message)
        else:
            form.add_error(None, fault.message)


def _facts_page(request, case, form, formset, status: int = 200) -> HttpResponse:
    context = {"case": case, "facts_form": form, "segment_formset": formset}
    return render(request, "remedies/facts_page.html", context, status=status)


# --- Playbook -------------------------------------------------------------------


@console_view
@require_POST
def step(request: HttpRequest, number: str, step_id: int) -> HttpResponse:
    case = _workable(request, number)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The step could not be saved."))
        return _back(case)
    try:
        if form.cleaned_data["done"]:
            services.tick_step(
                case, step_id, actor=request.user, note=form.cleaned_data["note"]
            )
        else:
            services.untick_step(case, step_id, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error.message))
    return _back(case)


# --- Offers ---------------------------------------------------------------------


@console_view
def propose(request: HttpRequest, number: str) -> HttpResponse:
    """Show the offer form on a page of its own (GET), or propose it (POST)."""
    case = _workable(request, number)
    attachments = offers.receipt_choices(case)
    form = OfferForm(request.POST or None, attachments=attachments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = offers.OfferDraft(
            kind=data["kind"],
            amount=data["amount"],
            currency=data["currency"],
            miles=data["miles"],
            expense=data["expense"],
            description=data["description"],
            regime=data["regime"],
            entitlement_code=data["entitlement_code"],
            goodwill_rule_id=data["goodwill_rule"],
            instead_of_money=data["instead_of_money"],
            receipt_ids=tuple(int(pk) for pk in data["receipts"]),
        )
        try:
            offer = offers.propose_offer(case, draft, actor=request.user)
        except InvalidInput as error:
            _show_errors(form, error)
        else:
            done = (
                _("Offer proposed: it waits for a supervisor's approval.")
                if offer.needs_approval
                else _("Offer approved and shown to the passenger.")
            )
            messages.success(request, done)
            return _back(case)
    status = 400 if form.is_bound else 200
    context = {"case": case, "offer_form": form}
    return render(request, "remedies/offer_page.html", context, status=status)


@console_view
@require_POST
def offer_action(
    request: HttpRequest, number: str, offer_id: int, action: str
) -> HttpResponse:
    case = _case(request, number)
    try:
        offer = offers.offer_for_staff(request.user, offer_id)
    except NotFound as error:
        raise Http404 from error
    if offer.case_id != case.pk:
        raise Http404
    try:
        _act(request, offer, action)
    except (Conflict, InvalidInput) as error:
        messages.error(request, _message(error))
    except ServiceError as error:
        if error.status == 403:
            raise PermissionDenied(str(error.message)) from error
        messages.error(request, str(error.message))
    return _back(case)


def _act(request: HttpRequest, offer, action: str) -> None:
    if action == "approve":
        offers.approve_offer(offer, actor=request.user)
        messages.success(request, _("Offer approved and shown to the passenger."))
    elif action == "reject":
        form = RejectForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        offers.reject_offer(offer, actor=request.user, reason=reason)
        messages.success(request, _("Offer refused."))
    elif action == "pay":
        form = PayForm(request.POST)
        reference = form.cleaned_data["reference"] if form.is_valid() else ""
        offers.mark_offer_paid(offer, actor=request.user, reference=reference)
        messages.success(request, _("Payment recorded."))
    else:
        raise Http404


def _message(error: ServiceError) -> str:
    if error.fields:
        return " ".join(str(f.message) for f in error.fields)
    return str(error.message)


@console_view
def console_home(request: HttpRequest) -> HttpResponse:
    """Offers waiting for the signed-in person's approval, and this month's ledger."""
    waiting = list(
        offers.offers_awaiting(request.user)
        .select_related("case", "proposed_by")
        .order_by("proposed_at", "pk")[:WAITING_SHOWN]
    )
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today.replace(day=1), time.min))
    rows = ledger.ledger_totals(
        cases_visible_to(request.user), ledger.LedgerFilter(start=start)
    )
    for row in rows:
        row["state_label"] = OfferState(row["state"]).label
        row["kind_label"] = OfferKind(row["kind"]).label
    context = {"waiting": waiting, "rows": rows, "since": start}
    return render(request, "remedies/console_home.html", context)


# --- Portal ---------------------------------------------------------------------


def _passenger_case(request: HttpRequest, number: str) -> Case:
    """Return a case this browser session proved to own (number and e-mail)."""
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


def _portal_back(case: Case) -> HttpResponse:
    return redirect(reverse("portal:case", args=[case.number]) + "#offers")


@require_POST
def accept(request: HttpRequest, number: str, offer_id: int) -> HttpResponse:
    case = _passenger_case(request, number)
    try:
        offer = offers.offer_for_passenger(case, offer_id)
    except NotFound as error:
        raise Http404 from error
    form = AcceptForm(request.POST)
    consent = form.is_valid() and form.cleaned_data["consent"]
    try:
        offers.accept_offer(offer, consent=consent)
    except (Conflict, InvalidInput) as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("Thank you: you accepted the offer."))
    return _portal_back(case)


@require_POST
def decline(request: HttpRequest, number: str, offer_id: int) -> HttpResponse:
    case = _passenger_case(request, number)
    try:
        offer = offers.offer_for_passenger(case, offer_id)
    except NotFound as error:
        raise Http404 from error
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        offers.decline_offer(offer, reason=reason)
    except (Conflict, InvalidInput) as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("You declined the offer. We will be in touch."))
    return _portal_back(case)


# --- Public ---------------------------------------------------------------------


def rights(request: HttpRequest) -> HttpResponse:
    """The published policy: passenger rights under each regime, and how to claim."""
    context = {"page": policy.published_policy(timezone.localdate())}
    return render(request, "remedies/rights.html", context)
