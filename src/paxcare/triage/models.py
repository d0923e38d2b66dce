from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What the passenger wants."""

    COMPLAINT = "complaint", _("complaint")
    CLAIM = "claim", _("claim")
    INQUIRY = "inquiry", _("inquiry")
    PRAISE = "praise", _("praise")
    SUGGESTION = "suggestion", _("suggestion")


class Priority(models.TextChoices):
    URGENT = "urgent", _("urgent")
    HIGH = "high", _("high")
    NORMAL = "normal", _("normal")
    LOW = "low", _("low")


PRIORITY_RANK = {
    Priority.URGENT: 0,
    Priority.HIGH: 1,
    Priority.NORMAL: 2,
    Priority.LOW: 3,
}


class Category(models.Model):
    """One entry of the taxonomy: what a case is about. Codes are stable identifiers."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_en = models.CharField(_("English name"), max_length=120)
    name_zh = models.CharField(_("Chinese name"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"

    @property
    def name(self) -> str:
        """Return the name in the active language."""
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en


class ClassifierVersion(models.Model):
    """A trained text model. One is active; none active means the shipped default."""

    label = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    trained_on = models.CharField(max_length=200, blank=True)
    n_examples = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict, blank=True)
    # A model archive from TextClassifier.to_bytes(): NumPy arrays and a JSON header,
    # loaded without pickle, so the bytes are data and never code.
    blob = models.BinaryField()
    is_active = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="triage_one_active_classifier",
            )
        ]

    def __str__(self) -> str:
        return self.label


class TrainingExample(models.Model):
    """A labelled text kept for the next training run, such as an agent's correction."""

    class Source(models.TextChoices):
        CORRECTION = "correction", _("agent correction")
        IMPORT = "import", _("import")

    text = models.TextField()
    category = models.CharField(max_length=60)
    kind = models.CharField(max_length=20, choices=Kind.choices, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.category}: {self.text[:40]}"
