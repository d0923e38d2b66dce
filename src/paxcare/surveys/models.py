"""Satisfaction surveys: one per resolved case, its answer, and service recovery."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from paxcare.crm.models import Language

LOW_RATING = 2


class SurveyReason(models.Model):
    """A reason a passenger can pick for their rating; administrators edit the list."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    label_en = models.CharField(_("English label"), max_length=120)
    label_zh = models.CharField(_("Chinese label"), max_length=120)
    rank = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = _("survey reason")
        verbose_name_plural = _("survey reasons")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return (
            self.label_zh if (get_language() or "").startswith("zh") else self.label_en
        )


class SurveySource(models.TextChoices):
    INVITATION = "invitation", _("invitation after resolution")
    IMPORT = "import", _("imported history")


class Survey(models.Model):
    """The satisfaction survey of one case. The first answer stands."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="survey"
    )
    # Part of the signed link: a new nonce makes every earlier link of it invalid.
    nonce = models.CharField(max_length=32)
    source = models.CharField(
        max_length=20, choices=SurveySource.choices, default=SurveySource.INVITATION
    )
    language = models.CharField(
        max_length=10, choices=Language.choices, default=Language.ENGLISH
    )
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    invited_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True, db_index=True)
    rating = models.PositiveSmallIntegerField(_("satisfaction"), null=True)
    recommend = models.PositiveSmallIntegerField(
        _("likelihood to recommend"), null=True
    )
    reason = models.ForeignKey(
        SurveyReason,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reason"),
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True)
                | models.Q(rating__gte=1, rating__lte=5),
                name="surveys_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(recommend__isnull=True)
                | models.Q(recommend__gte=0, recommend__lte=10),
                name="surveys_recommend_0_to_10",
            ),
        ]

    def __str__(self) -> str:
        return f"survey of case {self.case_id}"


class FollowUp(models.Model):
    """Service recovery: a low rating becomes a task for the department's supervisor."""

    survey = models.OneToOneField(
        Survey, on_delete=models.CASCADE, related_name="follow_up"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        "routing.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_follow_ups",
    )
    opened_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.TextField(_("what was done"), blank=True)

    class Meta:
        ordering = ["closed_at", "-opened_at"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"follow-up of case {self.case_id}"
