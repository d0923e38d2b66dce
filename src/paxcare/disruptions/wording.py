"""The words passengers read about a disruption: what happened and why.

Every text is translatable and holds no passenger data, so the same words serve
the public page, the feeds, the case's description and the notification.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from paxcare.disruptions.models import Disruption, DisruptionKind, Flight
from paxcare.remedies.engine.reference import airport
from paxcare.remedies.engine.types import Cause

# How the pages show a flight's times: the date and the clock at the airport.
LOCAL_TIME_FORMAT = "Y-m-d H:i"

REASONS = {
    Cause.TECHNICAL: gettext_lazy("a technical problem with the aircraft"),
    Cause.CREW_SHORTAGE: gettext_lazy("the crew was not available in time"),
    Cause.OWN_STAFF_STRIKE: gettext_lazy("a strike by the airline's own staff"),
    Cause.OTHER_CONTROLLABLE: gettext_lazy(
        "a problem in the airline's own operations (ground handling, an earlier "
        "flight or planning)"
    ),
    Cause.SAFETY_REQUIRED_CONTROLLABLE: gettext_lazy(
        "a safety check that the airline had to carry out"
    ),
    Cause.WEATHER: gettext_lazy("bad weather"),
    Cause.AIR_TRAFFIC_CONTROL: gettext_lazy("air traffic control restrictions"),
    Cause.AIRPORT_CLOSURE: gettext_lazy("restrictions or a closure at the airport"),
    Cause.SECURITY: gettext_lazy("a security or border control measure"),
    Cause.POLITICAL_INSTABILITY: gettext_lazy("political unrest"),
    Cause.MEDICAL_EMERGENCY: gettext_lazy("a medical emergency on board"),
    Cause.BIRD_STRIKE: gettext_lazy(
        "damage in flight, such as a bird strike or lightning"
    ),
    Cause.THIRD_PARTY_STRIKE: gettext_lazy(
        "a strike by people who do not work for the airline (air traffic control, "
        "airport staff)"
    ),
}

HOW_TO_CLAIM = {
    "eu261": gettext_lazy(
        "Under EU Regulation 261/2004, claim from the airline that operated the "
        "flight; meals and a hotel are owed on the spot, compensation on request."
    ),
    "uk261": gettext_lazy(
        "Under the UK's air passenger rights rules, claim from the airline that "
        "operated the flight; meals and a hotel are owed on the spot."
    ),
    "appr": gettext_lazy(
        "Under Canada's Air Passenger Protection Regulations, send your claim to the "
        "airline within one year; it must answer within 30 days."
    ),
    "us_dot": gettext_lazy(
        "Under US Department of Transportation rules, a refund is due without asking "
        "if you choose not to travel; card refunds within 7 business days."
    ),
    "caac": gettext_lazy(
        "Under the rules of the Civil Aviation Administration of China, ask the "
        "airline at the airport or afterwards; refunds carry no fee."
    ),
    "montreal": gettext_lazy(
        "Under the Montreal Convention, claim in writing for your losses caused by "
        "the delay; actions must start within two years."
    ),
}


def reason_text(cause: str) -> str:
    """Return the cause in plain words (a phrase), or say that it is not known yet."""
    try:
        return str(REASONS[Cause(cause)])
    except ValueError:
        return _("not confirmed yet")


def reason_words(cause: str) -> str:
    """Return the words a search finds the disruption's cases by: none while the
    cause is not known (its placeholder would list every such case)."""
    return reason_text(cause) if cause else ""


def when(moment) -> str:
    """Return a time in the active language's format, local at its own offset."""
    return formats.date_format(moment, "DATETIME_FORMAT") if moment else ""


def at_airport(moment: datetime | None, code: str) -> datetime | None:
    """Return ``moment`` in the time zone of airport ``code`` (unchanged if unknown).

    A flight's times are stored in UTC; passengers read them as the clocks at the
    airport show them: departures at the origin, arrivals at the destination.
    """
    if moment is None:
        return None
    found = airport(code) if code else None
    return moment.astimezone(ZoneInfo(found.tz)) if found else moment


def local_time(moment: datetime | None, code: str) -> str:
    """Return e.g. "2013-01-01 16:01 local time (EWR)"; "" without a time."""
    if moment is None:
        return ""
    if not code or airport(code) is None:
        # No zone is known for the airport: say which clock the time is on.
        utc = moment.astimezone(ZoneInfo("UTC"))
        return _("%(time)s UTC") % {"time": formats.date_format(utc, LOCAL_TIME_FORMAT)}
    return _("%(time)s local time (%(airport)s)") % {
        "time": formats.date_format(at_airport(moment, code), LOCAL_TIME_FORMAT),
        "airport": code,
    }


def headline(flight: Flight, disruption: Disruption) -> str:
    """Return one line: flight, route, date and what happened."""
    values = {
        "flight": flight.flight_number,
        "origin": flight.origin,
        "destination": flight.destination,
        "date": formats.date_format(flight.flight_date, "DATE_FORMAT"),
        "hours": _hours(disruption.arrival_delay_minutes),
    }
    kind = disruption.kind
    if kind == DisruptionKind.CANCELLATION:
        return _("%(flight)s %(origin)s–%(destination)s on %(date)s is cancelled") % (
            values
        )
    if kind == DisruptionKind.DIVERSION:
        return _("%(flight)s %(origin)s–%(destination)s on %(date)s was diverted") % (
            values
        )
    if kind == DisruptionKind.SCHEDULE_CHANGE:
        return (
            _("%(flight)s %(origin)s–%(destination)s on %(date)s has a new schedule")
            % values
        )
    if (disruption.arrival_delay_minutes or 0) <= 0:
        return (
            _("%(flight)s %(origin)s–%(destination)s on %(date)s is back on time")
            % values
        )
    return (
        _("%(flight)s %(origin)s–%(destination)s on %(date)s is delayed by %(hours)s")
        % values
    )


def _hours(minutes: int | None) -> str:
    minutes = max(minutes or 0, 0)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}
    if hours:
        return _("%(h)d h") % {"h": hours}
    return _("%(m)d min") % {"m": rest}


def case_description(flight: Flight, disruption: Disruption) -> str:
    """Return the description of a case the disruption opens: no passenger data."""
    return _(
        "%(headline)s. Reason: %(reason)s. PaxCare opened this case so that the "
        "passenger is looked after: what they are owed is on the case and they have "
        "been told."
    ) % {
        "headline": headline(flight, disruption),
        "reason": reason_text(flight.cause),
    }
