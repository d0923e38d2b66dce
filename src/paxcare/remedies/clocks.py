"""The CAAC complaint-answer period as an SLA clock.

China's passenger service rules (CCAR-273) give a carrier 10 working days to answer
a complaint, counted on China's calendar (adjusted working days included). When an
agent saves a complaint's trip facts and the engine's CAAC answer holds that
deadline, the sla app starts a regulatory clock from the moment the case was
received: due at the close of the tenth working day after the day of receipt. The
period comes from the rule data (``rules/caac.json``), not from here.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils.translation import gettext_noop

from paxcare.cases.models import Case
from paxcare.sla.services import RegulatoryDeadline, start_regulatory_clocks
from paxcare.triage.models import Kind

logger = logging.getLogger(__name__)

BASIS = "caac.complaint_answer"
# The business calendar that counts China's working days (installed by the sla app).
CHINA_CALENDAR = "cn-office"
CLOCK_NAME = gettext_noop("CAAC: answer the complaint within %(days)d working days")


def start_for_assessment(case: Case, answer: dict[str, Any] | None) -> bool:
    """Start the clock when the engine says the case's complaint falls under CAAC.

    Return whether a clock is due (a case that has one keeps it).
    """
    if answer is None or case.kind != Kind.COMPLAINT:
        return False
    for entitlement in answer.get("entitlements", ()):
        deadline = entitlement.get("deadline")
        if entitlement["code"] == BASIS and deadline:
            days = int(deadline["period"])
            deadline = RegulatoryDeadline(
                case=case,
                working_days=days,
                calendar_code=CHINA_CALENDAR,
                basis=BASIS,
                name=CLOCK_NAME % {"days": days},
            )
            if start_regulatory_clocks([deadline]):
                logger.info("remedies: CAAC clock started on case %s", case.number)
            return True
    return False
