"""Alerts: what is going wrong before anyone asks, sent to the department concerned.

Three detectors compare the last WINDOW (7 days) with the BASELINE (the 28 days
before it), each by aggregate queries:

- a category spiking at one airport or on one flight: at least SPIKE_MIN_CASES
  cases in the window, at least SPIKE_RATIO times the baseline's weekly rate, and
  above its Poisson bound (expected + 3 standard deviations), so that one bad day
  on a quiet route does not page anyone; a combination with no baseline at all
  counts with an expected rate of half a case a week;
- SLA compliance falling in a department: down by at least DROP_POINTS percentage
  points, over at least MIN_OUTCOMES clock outcomes in each window;
- satisfaction (CSAT) dropping in a department: down by at least DROP_POINTS, over
  at least MIN_OUTCOMES answers in each window.

A spike counts what passengers brought: the cases proactive care opened for a
disruption PaxCare already knows of are left out (January 2013's replay opened
92,697 of them on 815 disrupted flights, which made 590 "spikes" of nothing new).
A passenger's own complaint about the same flight still counts.

An alert goes to its department: the category's department for a spike. Each is
stored once per kind, subject and day (a unique key), shown on the dashboard to
the people of that department, and mailed to the department's supervisor after
the commit: one mail per department and detection run, listing its new alerts. A
case Event would not fit: an alert is about many cases, not one.
"""

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from paxcare.cases.models import Case
from paxcare.cases.services import sees_every_case
from paxcare.disruptions.models import AffectedPassenger
from paxcare.errors import NotFound
from paxcare.insights import breakdowns
from paxcare.insights.kpis import rate_percent
from paxcare.insights.models import Alert, AlertKind
from paxcare.insights.satisfaction import SATISFIED, answered_in
from paxcare.routing.models import Department
from paxcare.routing.services import agent_profile, routes_by_category
from paxcare.triage.models import Category

logger = logging.getLogger(__name__)

WINDOW = timedelta(days=7)
BASELINE = timedelta(days=28)
SPIKE_MIN_CASES = 5
SPIKE_RATIO = 2.0
QUIET_WEEKLY_RATE = 0.5
DROP_POINTS = 0.10
MIN_OUTCOMES = 20
SPIKE_DIMENSIONS = ("airport", "flight_number")


@dataclass(frozen=True)
class Finding:
    kind: str
    department_id: int | None
    dimension: str
    value: str
    category_code: str
    observed: float
    baseline: float
    cases: int


def detect(now: datetime | None = None) -> list[Finding]:
    """Return what the detectors find for the window ending at ``now``."""
    now = now or timezone.now()
    cases = Case.objects.filter(duplicate_of__isnull=True).order_by()
    return [
        *spikes(cases, now),
        *falling_sla(cases, now),
        *dropping_satisfaction(cases, now),
    ]


def _windows(now: datetime) -> tuple[datetime, datetime]:
    window_start = now - WINDOW
    return window_start, window_start - BASELINE


