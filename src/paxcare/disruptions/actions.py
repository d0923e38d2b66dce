"""What a supervisor does to every case of a disruption at once.

Each action reaches the cases the supervisor may work through the use cases that
would do it by hand (the cases app's for messages and closing, the remedies
offers' for goodwill, in batches), so every case's timeline records it as if done
by hand; the cases they may not work are counted and left alone. A repeated action
(the same form sent twice) carries the same reference and does nothing twice.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from paxcare.bulk import insert_rows
from paxcare.cases.events import announce, build_event
from paxcare.cases.lifecycle import ACTIVE_STATUSES, Status
from paxcare.cases.models import Case
from paxcare.cases.services import change_status, reply_to_passenger
from paxcare.disruptions.access import may_act_on_all
from paxcare.disruptions.models import AffectedPassenger, Disruption
from paxcare.disruptions.timeline import DisruptionEvent
from paxcare.errors import Conflict, FieldError, InvalidInput, PermissionDenied
from paxcare.money import MAX_MILES, amount_fault, is_currency
from paxcare.remedies.models import OfferKind, OfferState, RemedyOffer
from paxcare.remedies.offers import OfferDraft
from paxcare.remedies.offers_batch import (
    Decision,
    approve_offers,
    propose_offers,
    reject_offers,
    workable_case_ids,
)

logger = logging.getLogger(__name__)

# The goodwill forms; miles are a whole number of miles, without a currency.
GOODWILL_FORMS = ("voucher", "miles", "cash")
MILES = "miles"
# The remedy offered for each form of goodwill.
OFFER_KINDS = {
    "voucher": OfferKind.VOUCHER,
    "miles": OfferKind.MILES,
    "cash": OfferKind.COMPENSATION,
}
# Passengers per transaction: 200 cases cost a dozen queries and hold their locks
# for a fraction of a second, so a flight of 300 takes two.
GOODWILL_BATCH = 200


@dataclass
class GoodwillReport:
    # Offers shown to the passenger at once (within the actor's approval limit).
    offered: int = 0
    # Offers above the actor's limit, waiting for a second person's approval.
    waiting: int = 0
    # Cases that had this gesture already.
    already: int = 0
    # Cases the actor may not work.
    left_out: int = 0

    @property
    def skipped(self) -> int:
        return self.already + self.left_out


@dataclass
class ActionReport:
    done: int = 0
    # Cases the actor may not work, or that already had this action.
    skipped: int = 0
    # Cases the case rules refused (a playbook step still open, for instance).
    blocked: int = 0


def _require_supervisor(user) -> None:
    if not may_act_on_all(user):
        raise PermissionDenied("Only supervisors act on every case of a disruption.")


def message_everyone(disruption: Disruption, body: str, *, actor) -> ActionReport:
    """Send one message to every passenger whose case is not closed."""
    _require_supervisor(actor)
    rows = list(
        AffectedPassenger.objects.filter(disruption=disruption)
        .exclude(case__status=Status.CLOSED)
        .select_related("case")
        .order_by("pk")
    )
    workable = workable_case_ids(actor, [row.case_id for row in rows])
    report = ActionReport()
    for row in rows:
        if row.case_id not in workable:
            report.skipped += 1
            continue
        reply_to_passenger(row.case, body, actor=actor)
        report.done += 1
    logger.info(
        "disruptions: message to %d cases of disruption %s (%d skipped)",
        report.done,
        disruption.pk,
        report.skipped,
    )
    return report


def give_goodwill(
    disruption: Disruption,
    *,
    amount: Decimal,
    currency: str,
    form: str,
    reference: str,
    actor,
    at: datetime | None = None,
) -> GoodwillReport:
    """Offer a goodwill gesture on every case: a remedy offer each, once per case.

    Money (a voucher, cash) is an amount in an ISO 4217 currency; miles are a whole
    number of miles and have no currency. Each case gets the offer its agent would
    propose by hand (``remedies.offers_batch``): within the actor's approval limit
    it is shown to the passenger at once, above it it waits for a second person's
    approval. A case that already has this gesture (the same form, amount and
    currency, or the same ``reference``) is skipped, so repeating the action only
    reaches the passengers added since.
    """
    _require_supervisor(actor)
    at = at or timezone.now()
    amount, currency = _checked_gesture(amount, currency, form)
    gesture = {
        "amount": str(amount),
        "currency": currency,
        "form": form,
        "reference": reference,
        "at": at.isoformat(),
        "by": actor.pk,
    }
    draft = _offer_draft(amount, currency, form)
    report = GoodwillReport()
    ids = list(
        AffectedPassenger.objects.filter(disruption=disruption)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), GOODWILL_BATCH):
        batch = ids[start : start + GOODWILL_BATCH]
        with transaction.atomic():
            _give_batch(disruption, batch, gesture, draft, actor, report)
    logger.info(
        "disruptions: goodwill on disruption %s: %d offered, %d waiting, %d skipped",
        disruption.pk,
        report.offered,
        report.waiting,
        report.skipped,
    )
    return report


def _offer_draft(amount: Decimal, currency: str, form: str) -> OfferDraft:
    """Return the offer of a gesture, as an agent would propose it on one case."""
    if form == MILES:
        return OfferDraft(kind=OfferKind.MILES, miles=int(amount))
    return OfferDraft(kind=OFFER_KINDS[form], amount=amount, currency=currency)


def _give_batch(
    disruption: Disruption,
    ids: list[int],
    gesture: dict,
    draft: OfferDraft,
    actor,
    report: GoodwillReport,
) -> None:
    """Offer the gesture on the cases of one batch of affected passengers."""
    rows = list(
        AffectedPassenger.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("case")
        .order_by("pk")
    )
    workable = workable_case_ids(actor, [row.case_id for row in rows])
    chosen = []
    for row in rows:
        if _has_gesture(row.goodwill, gesture):
            report.already += 1
        elif row.case_id not in workable:
            report.left_out += 1
        else:
            chosen.append(row)
    at = datetime.fromisoformat(gesture["at"])
    # The gesture first, then the offer it makes: the timeline reads in that order.
    events = [
        build_event(
            row.case,
            DisruptionEvent.GOODWILL,
            actor=actor,
            data={
                "disruption": disruption.pk,
                "flight": _flight_label(disruption),
                **{k: gesture[k] for k in ("amount", "currency", "form")},
            },
            at=at,
        )
        for row in chosen
    ]
    insert_rows(events)
    announce(events)
    offers = propose_offers([row.case for row in chosen], draft, actor=actor, at=at)
    for row, offer in zip(chosen, offers, strict=True):
        row.goodwill = [*row.goodwill, {**gesture, "offer": offer.pk}]
        row.updated_at = at
        if offer.state == OfferState.PROPOSED:
            report.waiting += 1
        else:
            report.offered += 1
    AffectedPassenger.objects.bulk_update(chosen, ["goodwill", "updated_at"])


def _has_gesture(given: list[dict], gesture: dict) -> bool:
    """Say whether a case was given this gesture already (or this very action)."""
    amount = Decimal(gesture["amount"])
    for earlier in given:
        if earlier.get("reference") == gesture["reference"]:
            return True
        if (
            earlier.get("form") == gesture["form"]
            and Decimal(earlier.get("amount") or 0) == amount
            and (earlier.get("currency") or "") == gesture["currency"]
        ):
            return True
    return False


def approve_goodwill(
    disruption: Disruption, reference: str, *, actor, at: datetime | None = None
) -> Decision:
    """Approve, as one decision, the offers of a gesture that wait for approval.

    The approver is a supervisor or administrator other than the one who gave the
    gesture; each offer is approved as on its case (``offers_batch``), so each
    passenger is then told and each timeline records the approval.
    """
    return _decide(disruption, reference, approve_offers, actor=actor, at=at)


def refuse_goodwill(
    disruption: Disruption,
    reference: str,
    *,
    actor,
    reason: str = "",
    at: datetime | None = None,
) -> Decision:
    """Refuse, as one decision, the offers of a gesture that wait for approval."""
    decide = partial(reject_offers, reason=reason)
    return _decide(disruption, reference, decide, actor=actor, at=at)


def _decide(disruption: Disruption, reference: str, decide, *, actor, at) -> Decision:
    _require_supervisor(actor)
    at = at or timezone.now()
    offer_ids = sorted(
        gesture["offer"]
        for given in AffectedPassenger.objects.filter(
            disruption=disruption
        ).values_list("goodwill", flat=True)
        for gesture in given
        if gesture.get("reference") == reference and gesture.get("offer")
    )
    waiting = RemedyOffer.objects.filter(pk__in=offer_ids, state=OfferState.PROPOSED)
    waiting_ids = list(waiting.values_list("pk", flat=True))
    total = Decision(skipped=len(offer_ids) - len(waiting_ids))
    for start in range(0, len(waiting_ids), GOODWILL_BATCH):
        offers = list(
            RemedyOffer.objects.filter(
                pk__in=waiting_ids[start : start + GOODWILL_BATCH]
            )
        )
        decision = decide(offers, actor=actor, at=at)
        total.done += decision.done
        total.expired += decision.expired
        total.skipped += decision.skipped
    logger.info(
        "disruptions: decision on goodwill of disruption %s: %d done, %d skipped",
        disruption.pk,
        len(total.done),
        total.skipped,
    )
    return total


def _checked_gesture(amount: Decimal, currency: str, form: str) -> tuple[Decimal, str]:
    """Return the amount and currency to record; raise InvalidInput on a fault."""
    faults: list[FieldError] = []
    if form not in GOODWILL_FORMS:
        faults.append(FieldError("form", _("Choose a form of goodwill."), "invalid"))
    if form == MILES:
        if amount != amount.to_integral_value() or not 0 < amount <= MAX_MILES:
            faults.append(
                FieldError(
                    "amount",
                    _("Give a whole number of miles, at most %(most)s.")
                    % {"most": f"{MAX_MILES:,}"},
                )
            )
        if faults:
            raise InvalidInput(faults)
        return amount.quantize(Decimal(1)), ""
    currency = (currency or "").strip().upper()
    if not is_currency(currency):
        faults.append(
            FieldError(
                "currency",
                _("Unknown currency: give an ISO 4217 code, e.g. USD."),
                "unknown_currency",
            )
        )
    if amount_fault(amount) is not None or amount <= 0:
        faults.append(FieldError("amount", _("Give an amount such as 50.00.")))
    if faults:
        raise InvalidInput(faults)
    return amount.quantize(Decimal("0.01")), currency


def close_rebooked_and_satisfied(disruption: Disruption, *, actor) -> ActionReport:
    """Close the cases the disruption opened whose passenger accepted a rebooking.

    Cases the disruption only joined were opened by the passenger about more than
    this flight, so they stay with their agent. A case the case rules will not
    resolve yet (its playbook has required steps open) is counted as blocked and
    left for its agent: a bulk action does not tick an agent's steps.
    """
    _require_supervisor(actor)
    rows = list(
        AffectedPassenger.objects.filter(
            disruption=disruption,
            opened_case=True,
            entry__rebooked_arrival__isnull=False,
            entry__rebooking_accepted=True,
        )
        .exclude(case__status=Status.CLOSED)
        .select_related("case")
        .order_by("pk")
    )
    workable = workable_case_ids(actor, [row.case_id for row in rows])
    report = ActionReport()
    for row in rows:
        if row.case_id not in workable:
            report.skipped += 1
            continue
        case: Case = row.case
        try:
            if case.status in ACTIVE_STATUSES:
                case = change_status(case, Status.RESOLVED, actor=actor)
            change_status(case, Status.CLOSED, actor=actor)
        except Conflict as refusal:
            logger.info(
                "disruptions: case %s not closed: %s", case.number, refusal.code
            )
            report.blocked += 1
            continue
        report.done += 1
    return report


def _flight_label(disruption: Disruption) -> str:
    flight = disruption.flight
    return f"{flight.flight_number} {flight.flight_date.isoformat()}"
