"""Background work of surveys: one reminder for unanswered surveys, every hour."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from paxcare.surveys.services import send_reminders


@db_periodic_task(crontab(minute="17"))
def remind_unanswered_surveys() -> None:
    """Remind the passengers who were invited three days ago and have not answered."""
    send_reminders()
