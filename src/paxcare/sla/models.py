from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from paxcare.triage.models import Kind, Priority


class BusinessCalendar(models.Model):
    """Working hours and holidays of one office, in its own time zone.

    ``working_hours`` maps ISO weekday numbers ("1" Monday .. "7" Sunday) to lists of
    ``["09:00", "18:00"]`` intervals. ``holiday_country`` names a country of the
    ``holidays`` package ("CN" includes China's adjusted working days).
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    time_zone = models.CharField(_("time zone"), max_length=60, default="Asia/Shanghai")
    working_hours = models.JSONField(_("working hours"), default=dict)
    holiday_country = models.CharField(_("holiday country"), max_length=10, blank=True)
    extra_holidays = models.JSONField(_("extra holidays"), default=list, blank=True)
    extra_workdays = models.JSONField(_("extra working days"), default=list, blank=True)
    always_open = models.BooleanField(_("open around the clock"), default=False)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name


class SlaPolicy(models.Model):
    """Targets for the cases it matches; blank matchers match anything.

    The most specific matching policy wins: each matcher that is set counts one, and
    ``rank`` breaks ties (lower first).
    """

    name = models.CharField(_("name"), max_length=120)
    # Shown on Chinese pages; blank: the name above is shown in both languages.
    name_zh = models.CharField(_("name in Chinese"), max_length=120, blank=True)
    category = models.CharField(_("category code"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, blank=True
    )
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    first_response_minutes = models.PositiveIntegerField(_("first response (minutes)"))
    first_response_business_hours = models.BooleanField(
        _("first response counted in working hours"), default=False
    )
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"))
    resolution_business_hours = models.BooleanField(
        _("resolution counted in working hours"), default=True
    )
    warn_before_minutes = models.PositiveIntegerField(
        _("warn before breach (minutes)"), default=120
    )
    rank = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["rank", "name"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("first response")
    RESOLUTION = "resolution", _("resolution")
    # A period set by law (CAAC: answer a complaint within 10 working days), counted
    # in working days of one calendar; it does not pause while pending.
    REGULATORY = "regulatory", _("regulatory deadline")


class ClockState(models.TextChoices):
    RUNNING = "running", _("running")
    PAUSED = "paused", _("paused")
    MET = "met", _("met")
    BREACHED = "breached", _("breached")
    # A first-response clock of a case resolved without any reply to the passenger,
    # on time: no answer was given, so the target was not met, nor missed.
    CANCELLED = "cancelled", _("cancelled: resolved without a reply")


class Clock(models.Model):
    """One SLA target of one case, ticking in its calendar."""

    # Indexed by sla_one_clock_per_kind, which starts with it.
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="clocks", db_index=False
    )
    kind = models.CharField(max_length=20, choices=ClockKind.choices)
    policy = models.ForeignKey(SlaPolicy, null=True, on_delete=models.SET_NULL)
    calendar = models.ForeignKey(BusinessCalendar, null=True, on_delete=models.SET_NULL)
    business_hours = models.BooleanField(default=False)
    target_minutes = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    # Copied from the policy at start, so editing a policy never moves running clocks.
    warn_before_minutes = models.PositiveIntegerField(default=0)
    state = models.CharField(
        max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    # Wall-clock time spent paused, and the working time still to run when paused
    # (or stopped on time), in the clock's own counting: exact durations, so that a
    # pause of 97 seconds moves the due time by 97 seconds.
    paused_time = models.DurationField(default=timedelta)
    remaining_time = models.DurationField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"], name="sla_one_clock_per_kind"
            )
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="sla_clock_sweep"),
            models.Index(fields=["state", "warn_at"], name="sla_clock_warn"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def paused_minutes(self) -> int:
        """Return the whole minutes the clock spent paused."""
        return self.paused_time // timedelta(minutes=1)
