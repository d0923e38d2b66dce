"""The console's lists and pages that are not about one case: sign-in, queues, the
phone form and the dashboard. Each view reads a form, calls a service, renders."""

import logging
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from paxcare.accounts.forms import ConsoleLoginForm
from paxcare.cases.models import Channel
from paxcare.cases.services import cases_visible_to
from paxcare.console.access import console_view, is_auditor
from paxcare.console.forms import PeriodForm, PhoneCaseForm, QueueFilterForm
from paxcare.console.kpis import kpi_sections
from paxcare.console.queues import QUEUES, apply_filters, page_of, queue_cases
from paxcare.errors import InvalidInput
from paxcare.insights.dashboard import dashboard_extras
from paxcare.insights.presentation import insight_sections
from paxcare.insights.scoped_kpis import kpis_for
from paxcare.intake.services import open_case
from paxcare.portal.forms import show_service_errors

logger = logging.getLogger(__name__)


class LoginView(auth_views.LoginView):
    template_name = "console/login.html"
    redirect_authenticated_user = True
    authentication_form = ConsoleLoginForm

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        if form.is_throttled:
            response.status_code = 429
        return response


class LogoutView(auth_views.LogoutView):
    pass


@console_view
def queue(request: HttpRequest, queue: str = "mine") -> HttpResponse:
    form = QueueFilterForm(request.GET)
    # A bad value is named on the page and left out; the valid filters still apply.
    form.is_valid()
    filters = dict(form.cleaned_data)
    cases = apply_filters(queue_cases(request.user, queue), queue, filters)
    page = page_of(cases, request.GET.get("after"))
    context = {
        "queue": queue,
        "queue_title": QUEUES[queue],
        "queues": QUEUES,
        "form": form,
        "page": page,
        "next_query": _with_cursor(request.GET, page.next_cursor),
        "first_query": _with_cursor(request.GET, None),
        "now": timezone.now(),
    }
    status = 400 if form.errors else 200
    return render(request, "console/queue.html", context, status=status)


def _with_cursor(params: QueryDict, cursor: str | None) -> str:
    query = params.copy()
    query.pop("after", None)
    if cursor:
        query["after"] = cursor
    return query.urlencode()


@console_view
def phone_case(request: HttpRequest) -> HttpResponse:
    if is_auditor(request.user):
        raise PermissionDenied
    form = PhoneCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = open_case(form.to_draft(Channel.PHONE), actor=request.user)
        except InvalidInput as error:
            show_service_errors(form, error)
        else:
            return _after_phone_case(request, result.case, created=result.created)
    status = 400 if form.is_bound else 200
    return render(request, "console/phone.html", {"form": form}, status=status)


def _after_phone_case(request: HttpRequest, case, *, created: bool) -> HttpResponse:
    # The call may be about another department's case: then the agent stays here,
    # and learns who handles it, but not the number of a case they may not open.
    visible = cases_visible_to(request.user).filter(pk=case.pk).exists()
    if created:
        text = _("Case %(number)s opened.") % {"number": case.number}
    elif visible:
        text = _("The call was added to the passenger's existing case %(number)s.") % {
            "number": case.number
        }
    elif case.department is not None:
        text = _(
            "The call was added to the passenger's existing case, handled by "
            "%(department)s."
        ) % {"department": case.department.name}
    else:
        text = _("The call was added to the passenger's existing case.")
    messages.success(request, text)
    if visible:
        return redirect("console:case", number=case.number)
    return redirect("console:phone")


@console_view
def dashboard(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET)
    if not form.is_valid():
        # No figures for a period that cannot be: zeros would look like an answer.
        context = {"form": form, "sections": [], **dashboard_extras(request.user)}
        return render(request, "console/dashboard.html", context, status=400)
    start, end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
    kpis = kpis_for(
        request.user,
        start=_local_midnight(start),
        end=_local_midnight(end + timedelta(days=1)) if end else None,
    )
    context = {
        "form": form,
        "kpis": kpis,
        "sections": kpi_sections(kpis) + insight_sections(kpis),
        **dashboard_extras(request.user),
    }
    return render(request, "console/dashboard.html", context)


def _local_midnight(day) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))
