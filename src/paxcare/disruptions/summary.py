"""The disruption page's figures: how many passengers, in what state, owed what."""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from paxcare.cases.lifecycle import Status
from paxcare.cases.services import cases_visible_to
from paxcare.disruptions.care import add_totals
from paxcare.disruptions.models import AffectedPassenger, Disruption, ManifestEntry


@dataclass
class Total:
    regime: str
    kind: str
    currency: str
    amount: Decimal
    passengers: int


@dataclass
class Summary:
    on_manifest: int = 0
    affected: int = 0
    opened: int = 0
    joined: int = 0
    current: int = 0
    rebooked: int = 0
    accepted: int = 0
    by_status: list[tuple[str, int]] = field(default_factory=list)
    totals: list[Total] = field(default_factory=list)
    goodwill: list[Total] = field(default_factory=list)


def summarise(disruption: Disruption) -> Summary:
    """Count the disruption's passengers and add up what they are owed."""
    summary = Summary(
        on_manifest=ManifestEntry.objects.filter(flight_id=disruption.flight_id).count()
    )
    statuses: Counter[str] = Counter()
    totals: dict = {}
    goodwill: dict = {}
    rows = AffectedPassenger.objects.filter(disruption=disruption).values_list(
        "opened_case",
        "version",
        "entitlements",
        "goodwill",
        "case__status",
        "entry__rebooked_arrival",
        "entry__rebooking_accepted",
    )
    for opened, version, entitlements, gestures, status, rebooked, accepted in rows:
        summary.affected += 1
        summary.opened += opened
        summary.joined += not opened
        summary.current += version == disruption.version
        summary.rebooked += rebooked is not None
        summary.accepted += rebooked is not None and bool(accepted)
        statuses[status] += 1
        add_totals(totals, entitlements)
        for gesture in gestures:
            # Miles have no currency (gestures recorded before the rule said one).
            currency = "" if gesture["form"] == "miles" else gesture["currency"]
            key = ("goodwill", gesture["form"], currency)
            total = goodwill.setdefault(key, [Decimal(0), 0])
            total[0] += Decimal(gesture["amount"])
            total[1] += 1
    summary.by_status = [
        (str(label), statuses.get(value, 0)) for value, label in Status.choices
    ]
    summary.totals = _sorted(totals)
    summary.goodwill = _sorted(goodwill)
    return summary


def _sorted(totals: dict) -> list[Total]:
    return [
        Total(regime, kind, currency, amount, passengers)
        for (regime, kind, currency), (amount, passengers) in sorted(totals.items())
    ]


def affected_rows(disruption: Disruption, user) -> QuerySet[AffectedPassenger]:
    """Return the disruption's passengers whose cases ``user`` may see."""
    return (
        AffectedPassenger.objects.filter(
            disruption=disruption, case__in=cases_visible_to(user)
        )
        .select_related("entry", "case", "case__assignee")
        .order_by("entry__passenger_name", "pk")
    )


def totals_for(disruption_ids: list[int]) -> list[Total]:
    """Add up what the passengers of many disruptions are owed, streaming the rows."""
    totals: dict = {}
    rows = (
        AffectedPassenger.objects.filter(disruption_id__in=disruption_ids)
        .values_list("entitlements", flat=True)
        .iterator(chunk_size=2000)
    )
    for entitlements in rows:
        add_totals(totals, entitlements)
    return _sorted(totals)


def regimes_applying(disruption_ids: list[int]) -> dict[str, int]:
    """Count the passengers with at least one entitlement under each regime."""
    counts: Counter[str] = Counter()
    rows = (
        AffectedPassenger.objects.filter(disruption_id__in=disruption_ids)
        .values_list("entitlements", flat=True)
        .iterator(chunk_size=2000)
    )
    for entitlements in rows:
        counts.update({e["regime"] for e in entitlements})
    return dict(sorted(counts.items()))
