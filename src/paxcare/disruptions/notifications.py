"""Tell each affected passenger, in their language, what happened and what they get.

Comms owns templates and delivery; this module says which case is owed the
``disruption`` notification of which version, and fills the template's words:
``flight_number``, ``disruption_text`` (what happened, why, what the law gives)
and ``care_text`` (vouchers, rebooking options, the refund alternative). The key
names the disruption and its version, so a version is announced once per case
however often the work is repeated, and a correction is announced again.
"""

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from paxcare.cases.models import Case
from paxcare.disruptions.care import Answer
from paxcare.disruptions.models import Disruption, Flight
from paxcare.disruptions.wording import headline, local_time, reason_text
from paxcare.money import format_amount
from paxcare.public import public_url

logger = logging.getLogger(__name__)

PURPOSE = "disruption"

try:
    from paxcare.comms.services import Moment, queue_notifications
except ImportError:  # comms without its services yet: nothing is queued
    Moment = queue_notifications = None


def notification_key(disruption: Disruption) -> str:
    return f"disruption-{disruption.pk}-v{disruption.version}"


def notify_passengers(
    flight: Flight,
    disruption: Disruption,
    pairs: Sequence[tuple[Case, Answer]],
    public_path: str,
    joined: Mapping[int, str] | None = None,
) -> int:
    """Queue the disruption notification of each case; return how many were queued."""
    return queue(moments_for(flight, disruption, pairs, public_path, joined))


def moments_for(
    flight: Flight,
    disruption: Disruption,
    pairs: Sequence[tuple[Case, Answer]],
    public_path: str,
    joined: Mapping[int, str] | None = None,
) -> list:
    """Return the notification moments of the cases, to queue in one batch.

    ``joined`` maps the cases the disruption joined (the passenger's own) to the
    manifest's language of their passenger ("" if none): the words are in that
    language, which the case's (the one they first wrote in) may not be, and say
    that their case now covers the disruption rather than that one was opened.
    """
    if Moment is None:
        logger.warning(
            "disruptions: comms cannot queue; %d notifications of disruption %s lost",
            len(pairs),
            disruption.pk,
        )
        return []
    key = notification_key(disruption)
    joined = joined or {}
    # Cases by ``id``, not ``pk``: the property costs a Python call each time,
    # and a meltdown asks it for every passenger.
    languages = [_language(joined.get(case.id) or case.language) for case, _ in pairs]
    # The words of each (answer, language), built in one language switch per
    # language: a flight's 150 passengers share a few dozen answers.
    wanted: dict[str, dict[str, Answer]] = {}
    for (_case, answer), language in zip(pairs, languages, strict=True):
        wanted.setdefault(language, {}).setdefault(answer.signature, answer)
    contexts: dict[tuple[str, str], dict[str, str]] = {}
    for language, answers in wanted.items():
        with translation.override(language):
            words = _Words(flight, disruption, language, public_path)
            for signature, answer in answers.items():
                contexts[(signature, language)] = words.context(answer)
    moments = []
    for (case, answer), language in zip(pairs, languages, strict=True):
        is_joined = case.id in joined
        context = contexts[(answer.signature, language)]
        moments.append(
            Moment(
                case=case,
                purpose=PURPOSE,
                key=key,
                context=_with_case(context, is_joined),
                language=language if is_joined else "",
            )
        )
    return moments


def _language(value: str) -> str:
    return "zh-hans" if (value or "").lower().startswith("zh") else "en"


def _with_case(context: dict[str, str], joined: bool) -> dict:
    # The template says "your case … now covers" for a joined case.
    return {**context, "case_joined": True} if joined else context


def queue(moments: list) -> int:
    """Queue the moments with comms; return how many cases were owed one."""
    if not moments:
        return 0
    queue_notifications(moments)
    return len(moments)


def context_for(
    flight: Flight,
    disruption: Disruption,
    answer: Answer,
    language: str,
    public_path: str,
) -> dict[str, str]:
    """Return the template words for one group of passengers in ``language``."""
    with translation.override(language):
        return _Words(flight, disruption, language, public_path).context(answer)


class _Words:
    """The words of one flight's notification in ``language``, the active one.

    What the flight's passengers share (the headline, the reason) is worked out
    once; ``context`` adds what one group of like passengers is owed.
    """

    def __init__(
        self, flight: Flight, disruption: Disruption, language: str, public_path: str
    ) -> None:
        self.flight, self.public_path = flight, public_path
        self.short = "zh" if language.startswith("zh") else "en"
        self.opening = [
            _("%(headline)s.") % {"headline": headline(flight, disruption)},
            _("Reason: %(reason)s.") % {"reason": reason_text(flight.cause)},
        ]
        if disruption.version > 1:
            self.opening.insert(
                0,
                _(
                    "This message replaces our earlier one about this flight: "
                    "its situation has changed."
                ),
            )

    def context(self, answer: Answer) -> dict[str, str]:
        short = self.short
        owed = [
            e["explanation"][short]
            for e in answer.result.get("entitlements", [])
            if e["kind"] in ("compensation", "refund", "care", "rerouting")
        ]
        # A regime that applies but pays no compensation says why (the cause was
        # extraordinary, the notice long enough): a corrected event may take back
        # what an earlier message promised, and the passenger must read that.
        withheld = [
            n["reason"][short]
            for n in answer.result.get("not_applicable", [])
            if n.get("kind") == "compensation"
        ]
        return {
            "flight_number": self.flight.flight_number,
            "disruption_text": "\n".join([*self.opening, *owed, *withheld]),
            "care_text": care_text(
                answer.care, self.public_path, origin=self.flight.origin
            ),
        }


def care_text(care: list[dict], public_path: str, *, origin: str = "") -> str:
    """Return the care to give in words of the active language.

    Rebooking options leave from ``origin``: their times are given at its clock.
    """
    lines = []
    for item in care:
        kind = item["type"]
        if kind == "meal":
            lines.append(_("Meal vouchers are waiting for you at the airline's desk."))
        elif kind == "hotel":
            lines.append(_("We book your hotel and the transport to it."))
        elif kind == "calls":
            lines.append(_("You may make two phone calls or send two e-mails."))
        elif kind == "rebooking":
            lines.append(_rebooking(item.get("options", []), origin))
        elif kind == "refund" and item.get("amount"):
            lines.append(
                _("Or, if you no longer want to travel: a refund of %(money)s.")
                % {
                    "money": f"{format_amount(item['amount'], item['currency'])} "
                    f"{item['currency']}"
                }
            )
    # Mail and SMS leave the site: the link is absolute (PAXCARE_PUBLIC_URL).
    link = public_url(public_path)
    lines.append(_("Details and how to claim: %(path)s") % {"path": link})
    return "\n".join(lines)


def _rebooking(options: list[dict], origin: str) -> str:
    if not options:
        return _("We rebook you on the next available flight at no cost.")
    # Chinese takes its own punctuation: "MU5101，…；MU5103，…".
    flights = pgettext("list separator", "; ").join(
        pgettext("rebooking option", "%(flight)s, %(departure)s")
        % {
            "flight": option["flight_number"],
            "departure": local_time(
                datetime.fromisoformat(option["departure"]), origin
            ),
        }
        for option in options
    )
    return _("We can rebook you at no cost, for example on: %(flights)s.") % {
        "flights": flights
    }
