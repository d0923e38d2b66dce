from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from paxcare.cases.lifecycle import Status
from paxcare.crm.models import Language
from paxcare.triage.models import Kind, Priority


class Channel(models.TextChoices):
    WEB = "web", _("web form")
    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone")
    SOCIAL = "social", _("social media")
    CHAT = "chat", _("chat")
    API = "api", _("API")
    REGULATOR = "regulator", _("regulator referral")
    SYSTEM = "system", _("PaxCare")


class Case(models.Model):
    """The unit of work: one passenger problem, from intake to closure."""

    # Unique through cases_number_unique: a constraint, not unique=True, so that
    # PostgreSQL gets no second (LIKE) index nobody queries.
    number = models.CharField(_("case number"), max_length=12)
    subject = models.CharField(_("subject"), max_length=300)
    description = models.TextField(_("description"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    external_id = models.CharField(
        _("external id"), max_length=200, null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    category = models.ForeignKey(
        "triage.Category",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("category"),
    )
    classifier_confidence = models.FloatField(null=True, blank=True)
    needs_triage = models.BooleanField(_("needs triage"), default=False)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ENGLISH
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    # Three keys below are indexed as the first column of an index in Meta
    # (cases_dupe, cases_dept_queue, cases_my_queue), not by a single-column index
    # of their own: each index more costs every insert of an import.
    passenger = models.ForeignKey(
        "crm.Passenger",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("passenger"),
        db_index=False,
    )
    booking = models.ForeignKey(
        "crm.Booking",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    booking_reference = models.CharField(
        _("booking reference"), max_length=6, blank=True
    )
    ticket_number = models.CharField(_("e-ticket number"), max_length=14, blank=True)
    airline = models.CharField(_("airline"), max_length=3, blank=True)
    flight_number = models.CharField(_("flight number"), max_length=8, blank=True)
    flight_date = models.DateField(_("flight date"), null=True, blank=True)
    airport = models.CharField(_("airport"), max_length=3, blank=True)
    department = models.ForeignKey(
        "routing.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("department"),
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        verbose_name=_("assignee"),
        db_index=False,
    )
    # Indexed by cases_duplicates, on the few cases that are duplicates.
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    content_hash = models.CharField(max_length=64, blank=True)
    # Words, CJK characters and pairs; see cases.search. Indexed on PostgreSQL
    # (cases_search_document_gin, created by a migration: SQLite has no GIN).
    search_document = models.TextField(blank=True, editable=False)
    received_at = models.DateTimeField(_("received"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["number"], name="cases_number_unique"),
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="cases_unique_external_id",
            ),
        ]
        indexes = [
            models.Index(
                fields=["department", "status", "-received_at"], name="cases_dept_queue"
            ),
            models.Index(
                fields=["assignee", "status", "-received_at"], name="cases_my_queue"
            ),
            models.Index(
                fields=["status", "-received_at"], name="cases_status_received"
            ),
            # Partial indexes hold only the rows their queries look for, so a new
            # case (not resolved, not a duplicate, usually classified) skips them.
            models.Index(
                fields=["status", "-received_at"],
                condition=models.Q(needs_triage=True),
                name="cases_triage_queue",
            ),
            models.Index(fields=["received_at"], name="cases_received"),
            # KPIs of a period count the cases resolved in it.
            models.Index(
                fields=["resolved_at"],
                condition=models.Q(resolved_at__isnull=False),
                name="cases_resolved_only",
            ),
            models.Index(
                fields=["duplicate_of"],
                condition=models.Q(duplicate_of__isnull=False),
                name="cases_duplicates",
            ),
            models.Index(fields=["passenger", "content_hash"], name="cases_dupe"),
        ]

    def __str__(self) -> str:
        return self.number


class Event(models.Model):
    """One entry of a case's timeline. Append-only: never edited, never deleted."""

    # Indexed by cases_event_timeline, which starts with it.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    # Read through the case (cases_event_timeline), never on its own.
    occurred_at = models.DateTimeField()
    type = models.CharField(max_length=40)
    # Indexed by cases_event_actor for the events people wrote (a user's deletion
    # sets them to NULL); system events, most of the table, have none.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    actor_label = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["case", "occurred_at"], name="cases_event_timeline"),
            models.Index(
                fields=["actor"],
                condition=models.Q(actor__isnull=False),
                name="cases_event_actor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} at {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Case events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Case events are append-only.")


class Message(models.Model):
    """A message to or from the passenger, or an internal note between staff."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("from passenger")
        OUTBOUND = "outbound", _("to passenger")
        INTERNAL = "internal", _("internal note")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_label = models.CharField(max_length=200, blank=True)
    external_id = models.CharField(max_length=300, null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="cases_unique_message_external_id",
            )
        ]
        indexes = [
            # Intake finds a post or mail it filed on an existing case by its id
            # (the same external id never makes a case of its own afterwards).
            models.Index(
                fields=["external_id"],
                condition=models.Q(external_id__isnull=False),
                name="cases_message_external_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.direction} message on {self.case_id}"

    @property
    def is_public(self) -> bool:
        return self.direction != self.Direction.INTERNAL


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{instance.case.number}/{instance.sha256[:16]}"


class Attachment(models.Model):
    """A file the passenger or an agent added to a case. Stored under a hashed name."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    is_public = models.BooleanField(default=True)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
