"""Timeline entries that comms writes on a case, beside those of the cases app."""

from django.db import models


class CommsEvent(models.TextChoices):
    NOTIFICATION_SENT = "notification.sent"
    NOTIFICATION_ATTEMPT_FAILED = "notification.attempt_failed"
    NOTIFICATION_FAILED = "notification.failed"
    NOTIFICATION_DELIVERED = "notification.delivered"
    NOTIFICATION_SUPPRESSED = "notification.suppressed"
    NOTIFICATION_REPORTED = "notification.reported"
    NOTIFICATION_NOT_SENT = "notification.not_sent"
    CONTACT_FLAGGED = "contact.flagged"
    MAIL_FILED = "mail.filed"
    MAIL_PARTS_DROPPED = "mail.parts_dropped"
    MAIL_IGNORED = "mail.ignored"
    MAIL_FOLLOW_UP = "mail.follow_up_case"
    MAIL_FOLLOWED_UP = "mail.followed_up"
    MAIL_STAFF_NOTE = "mail.staff_note"
