"""What a supervisor does to every case of a disruption at once.

Each action reaches the cases the supervisor may work, one case at a time through
the cases app's own use cases, so every case's timeline records it as if done by
hand; the cases they may not work are counted and left alone. A repeated action
(the same form sent twice) carries the same reference and does nothing twice.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from paxcare.bulk import insert_rows
from paxcare.cases.events import announce, build_event
from paxcare.cases.lifecycle import ACTIVE_STATUSES, Status
from paxcare.cases.models import Case
from paxcare.cases.services import (
    cases_visible_to,
    change_status,
    reply_to_passenger,
)
from paxcare.disruptions.access import may_act_on_all
from paxcare.disruptions.models import AffectedPassenger, Disruption
from paxcare.disruptions.timeline import DisruptionEvent
from paxcare.errors import Conflict, FieldError, InvalidInput, PermissionDenied
from paxcare.money import MAX_MILES, amount_fault, is_currency
from paxcare.routing.models import Role
from paxcare.routing.services import agent_profile

logger = logging.getLogger(__name__)

# The goodwill forms; miles are a whole number of miles, without a currency.
GOODWILL_FORMS = ("voucher", "miles", "cash")
MILES = "miles"


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


def _workable_case_ids(user, case_ids: list[int]) -> set[int]:
    """Return the cases among ``case_ids`` that ``user`` may change."""
    if user.is_superuser:
        return set(case_ids)
    profile = agent_profile(user)
    if profile is None or profile.role == Role.AUDITOR:
        return set()
    return set(
        cases_visible_to(user).filter(pk__in=case_ids).values_list("pk", flat=True)
    )


def message_everyone(disruption: Disruption, body: str, *, actor) -> ActionReport:
    """Send one message to every passenger whose case is not closed."""
    _require_supervisor(actor)
    rows = list(
        AffectedPassenger.objects.filter(disruption=disruption)
        .exclude(case__status=Status.CLOSED)
        .select_related("case")
        .order_by("pk")
    )
    workable = _workable_case_ids(actor, [row.case_id for row in rows])
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
) -> ActionReport:
    """Record a goodwill gesture on every case; ``reference`` makes it happen once.

    Money (a voucher, cash) is an amount in an ISO 4217 currency; miles are a whole
    number of miles and have no currency.
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
    report = ActionReport()
    with transaction.atomic():
        rows = list(
            AffectedPassenger.objects.select_for_update()
            .filter(disruption=disruption)
            .select_related("case")
            .order_by("pk")
        )
        workable = _workable_case_ids(actor, [row.case_id for row in rows])
        events, changed = [], []
        for row in rows:
            given = any(g.get("reference") == reference for g in row.goodwill)
            if row.case_id not in workable or given:
                report.skipped += 1
                continue
            row.goodwill = [*row.goodwill, gesture]
            row.updated_at = at
            changed.append(row)
            events.append(
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
            )
        AffectedPassenger.objects.bulk_update(changed, ["goodwill", "updated_at"])
        insert_rows(events)
        announce(events)
        report.done = len(changed)
    return report


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
    workable = _workable_case_ids(actor, [row.case_id for row in rows])
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
