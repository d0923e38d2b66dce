"""The console's case page and the changes an agent makes on it.

Every change is a POST that calls one service and redirects back to the page; a
refused change renders the page again with the error next to the form that caused it.
"""

import logging
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from paxcare.cases.downloads import attachment_response
from paxcare.cases.lifecycle import Status
from paxcare.cases.models import Case
from paxcare.cases.services import (
    add_note,
    attachment_for_staff,
    case_files,
    cases_visible_to,
    change_category,
    change_priority,
    change_status,
    get_case_for_staff,
    may_work,
    reply_to_passenger,
)
from paxcare.console.access import console_view, may_reassign_to_anyone
from paxcare.console.forms import (
    AssigneeForm,
    CategoryForm,
    NoteForm,
    PriorityForm,
    ReplyForm,
    StatusForm,
)
from paxcare.console.timeline import staff_timeline
from paxcare.errors import Conflict, InvalidInput, NotFound
from paxcare.portal.forms import show_service_errors
from paxcare.routing.models import Department
from paxcare.routing.services import assignable_agents, may_assign, reassign_case
from paxcare.sla.services import clock_summary

logger = logging.getLogger(__name__)


def _case(request: HttpRequest, number: str) -> Case:
    try:
        return get_case_for_staff(request.user, number)
    except NotFound as error:
        raise Http404 from error


def _workable_case(request: HttpRequest, number: str) -> Case:
    case = _case(request, number)
    if not may_work(request.user, case):
        raise PermissionDenied
    return case


def _agents_for(case: Case):
    if case.department_id is not None:
        return assignable_agents([case.department_id])
    return assignable_agents(list(Department.objects.values_list("pk", flat=True)))


def _render(request, case: Case, status: int = 200, **bound) -> HttpResponse:
    can_work = may_work(request.user, case)
    forms_ = {
        "reply_form": ReplyForm(),
        "note_form": NoteForm(),
        "category_form": CategoryForm(
            initial={"category": case.category.code, "kind": case.kind}
        ),
        "priority_form": PriorityForm(initial={"priority": case.priority}),
        "status_form": StatusForm(initial={"status": case.status}),
        "assignee_form": AssigneeForm(
            initial={"assignee": case.assignee_id}, agents=_agents_for(case)
        ),
    }
    forms_.update(bound)
    context = {
        "case": case,
        "case_files": case_files(case),
        "timeline": staff_timeline(case),
        "clocks": clock_summary(case),
        "can_work": can_work,
        "can_reassign": can_work and may_reassign_to_anyone(request.user),
        "can_take": can_work and case.assignee_id is None,
        **forms_,
    }
    return render(request, "console/case.html", context, status=status)


@console_view
def case_page(request: HttpRequest, number: str) -> HttpResponse:
    return _render(request, _case(request, number))


@console_view
def attachment(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    """Download a file of a case the agent sees; 404 for any other."""
    try:
        found = attachment_for_staff(request.user, number, attachment_id)
        return attachment_response(found)
    except NotFound as error:
        raise Http404 from error


def _change(
    request: HttpRequest,
    case: Case,
    name: str,
    form: forms.Form,
    action: Callable[[forms.Form], object],
    done: str,
) -> HttpResponse:
    """Run one change from a bound form; on success go back to the case page."""
    status = 400
    if form.is_valid():
        try:
            action(form)
        except InvalidInput as error:
            show_service_errors(form, error)
        except Conflict as error:
            form.add_error(None, _conflict_message(error, case, form))
            status = 409
        else:
            messages.success(request, done)
            return _back_to(request, case)
    return _render(request, case, status=status, **{name: form})


def _back_to(request: HttpRequest, case: Case) -> HttpResponse:
    # A new category can move the case to a department the agent does not see.
    if cases_visible_to(request.user).filter(pk=case.pk).exists():
        return redirect("console:case", number=case.number)
    return redirect("console:queue")


def _conflict_message(error: Conflict, case: Case, form: forms.Form) -> str:
    target = form.cleaned_data.get("status") or form.cleaned_data.get("new_status")
    if error.code == "invalid_transition" and target:
        return _("A case cannot go from %(old)s to %(new)s.") % {
            "old": Status(case.status).label,
            "new": Status(target).label,
        }
    return str(error.message)


@console_view
@require_POST
def reply(request: HttpRequest, number: str) -> HttpResponse:
    case = _workable_case(request, number)

    def send(form):
        data = form.cleaned_data
        reply_to_passenger(
            case,
            data["body"],
            actor=request.user,
            new_status=data["new_status"] or None,
            files=data["attachments"],
        )

    form = ReplyForm(request.POST, request.FILES)
    return _change(request, case, "reply_form", form, send, _("Reply sent."))


@console_view
@require_POST
def note(request: HttpRequest, number: str) -> HttpResponse:
    case = _workable_case(request, number)

    def write(form):
        add_note(case, form.cleaned_data["body"], actor=request.user)

    form = NoteForm(request.POST)
    return _change(request, case, "note_form", form, write, _("Note added."))


@console_view
@require_POST
def category(request: HttpRequest, number: str) -> HttpResponse:
    case = _workable_case(request, number)

    def correct(form):
        data = form.cleaned_data
        change_category(case, data["category"], actor=request.user, kind=data["kind"])

    form = CategoryForm(request.POST)
    return _change(request, case, "category_form", form, correct, _("Category saved."))


@console_view
@require_POST
def priority(request: HttpRequest, number: str) -> HttpResponse:
    case = _workable_case(request, number)

    def set_priority(form):
        change_priority(case, form.cleaned_data["priority"], actor=request.user)

    form = PriorityForm(request.POST)
    return _change(
        request, case, "priority_form", form, set_priority, _("Priority saved.")
    )


@console_view
@require_POST
def status(request: HttpRequest, number: str) -> HttpResponse:
    case = _workable_case(request, number)

    def move(form):
        change_status(case, form.cleaned_data["status"], actor=request.user)

    form = StatusForm(request.POST)
    return _change(request, case, "status_form", form, move, _("Status saved."))


@console_view
@require_POST
def assignee(request: HttpRequest, number: str) -> HttpResponse:
    case = _workable_case(request, number)
    form = AssigneeForm(request.POST, agents=_agents_for(case))
    if form.is_valid() and not may_assign(
        request.user, case, form.cleaned_data["assignee"]
    ):
        raise PermissionDenied

    def give(form):
        reassign_case(case, form.cleaned_data["assignee"], actor=request.user)

    return _change(request, case, "assignee_form", form, give, _("Assignee saved."))
