"""Background work of insights: alerts every hour, reports every week and month."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from paxcare.insights import rollups
from paxcare.insights.alerts import run_detection
from paxcare.insights.reports import last_complete, send_report


@db_periodic_task(crontab(minute="5"))
def detect_alerts() -> None:
    """Look for spikes, falling SLA compliance and dropping satisfaction."""
    run_detection()


@db_periodic_task(crontab(day_of_week="1", hour="7", minute="30"))
def weekly_report() -> None:
    """Mail last week's report on Monday morning."""
    send_report(last_complete("week"))


@db_periodic_task(crontab(day="1", hour="7", minute="45"))
def monthly_report() -> None:
    """Mail last month's report on the first of the month."""
    send_report(last_complete("month"))


@db_periodic_task(crontab(minute="*/5"))
def compact_kpi_counts() -> None:
    """Fold the KPI count changes of the last minutes into one row per count."""
    rollups.compact()
