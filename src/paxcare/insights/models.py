"""What insights keeps: per-case timing facts, KPI facts and totals, alerts and
driver analyses.

``CaseTiming`` holds the few numbers of a case that need a calendar or the case's
history to compute (working-hours first response, time spent waiting), written when
the case changes, so that every KPI stays one aggregate query at a million cases.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseTiming(models.Model):
    """Timing facts of one case, kept up to date from its timeline events."""

    case = models.OneToOneField(
        "cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="timing"
    )
    # Working minutes from receipt to the first response, in the office calendar.
    first_response_business_minutes = models.PositiveIntegerField(null=True)
    # Pending on the passenger, and resolved or closed before a reopen.
    waiting_seconds = models.PositiveIntegerField(default=0)
    waiting_since = models.DateTimeField(null=True)
    # Receipt to the latest resolution, less the waiting before it.
    resolution_seconds = models.PositiveIntegerField(null=True)
    # The case's resolved_at, kept here too so that a period's resolutions are found
    # through this table's index; cleared by a reopen like the case's.
    resolved_at = models.DateTimeField(null=True, db_index=True)
    first_resolved_at = models.DateTimeField(null=True, db_index=True)
    # When the SLA clocks of the two targets were met (stopped on time); cleared when
    # a reopen restarts the resolution clock. Breaches are read from the clocks.
    first_response_met_at = models.DateTimeField(null=True, db_index=True)
    resolution_met_at = models.DateTimeField(null=True, db_index=True)
    # At the first resolution: at most one reply, and no wait on the passenger.
    resolved_on_first_contact = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("case timing")
        verbose_name_plural = _("case timing")

    def __str__(self) -> str:
        return f"facts of case {self.case_id}"


# Bucket, date and value of each median the KPIs walk to, and the index's name.
SCOPE_FIELDS = ("department_id", "assignee_id", "counted")
# The times a period is looked up by, each indexed only where it is set: a new
# case's fact has none of them, so its insert writes none of these indexes (every
# query of a period compares the time, which tells the planner it is not NULL).
DATED_FIELDS = (
    ("resolved_at", "insights_fact_resolved"),
    ("timed_resolved_at", "insights_fact_timed"),
    ("first_resolved_at", "insights_fact_first_res"),
    ("first_response_met_at", "insights_fact_fr_met"),
    ("resolution_met_at", "insights_fact_res_met"),
    ("first_response_breached_at", "insights_fact_fr_breach"),
    ("resolution_breached_at", "insights_fact_res_breach"),
    ("regulatory_breached_at", "insights_fact_reg_breach"),
    ("invited_at", "insights_fact_invited"),
    ("answered_at", "insights_fact_answered"),
)
MEDIAN_INDEXES = (
    ("first_response_bucket", "received_at", "first_response_us", "insights_fact_fr"),
    ("resolution_bucket", "resolved_at", "resolution_us", "insights_fact_res"),
    ("airline_bucket", "timed_resolved_at", "airline_seconds", "insights_fact_air"),
)


class CaseFact(models.Model):
    """The few fields of one case that the volume KPIs read, as last counted.

    A narrow copy of the case (``rollups.py`` keeps it from the ``events_recorded``
    signal), so that a period's figures scan a few dozen bytes a case instead of the
    wide cases table, and so that ``KpiCount`` can be corrected by the difference
    between what a case counted before a change and what it counts after.
    """

    case = models.OneToOneField(
        "cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    # False for a case merged into another: it counts in no figure.
    counted = models.BooleanField(default=True)
    department_id = models.IntegerField(null=True)
    assignee_id = models.IntegerField(null=True)
    received_at = models.DateTimeField(db_index=True)
    category_code = models.CharField(max_length=60, blank=True)
    channel = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    airline = models.CharField(max_length=3, blank=True)
    airport = models.CharField(max_length=3, blank=True)
    flight_number = models.CharField(max_length=8, blank=True)
    # Receipt to first response and to resolution, in microseconds (exact), and the
    # histogram bucket of its whole minutes that the median walk uses (rollups.py).
    first_response_us = models.BigIntegerField(null=True)
    first_response_bucket = models.IntegerField(null=True)
    resolved_at = models.DateTimeField(null=True)
    resolution_us = models.BigIntegerField(null=True)
    resolution_bucket = models.IntegerField(null=True)
    # From CaseTiming: working minutes to the first response; resolution time with
    # the airline (seconds, and its bucket) dated by CaseTiming.resolved_at; the
    # first resolution and what it was; when the SLA targets were met.
    business_minutes = models.IntegerField(null=True)
    timed_resolved_at = models.DateTimeField(null=True)
    airline_seconds = models.IntegerField(null=True)
    airline_bucket = models.IntegerField(null=True)
    first_resolved_at = models.DateTimeField(null=True)
    reopened = models.BooleanField(default=False)
    first_contact = models.BooleanField(default=False)
    first_response_met_at = models.DateTimeField(null=True)
    resolution_met_at = models.DateTimeField(null=True)
    # The due time of each SLA clock marked breached (its breach time).
    first_response_breached_at = models.DateTimeField(null=True)
    resolution_breached_at = models.DateTimeField(null=True)
    regulatory_breached_at = models.DateTimeField(null=True)
    # The survey: sent, answered (with a rating) and its answers.
    invited_at = models.DateTimeField(null=True)
    answered_at = models.DateTimeField(null=True)
    rating = models.SmallIntegerField(null=True)
    recommend = models.SmallIntegerField(null=True)

    class Meta:
        verbose_name = _("case KPI facts")
        verbose_name_plural = _("case KPI facts")
        indexes = [
            models.Index(fields=["status", "received_at"], name="insights_fact_status"),
            # An agent's own cases, and whether any lie outside their departments.
            models.Index(
                fields=["assignee_id", "department_id", "counted"],
                name="insights_fact_assignee",
            ),
            # The exact middle values of a median inside its histogram bucket
            # (scoped_kpis): the bucket, the period, then what the scope and the
            # median read, so that the index answers without the table.
            *(
                models.Index(
                    fields=[*keys, *SCOPE_FIELDS],
                    condition=models.Q(**{f"{keys[0]}__isnull": False}),
                    name=name,
                )
                for *keys, name in MEDIAN_INDEXES
            ),
            *(
                models.Index(
                    fields=[field],
                    condition=models.Q(**{f"{field}__isnull": False}),
                    name=name,
                )
                for field, name in DATED_FIELDS
            ),
        ]

    def __str__(self) -> str:
        return f"KPI facts of case {self.case_id}"


class KpiCount(models.Model):
    """A change of one count of one department (``rollups.py``), on one day.

    Rows are only ever added (a case change adds +1 and -1 rows, so concurrent
    writers never wait on one another); ``compact`` folds them into one row per
    key. A count is the sum of ``n`` over its key; an all-time count sums its days.
    """

    # 0: cases without a department.
    department = models.IntegerField()
    measure = models.CharField(max_length=40)
    value = models.CharField(max_length=80, blank=True)
    # The local day (``TIME_ZONE``) of the date the count is dated by (receipt,
    # resolution, survey answer, ...); None for the histograms and top-problem
    # pairs, which are kept for all time only.
    day = models.DateField(null=True)
    n = models.BigIntegerField()

    class Meta:
        verbose_name = _("KPI count")
        verbose_name_plural = _("KPI counts")
        indexes = [
            models.Index(
                fields=["department", "measure", "day"], name="insights_count_day_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.measure} {self.value}: {self.n}"


class KpiRollupState(models.Model):
    """That the KPI facts and counts were built from every case (one row)."""

    built_at = models.DateTimeField()
    cases = models.BigIntegerField()
    # The time zone whose days the counts were built in: another one needs a
    # rebuild (``rollups.is_ready``).
    time_zone = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("KPI roll-up state")
        verbose_name_plural = _("KPI roll-up state")

    def __str__(self) -> str:
        return f"built {self.built_at:%Y-%m-%d %H:%M} over {self.cases} cases"


class AlertKind(models.TextChoices):
    SPIKE = "spike", _("category spike")
    SLA_FALLING = "sla_falling", _("SLA compliance falling")
    SATISFACTION_DROPPING = "satisfaction_dropping", _("satisfaction dropping")


class Alert(models.Model):
    """Something going wrong, found by the detector and sent to a department."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices)
    department = models.ForeignKey(
        "routing.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("department"),
    )
    dimension = models.CharField(max_length=20, blank=True)
    value = models.CharField(max_length=20, blank=True)
    category_code = models.CharField(max_length=60, blank=True)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    observed = models.FloatField()
    baseline = models.FloatField()
    cases = models.PositiveIntegerField(default=0)
    detected_at = models.DateTimeField(db_index=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-detected_at", "-id"]

    def __str__(self) -> str:
        return self.key


class DriverAnalysis(models.Model):
    """The result of one driver analysis of survey answers an airline loaded."""

    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_name = models.CharField(_("file"), max_length=255)
    rows = models.PositiveIntegerField(_("answers used"))
    method = models.CharField(_("method"), max_length=60)
    result = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("driver analysis")
        verbose_name_plural = _("driver analyses")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source_name} ({self.rows})"
