"""Timeline entries that only the SLA app writes on a case.

The common ones (started, paused, resumed, met, warning, breached) are the cases
app's ``EventType``; the insights and console read them too.
"""

from django.db import models


class SlaEvent(models.TextChoices):
    # A first-response clock stopped by a resolution without any reply, on time.
    CANCELLED = "sla.cancelled"
