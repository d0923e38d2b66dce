"""Cost of compensation, from the remedies ledger once remedies provides it.

The ledger belongs to remedies; this module only asks it for totals over the cases
and the period, so that the KPIs, the dashboard and the reports show one figure.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from paxcare.cases.models import Case

logger = logging.getLogger(__name__)


def _ledger_totals() -> Callable | None:
    try:
        from paxcare.remedies.ledger import compensation_totals
    except ImportError:
        return None
    return compensation_totals


def compensation(
    cases: QuerySet[Case], start: datetime | None, end: datetime
) -> dict[str, Any]:
    """Return the compensation paid in the period, per currency, as decimal strings.

    ``available`` is False while no ledger exists; the amounts are then empty.
    """
    totals = _ledger_totals()
    if totals is None:
        return {"available": False, "paid": {}}
    paid = totals(cases, start, end)
    return {
        "available": True,
        "paid": {currency: str(amount) for currency, amount in sorted(paid.items())},
    }
