"""What the console dashboard shows beside its KPI tables: alerts and follow-ups."""

from typing import Any

from paxcare.insights import alerts
from paxcare.surveys.services import follow_ups_visible_to


def dashboard_extras(user) -> dict[str, Any]:
    """Return the open alerts and the number of open follow-ups ``user`` may see."""
    return {
        "alerts": [
            {"alert": alert, "text": alerts.describe(alert)}
            for alert in alerts.open_alerts(user)
        ],
        "open_follow_ups": follow_ups_visible_to(user)
        .filter(closed_at__isnull=True)
        .count(),
    }
