"""The disruption page's figures: how many passengers, in what state, owed what."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from paxcare.cases.lifecycle import Status
from paxcare.cases.services import cases_visible_to
from paxcare.comms.models import Notification, NotificationStatus
from paxcare.disruptions.care import add_totals
from paxcare.disruptions.models import AffectedPassenger, Disruption, ManifestEntry
from paxcare.disruptions.notifications import PURPOSE as NOTIFICATION_PURPOSE
from paxcare.remedies.models import OfferState, RemedyOffer


@dataclass
class Total:
    regime: str
    kind: str
    currency: str
    amount: Decimal
    passengers: int


# A notification in these states is on its way or arrived; a failed or suppressed
# one reached nobody.
REACHING = (
    NotificationStatus.QUEUED,
    NotificationStatus.SENDING,
    NotificationStatus.RETRYING,
    NotificationStatus.SENT,
    NotificationStatus.DELIVERED,
)
# A gesture given before gestures became remedy offers.
RECORDED = "recorded"
# Offer states in which a gesture no longer stands.
GONE = frozenset({OfferState.DECLINED, OfferState.EXPIRED})


@dataclass
class GoodwillBatch:
    """One goodwill action on the disruption and where its offers stand."""

    reference: str
    form: str
    amount: Decimal
    currency: str
    at: datetime
    by: int | None
    # Offer state (or "recorded") -> passengers.
    states: dict[str, int] = field(default_factory=dict)

    @property
    def passengers(self) -> int:
        return sum(self.states.values())

    @property
    def waiting(self) -> int:
        return self.states.get(OfferState.PROPOSED, 0)

    def state_counts(self) -> list[tuple[str, int]]:
        """Return (state label, passengers) in the order offers move."""
        labels = [(RECORDED, _("recorded")), *OfferState.choices]
        return [(str(label), self.states[v]) for v, label in labels if v in self.states]


@dataclass
class Summary:
    on_manifest: int = 0
    affected: int = 0
    # Passengers with a notification of the disruption queued or sent on a channel.
    reached: int = 0
    opened: int = 0
    joined: int = 0
    current: int = 0
    rebooked: int = 0
    accepted: int = 0
    by_status: list[tuple[str, int]] = field(default_factory=list)
    totals: list[Total] = field(default_factory=list)
    goodwill: list[Total] = field(default_factory=list)
    goodwill_batches: list[GoodwillBatch] = field(default_factory=list)


def summarise(disruption: Disruption) -> Summary:
    """Count the disruption's passengers and add up what they are owed."""
    summary = Summary(
        on_manifest=ManifestEntry.objects.filter(flight_id=disruption.flight_id).count()
    )
    statuses: Counter[str] = Counter()
    totals: dict = {}
    rows = AffectedPassenger.objects.filter(disruption=disruption).values_list(
        "opened_case",
        "version",
        "entitlements",
        "goodwill",
        "case__status",
        "entry__rebooked_arrival",
        "entry__rebooking_accepted",
    )
    given: list[dict] = []
    for opened, version, entitlements, gestures, status, rebooked, accepted in rows:
        summary.affected += 1
        summary.opened += opened
        summary.joined += not opened
        summary.current += version == disruption.version
        summary.rebooked += rebooked is not None
        summary.accepted += rebooked is not None and bool(accepted)
        statuses[status] += 1
        add_totals(totals, entitlements)
        given += gestures
    summary.by_status = [
        (str(label), statuses.get(value, 0)) for value, label in Status.choices
    ]
    summary.totals = _sorted(totals)
    summary.goodwill, summary.goodwill_batches = _goodwill(given)
    summary.reached = count_reached(disruption)
    return summary


def count_reached(disruption: Disruption) -> int:
    """Count the passengers told of the disruption (any version, any channel)."""
    told = Notification.objects.filter(
        case_id=OuterRef("case_id"),
        purpose=NOTIFICATION_PURPOSE,
        key__startswith=f"disruption-{disruption.pk}-v",
        status__in=REACHING,
    )
    return (
        AffectedPassenger.objects.filter(disruption=disruption)
        .filter(Exists(told))
        .count()
    )


def _goodwill(given: list[dict]) -> tuple[list[Total], list[GoodwillBatch]]:
    """Add up the gestures still standing; group every gesture by its action.

    A gesture's offer refused by the approver, declined by the passenger or expired
    no longer counts as given. Gestures recorded before they became offers count.
    """
    states = dict(
        RemedyOffer.objects.filter(
            pk__in=[g["offer"] for g in given if g.get("offer")]
        ).values_list("pk", "state")
    )
    totals: dict = {}
    batches: dict[str, GoodwillBatch] = {}
    for gesture in given:
        state = states.get(gesture.get("offer"), RECORDED)
        # Miles have no currency (gestures recorded before the rule said one).
        currency = "" if gesture["form"] == "miles" else gesture["currency"]
        batch = batches.get(gesture.get("reference", ""))
        if batch is None:
            batch = batches[gesture.get("reference", "")] = GoodwillBatch(
                reference=gesture.get("reference", ""),
                form=gesture["form"],
                amount=Decimal(gesture["amount"]),
                currency=currency,
                at=datetime.fromisoformat(gesture["at"]),
                by=gesture.get("by"),
            )
        batch.states[state] = batch.states.get(state, 0) + 1
        if state in GONE:
            continue
        total = totals.setdefault(("goodwill", gesture["form"], currency), [0, 0])
        total[0] += Decimal(gesture["amount"])
        total[1] += 1
    ordered = sorted(batches.values(), key=lambda b: (b.at, b.reference))
    return _sorted(totals), ordered


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
