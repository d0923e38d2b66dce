"""``/api/v1/kpis``: the KPIs over the cases the caller can see."""

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from ninja import Query, Router

from paxcare.cases.schemas import TextSchema
from paxcare.errors import FieldError, InvalidInput
from paxcare.insights.kpis import aware
from paxcare.insights.scoped_kpis import kpis_for

router = Router(tags=["insights"])


class Period(TextSchema):
    # TextSchema: a date outside the years PaxCare works with is a field error.

    start: datetime | None = None
    end: datetime | None = None


@router.get(
    "",
    response=dict[str, Any],
    operation_id="get_kpis",
    summary="KPIs for a period",
)
def get_kpis(request, period: Query[Period]):
    """Return the KPIs of ``docs/kpis.md`` for ``[start, end)``, naive times local."""
    start = aware(period.start) if period.start else None
    end = aware(period.end) if period.end else None
    if start and end and start >= end:
        raise InvalidInput([FieldError("end", _("The end must come after the start."))])
    return kpis_for(request.user, start, end)
