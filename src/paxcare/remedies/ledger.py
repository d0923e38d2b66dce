"""Totals of the compensation ledger: what was proposed, approved, accepted, paid.

Each ledger entry records one state an offer entered, when, and its value, with
the case's category, flight and the offer's regime as they were then. A period's
totals add the entries of that period, by state, kind and currency (money is never
added across currencies), optionally split by category, flight, regime or month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from paxcare.cases.models import Case
from paxcare.errors import FieldError, InvalidInput
from paxcare.remedies.models import LedgerEntry, OfferKind, OfferState

DIMENSIONS = {
    "category": "category",
    "flight": "flight_number",
    "regime": "regime",
    "month": "month",
}


@dataclass(frozen=True)
class LedgerFilter:
    """Which entries to add up; None and blank mean any."""

    start: datetime | None = None
    end: datetime | None = None
    category: str = ""
    flight_number: str = ""
    flight_date: date | None = None
    regime: str = ""
    state: str = ""


def ledger_totals(
    cases: QuerySet[Case], filters: LedgerFilter, by: str | None = None
) -> list[dict[str, Any]]:
    """Return ledger totals over ``cases`` (scope them to who asks), one row a group.

    Rows hold ``state``, ``kind``, ``currency``, ``amount`` (a two-decimal string,
    or None for miles and rebookings), ``miles``, ``count`` and, when ``by`` is
    given (``category``, ``flight``, ``regime`` or ``month``), that value. Entries
    fall in ``[start, end)``. A category ending in "." matches as a prefix.
    """
    if by is not None and by not in DIMENSIONS:
        choices = ", ".join(DIMENSIONS)
        raise InvalidInput([FieldError("by", _("Use one of: %s.") % choices)])
    if filters.state and filters.state not in OfferState.values:
        raise InvalidInput([FieldError("state", _("Unknown offer state."))])
    if filters.start and filters.end and filters.start >= filters.end:
        raise InvalidInput([FieldError("end", _("The end must come after the start."))])
    entries = _filtered(LedgerEntry.objects.filter(case__in=cases), filters)
    group = ["state", "kind", "currency"]
    if by == "month":
        entries = entries.annotate(month=TruncMonth("occurred_at"))
    if by is not None:
        group.append(DIMENSIONS[by])
    rows = (
        entries.values(*group)
        .annotate(amount=Sum("amount"), miles=Sum("miles"), count=Count("id"))
        .order_by(*group)
    )
    return [_row(row, by) for row in rows]


def _filtered(entries: QuerySet[LedgerEntry], filters: LedgerFilter):
    if filters.start is not None:
        entries = entries.filter(occurred_at__gte=filters.start)
    if filters.end is not None:
        entries = entries.filter(occurred_at__lt=filters.end)
    if filters.category.endswith("."):
        entries = entries.filter(category__startswith=filters.category)
    elif filters.category:
        entries = entries.filter(category=filters.category)
    if filters.flight_number:
        entries = entries.filter(flight_number=filters.flight_number.upper())
    if filters.flight_date is not None:
        entries = entries.filter(flight_date=filters.flight_date)
    if filters.regime:
        entries = entries.filter(regime=filters.regime)
    if filters.state:
        entries = entries.filter(state=filters.state)
    return entries


def _row(row: dict[str, Any], by: str | None) -> dict[str, Any]:
    amount = row["amount"]
    result = {
        "state": row["state"],
        "kind": row["kind"],
        "currency": row["currency"] or None,
        "amount": str(Decimal(amount).quantize(Decimal("0.01")))
        if amount is not None
        else None,
        "miles": row["miles"],
        "count": row["count"],
    }
    if by == "month":
        month = row["month"]
        result["month"] = month.strftime("%Y-%m") if month else None
    elif by is not None:
        result[by] = row[DIMENSIONS[by]]
    return result


# Money the airline gives away: a refund returns the passenger's own fare, and
# rebookings and miles carry no amount.
COST_KINDS = (OfferKind.COMPENSATION, OfferKind.VOUCHER, OfferKind.REIMBURSEMENT)


def compensation_totals(
    cases: QuerySet[Case], start: datetime | None, end: datetime | None
) -> dict[str, Decimal]:
    """Return the compensation paid over ``cases`` in ``[start, end)``, per currency.

    Counts cash compensation, vouchers and reimbursed expenses; refunds, rebookings
    and miles are left out. For the insights reports.
    """
    entries = _filtered(
        LedgerEntry.objects.filter(case__in=cases, kind__in=COST_KINDS),
        LedgerFilter(start=start, end=end, state=OfferState.PAID),
    )
    rows = entries.values("currency").annotate(total=Sum("amount")).order_by()
    return {
        row["currency"]: Decimal(row["total"]).quantize(Decimal("0.01"))
        for row in rows
        if row["currency"] and row["total"] is not None
    }
