from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """A unit of the care organisation that owns cases of some categories."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_en = models.CharField(_("English name"), max_length=120)
    name_zh = models.CharField(_("Chinese name"), max_length=120)
    calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("business calendar"),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_departments",
        verbose_name=_("supervisor"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en


class Role(models.TextChoices):
    AGENT = "agent", _("care agent")
    SUPERVISOR = "supervisor", _("supervisor")
    AUDITOR = "auditor", _("quality auditor / analyst")
    ADMIN = "admin", _("administrator")


class Agent(models.Model):
    """A staff member's working profile: role, departments, skills, limits."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.AGENT
    )
    departments = models.ManyToManyField(
        Department, blank=True, related_name="agents", verbose_name=_("departments")
    )
    sees_all_departments = models.BooleanField(
        _("sees every department's cases"), default=False
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    approval_limit = models.DecimalField(
        _("approval limit"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    approval_currency = models.CharField(
        _("approval currency"), max_length=3, default="CNY"
    )
    is_available = models.BooleanField(_("available for new cases"), default=True)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class CategoryRoute(models.Model):
    """Which department owns cases of a category."""

    category = models.OneToOneField(
        "triage.Category", on_delete=models.CASCADE, related_name="route"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("category route")
        verbose_name_plural = _("category routes")

    def __str__(self) -> str:
        return f"{self.category.code} -> {self.department.code}"


class Reservation(models.Model):
    """Cases a batch is about to give an agent, counted in the agent's load.

    A batch that assigns many cases decides its assignees in a short transaction
    of its own and records them here; the transaction that writes its cases
    deletes these rows, so that whoever reads the loads sees either the
    reservation or the cases, never both, never neither (``routing.services``).
    """

    token = models.UUIDField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    cases = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("agent reservation")
        verbose_name_plural = _("agent reservations")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.cases}"
