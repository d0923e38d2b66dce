"""The KPIs that ``kpis.compute_kpis`` adds to its volume figures.

Kept apart from ``kpis.py`` so that each module stays readable; ``compute_kpis``
calls ``extend_kpis`` once, so the API, the command, the dashboard and the reports
still share one definition of every figure (``docs/kpis.md``).
"""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from paxcare.cases.models import Case
from paxcare.insights import quality
from paxcare.insights.compensation import compensation
from paxcare.insights.satisfaction import satisfaction


def extend_kpis(
    report: dict[str, Any],
    cases: QuerySet[Case],
    start: datetime | None,
    end: datetime,
    now: datetime,
) -> dict[str, Any]:
    """Add satisfaction and service-quality figures to a KPI report; return it."""
    report["first_response_business"] = quality.business_first_response(
        cases, start, end
    )
    row = quality.timing_row(cases, start, end)
    report["resolution_time"] = quality.resolution_time(row)
    report["sla_compliance"] = quality.sla_compliance(row, cases, start, end, now)
    report.update(quality.first_resolution_cohort(row))
    report["satisfaction"] = satisfaction(cases, start, end)
    report["compensation"] = compensation(cases, start, end)
    return report