def brought_by_passengers(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Leave out the cases proactive care opened for a known disruption.

    Such a case carries the disruption's link with ``opened_case`` set; a
    passenger's own case that a disruption joined keeps ``opened_case`` false and
    stays in.
    """
    opened_by_care = AffectedPassenger.objects.filter(
        case=OuterRef("pk"), opened_case=True
    )
    return cases.filter(~Exists(opened_by_care))


def spikes(cases: QuerySet[Case], now: datetime) -> list[Finding]:
    """Categories spiking at one airport or on one flight against their baseline.

    Only the cases passengers brought count (``brought_by_passengers``).
    """
    window_start, baseline_start = _windows(now)
    weeks = BASELINE / WINDOW
    departments = {cid: d.pk for cid, d in routes_by_category().items()}
    category_ids = dict(Category.objects.values_list("code", "pk"))
    found = []
    for dimension in SPIKE_DIMENSIONS:
        counts = (
            brought_by_passengers(cases)
            .filter(received_at__gte=baseline_start, received_at__lt=now)
            .exclude(**{dimension: ""})
            .values(dimension, "category__code")
            .annotate(
                recent=Count("pk", filter=Q(received_at__gte=window_start)),
                before=Count("pk", filter=Q(received_at__lt=window_start)),
            )
            .filter(recent__gte=SPIKE_MIN_CASES)
        )
        for row in counts:
            expected = max(row["before"] / weeks, QUIET_WEEKLY_RATE)
            bound = expected + 3 * math.sqrt(expected)
            recent = row["recent"]
            if recent < SPIKE_RATIO * expected or recent <= bound:
                continue
            code = row["category__code"]
            found.append(
                Finding(
                    kind=AlertKind.SPIKE,
                    department_id=departments.get(category_ids.get(code)),
                    dimension=dimension,
                    value=row[dimension],
                    category_code=code,
                    observed=float(recent),
                    baseline=round(expected, 2),
                    cases=recent,
                )
            )
    return found


def falling_sla(cases: QuerySet[Case], now: datetime) -> list[Finding]:
    """Departments whose SLA compliance fell by DROP_POINTS or more."""
    window_start, baseline_start = _windows(now)
    per_window = {}
    for name, begin, end in (
        ("recent", window_start, now),
        ("before", baseline_start, window_start),
    ):
        rows = breakdowns.compute_breakdown(
            cases, "department", begin, end, now, limit=1000
        )
        codes = dict(Department.objects.values_list("code", "pk"))
        per_window[name] = {
            codes.get(row["value"]): (
                row["sla_met"],
                row["sla_met"] + row["sla_breached"],
            )
            for row in rows
        }
    return _drops(AlertKind.SLA_FALLING, per_window)


def dropping_satisfaction(cases: QuerySet[Case], now: datetime) -> list[Finding]:
    """Departments whose CSAT dropped by DROP_POINTS or more."""
    window_start, baseline_start = _windows(now)
    per_window = {}
    for name, begin, end in (
        ("recent", window_start, now),
        ("before", baseline_start, window_start),
    ):
        rows = (
            answered_in(cases, begin, end)
            .values("department_id")
            .annotate(satisfied=Count("pk", filter=SATISFIED), responses=Count("pk"))
            .order_by()
        )
        per_window[name] = {
            row["department_id"]: (row["satisfied"], row["responses"]) for row in rows
        }
    return _drops(AlertKind.SATISFACTION_DROPPING, per_window)


def _drops(kind: str, per_window: dict) -> list[Finding]:
    found = []
    for department_id, (good, total) in per_window["recent"].items():
        before_good, before_total = per_window["before"].get(department_id, (0, 0))
        if department_id is None or min(total, before_total) < MIN_OUTCOMES:
            continue
        recent_rate, before_rate = good / total, before_good / before_total
        if before_rate - recent_rate >= DROP_POINTS:
            found.append(
                Finding(
                    kind=kind,
                    department_id=department_id,
                    dimension="department",
                    value="",
                    category_code="",
                    observed=round(recent_rate, 4),
                    baseline=round(before_rate, 4),
                    cases=total,
                )
            )
    return found


# --- Storing and sending ----------------------------------------------------------


def run_detection(now: datetime | None = None) -> list[Alert]:
    """Detect, store the new findings once a day each, and mail their departments.

    Each department's supervisor gets one mail for the run, after the commit,
    listing all of the department's new alerts.
    """
    now = now or timezone.now()
    window_start, _baseline = _windows(now)
    created = []
    for finding in detect(now):
        key = ":".join(
            (
                finding.kind,
                str(finding.department_id or ""),
                finding.dimension,
                finding.value,
                finding.category_code,
                now.date().isoformat(),
            )
        )
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    key=key[:200],
                    kind=finding.kind,
                    department_id=finding.department_id,
                    dimension=finding.dimension,
                    value=finding.value,
                    category_code=finding.category_code,
                    window_start=window_start,
                    window_end=now,
                    observed=finding.observed,
                    baseline=finding.baseline,
                    cases=finding.cases,
                    detected_at=now,
                )
        except IntegrityError:
            continue
        created.append(alert)
    if created:
        logger.info("insights: %d new alerts", len(created))
    by_department: dict[int | None, list[int]] = {}
    for alert in created:
        by_department.setdefault(alert.department_id, []).append(alert.pk)
    # One callback per department, robust: a mail that fails is logged and leaves
    # the other departments' mails to go (a plain callback that raised would stop
    # the callbacks after it).
    for ids in by_department.values():
        transaction.on_commit(lambda ids=ids: send_digests(ids), robust=True)
    return created


def describe(alert: Alert) -> str:
    """Return one sentence that says what an alert found, in the active language."""
    if alert.kind == AlertKind.SPIKE:
        category = Category.objects.filter(code=alert.category_code).first()
        where = (
            _("at airport %(value)s")
            if alert.dimension == "airport"
            else _("on flight %(value)s")
        ) % {"value": alert.value}
        return _(
            "%(category)s %(where)s: %(cases)d cases in the last 7 days, against "
            "%(baseline)s a week before."
        ) % {
            "category": category.name if category else alert.category_code,
            "where": where,
            "cases": alert.cases,
            "baseline": _number(alert.baseline),
        }
    name = alert.department.name if alert.department else "—"
    text = (
        _("%(department)s: SLA compliance fell to %(now)s from %(before)s.")
        if alert.kind == AlertKind.SLA_FALLING
        else _(
            "%(department)s: satisfaction (CSAT) dropped to %(now)s from %(before)s."
        )
    )
    return text % {
        "department": name,
        "now": _percent(alert.observed),
        "before": _percent(alert.baseline),
    }


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _percent(value: float) -> str:
    return f"{rate_percent(value)} %"


def send_digests(alert_ids: Iterable[int]) -> int:
    """Mail each department's supervisor one list of its new alerts.

    Alerts already mailed, and those of a department without a supervisor's
    address, are left alone. Return how many mails were sent.
    """
    alerts = (
        Alert.objects.select_related("department__supervisor")
        .filter(pk__in=list(alert_ids), notified_at__isnull=True)
        .exclude(department=None)
        .order_by("department_id", "kind", "-cases", "dimension", "value", "pk")
    )
    by_department: dict[int, list[Alert]] = {}
    for alert in alerts:
        by_department.setdefault(alert.department_id, []).append(alert)
    return sum(send_digest(group) for group in by_department.values())


def send_digest(alerts: list[Alert]) -> bool:
    """Mail the alerts of one department to its supervisor; return whether sent."""
    department = alerts[0].department
    supervisor = department.supervisor
    if supervisor is None or not supervisor.email:
        return False
    with translation.override(_staff_language(supervisor)):
        subject = ngettext(
            "PaxCare: %(count)d new alert for %(department)s",
            "PaxCare: %(count)d new alerts for %(department)s",
            len(alerts),
        ) % {"count": len(alerts), "department": department.name}
        lines = [f"- {alert.get_kind_display()}: {describe(alert)}" for alert in alerts]
        body = "\n".join([*lines, "", _("See the insights page of the console.")])
    send_mail(subject, body, None, [supervisor.email])
    Alert.objects.filter(pk__in=[alert.pk for alert in alerts]).update(
        notified_at=timezone.now()
    )
    logger.info(
        "insights: %d alerts mailed to department %s", len(alerts), department.code
    )
    return True


def _staff_language(user) -> str:
    profile = agent_profile(user)
    languages = list(getattr(profile, "languages", None) or [])
    return "zh-hans" if languages and str(languages[0]).startswith("zh") else "en"


def alerts_visible_to(user) -> QuerySet[Alert]:
    """Return the alerts of the departments ``user`` works in (all for overseers)."""
    alerts = Alert.objects.select_related("department")
    if sees_every_case(user):
        return alerts
    profile = agent_profile(user)
    if profile is None:
        return alerts.none()
    departments = Department.objects.filter(agents=profile)
    return alerts.filter(department__in=departments)


def acknowledge(alert_id: int, *, actor) -> Alert:
    """Mark an alert seen by someone of its department; NotFound if not theirs."""
    alert = alerts_visible_to(actor).filter(pk=alert_id).first()
    if alert is None:
        raise NotFound(_("No such alert."))
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = timezone.now(), actor
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return alert


def open_alerts(user, since: datetime | None = None) -> list[Alert]:
    """Return the unacknowledged alerts of the last WINDOW the user may see."""
    since = since or timezone.now() - WINDOW
    return list(
        alerts_visible_to(user).filter(
            acknowledged_at__isnull=True, detected_at__gte=since
        )[:20]
    )
