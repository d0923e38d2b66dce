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
from paxcare.comms.models import Notification, NotificationStatus, Purpose
from paxcare.disruptions.access import may_act_on_all
from paxcare.disruptions.models import AffectedPassenger, Disruption, DisruptionKind
from paxcare.disruptions.notifications import notification_key
from paxcare.disruptions.timeline import DisruptionEvent
from paxcare.disruptions.wording import reason_text, when
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
from paxcare.remedies.services import open_required_steps, tick_proven_steps

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


def whole_amount_message(currency: str) -> str:
    """Return the error for an amount finer than ``currency``'s unit (JPY 5.50)."""
    return _("%(currency)s has no minor unit: give a whole amount, e.g. 500.") % {
        "currency": currency
    }


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
    fault = amount_fault(amount, currency)
    if fault == "finer_than_currency":
        faults.append(
            FieldError("amount", whole_amount_message(currency), "too_precise")
        )
    elif fault is not None or amount <= 0:
        faults.append(FieldError("amount", _("Give an amount such as 50.00.")))
    if faults:
        raise InvalidInput(faults)
    return amount.quantize(Decimal("0.01")), currency


def close_rebooked_and_satisfied(
    disruption: Disruption, *, actor, at: datetime | None = None
) -> ActionReport:
    """Close the cases the disruption opened whose passenger accepted a rebooking.

    Cases the disruption only joined were opened by the passenger about more than
    this flight, so they stay with their agent. The playbook steps the disruption's
    records prove (``proven_steps``) are ticked first, by the supervisor who
    confirmed, each with its proof as the note; a case with a required step that
    nothing proves is counted as blocked, left as it was, and left for its agent.
    """
    _require_supervisor(actor)
    at = at or timezone.now()
    rows = list(
        AffectedPassenger.objects.filter(
            disruption=disruption,
            opened_case=True,
            entry__rebooked_arrival__isnull=False,
            entry__rebooking_accepted=True,
        )
        .exclude(case__status=Status.CLOSED)
        .select_related("case", "entry", "disruption__flight")
        .order_by("pk")
    )
    workable = workable_case_ids(actor, [row.case_id for row in rows])
    answered = _answered_cases(disruption, [row.case_id for row in rows])
    report = ActionReport()
    for row in rows:
        if row.case_id not in workable:
            report.skipped += 1
            continue
        proofs = proven_steps(row, answered=row.case_id in answered)
        try:
            # All or nothing per case: a refused close leaves no tick behind.
            with transaction.atomic():
                _close_satisfied(row.case, proofs, actor, at)
        except Conflict as refusal:
            logger.info(
                "disruptions: case %s not closed: %s", row.case.number, refusal.code
            )
            report.blocked += 1
            continue
        report.done += 1
    return report


def _close_satisfied(case: Case, proofs: dict[str, str], actor, at) -> None:
    if open_required_steps(case):
        tick_proven_steps(case, proofs, actor=actor, at=at)
    if case.status in ACTIVE_STATUSES:
        case = change_status(case, Status.RESOLVED, actor=actor)
    change_status(case, Status.CLOSED, actor=actor)


def proven_steps(row: AffectedPassenger, *, answered: bool) -> dict[str, str]:
    """Return the playbook steps the disruption's records prove done, with the proof.

    Keyed by the step codes of the shipped flight playbooks; a step of another code
    (an administrator's own) is never proven here. ``answered``: the passenger was
    sent the disruption notice of the version their entitlements were assessed on.
    """
    disruption, entry = row.disruption, row.entry
    flight = disruption.flight
    label = _flight_label(disruption)
    current = row.version == disruption.version and row.assessment_id is not None
    proofs = {
        "facts": _(
            "Flight facts recorded by operations for %(flight)s (version %(version)d)."
        )
        % {"flight": label, "version": disruption.version},
    }
    if disruption.kind == DisruptionKind.CANCELLATION:
        proofs["notice_verified"] = (
            _("Operations recorded that passengers were told at %(time)s.")
            % {"time": when(disruption.notified_at)}
            if disruption.notified_at
            else _("Operations recorded no notice before the cancellation.")
        )
    if flight.delay_code or flight.cause:
        proofs["cause_verified"] = _(
            "Cause recorded by operations: %(reason)s (delay code %(code)s)."
        ) % {"reason": reason_text(flight.cause), "code": flight.delay_code or "—"}
    if entry.rebooking_accepted and entry.rebooked_flight:
        proofs["choice"] = _("The passenger accepted rebooking on %(flight)s.") % {
            "flight": entry.rebooked_flight
        }
    if current:
        proofs["entitlements"] = _(
            "Entitlements assessed under every applicable regime for version "
            "%(version)d of the disruption."
        ) % {"version": disruption.version}
    if current and answered:
        proofs["answer"] = _(
            "The disruption notice with the entitlements and their legal basis "
            "was sent to the passenger."
        )
    return proofs


def _answered_cases(disruption: Disruption, case_ids: list[int]) -> set[int]:
    """Return the cases sent the notice of the disruption's current version."""
    return set(
        Notification.objects.filter(
            case_id__in=case_ids,
            purpose=Purpose.DISRUPTION,
            key=notification_key(disruption),
            status__in=(NotificationStatus.SENT, NotificationStatus.DELIVERED),
        ).values_list("case_id", flat=True)
    )


def _flight_label(disruption: Disruption) -> str:
    flight = disruption.flight
    return f"{flight.flight_number} {flight.flight_date.isoformat()}"
