"""What comms keeps: templates, the notifications owed, inbound mail, bad addresses."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from paxcare.crm.models import Language


class Purpose(models.TextChoices):
    """The moments of a case at which someone is owed a notification."""

    ACKNOWLEDGEMENT = "acknowledgement", _("acknowledgement")
    REPLY = "reply", _("agent's reply")
    INFO_REQUEST = "info_request", _("request for information")
    RESULT = "result", _("result")
    SURVEY = "survey", _("survey invitation")
    OFFER = "offer", _("remedy offer")
    APPROVAL_REQUEST = "approval_request", _("approval request (to a supervisor)")
    DISRUPTION = "disruption", _("disruption care message")


class Template(models.Model):
    """The words of one notification in one language, in Django template syntax."""

    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("e-mail text"))
    short_text = models.CharField(
        _("short text (SMS, messaging)"), max_length=500, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        ordering = ["purpose", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "language"], name="comms_one_template_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.get_language_display()})"


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS or messaging")


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    RETRYING = "retrying", _("waiting to retry")
    SENT = "sent", _("sent")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")
    SUPPRESSED = "suppressed", _("not sent: address blocked")


# A claim older than this is taken to belong to a worker that died mid-send.
STALE_CLAIM_MINUTES = 15

RETRYABLE = (NotificationStatus.QUEUED, NotificationStatus.RETRYING)


class Notification(models.Model):
    """One notification owed to one recipient on one channel for one case moment.

    ``(case, purpose, key, channel)`` is unique: announcing the same moment twice
    finds the row that exists, and a send task that runs twice finds it claimed or
    sent. The words are rendered when it is sent and kept on the row.
    """

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="notifications"
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    key = models.CharField(max_length=120, blank=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=NotificationChannel.choices
    )
    recipient = models.CharField(_("recipient"), max_length=254)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices)
    context = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    message = models.ForeignKey(
        "cases.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    # Our Message-ID header ("<…@…>"); null for SMS. A full unique index (not a
    # partial one) so that any IN list of ids can use it.
    mail_id = models.CharField(max_length=250, null=True, blank=True, unique=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.QUEUED,
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    # The gateway's or mail provider's id of what was sent; a provider's reports
    # (``paxcare.comms.providers``) are matched by it.
    provider_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("queued"))
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "purpose", "key", "channel"],
                name="comms_one_notification_per_moment",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="comms_notif_due"),
            models.Index(fields=["claim"], name="comms_notif_claim"),
            models.Index(fields=["provider_id"], name="comms_notif_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} by {self.channel} for case {self.case_id}"


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("received, not yet filed")
    FILED = "filed", _("filed on a case")
    DUPLICATE = "duplicate", _("delivered before")
    IGNORED = "ignored", _("ignored (automatic or our own)")
    BOUNCE = "bounce", _("delivery report")
    RATE_LIMITED = "rate_limited", _("over the sender's limit")
    FAILED = "failed", _("could not be filed")


def raw_mail_path(instance: "InboundMail", filename: str) -> str:
    return f"mail/inbound/{instance.received_at:%Y/%m/%d}/{instance.sha256}.eml"


class InboundMail(models.Model):
    """One received message, its original bytes kept whatever became of it."""

    raw = models.FileField(upload_to=raw_mail_path, max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    size_bytes = models.PositiveIntegerField()
    source = models.CharField(max_length=60, default="pipe")
    # The Message-ID header as received ("<…@…>"); null when there was none.
    mail_id = models.CharField(max_length=250, null=True, blank=True, unique=True)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(_("received"))
    status = models.CharField(
        _("status"),
        max_length=15,
        choices=InboundStatus.choices,
        default=InboundStatus.RECEIVED,
    )
    reason = models.CharField(max_length=200, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_mails",
    )
    message = models.ForeignKey(
        "cases.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_mails",
    )
    html = models.TextField(_("sanitised HTML"), blank=True)
    dropped = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("inbound mail")
        verbose_name_plural = _("inbound mail")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(
                fields=["sender", "status", "received_at"], name="comms_inbound_sender"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.received_at:%Y-%m-%d %H:%M}"


class FlagReason(models.TextChoices):
    HARD_BOUNCE = "hard_bounce", _("hard bounce")
    INVALID = "invalid", _("invalid address")
    COMPLAINT = "complaint", _("marked as spam")
    UNSUBSCRIBED = "unsubscribed", _("unsubscribed")


class ContactFlag(models.Model):
    """An address that must not be written to again, and why.

    Kept here by address rather than on the passenger, so that every passenger and
    every case that shares the address stops bouncing at once.
    """

    channel = models.CharField(
        _("channel"), max_length=10, choices=NotificationChannel.choices
    )
    address = models.CharField(_("address"), max_length=254)
    reason = models.CharField(_("reason"), max_length=20, choices=FlagReason.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    flagged_at = models.DateTimeField(_("flagged"))

    class Meta:
        verbose_name = _("blocked address")
        verbose_name_plural = _("blocked addresses")
        ordering = ["-flagged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address"], name="comms_one_flag_per_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.get_reason_display()})"
