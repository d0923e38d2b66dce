"""What a disruption knows of a passenger's trip, for the remedies panel of a case.

A case the disruption opened or joined has no trip facts saved on it, but its
flight and the passenger's manifest row (fare, cabin, onward flights) make the same
engine request that the care run assessed. ``trip_of_case`` is registered with
``remedies.services.TRIP_SOURCES``, so the panel shows the entitlements at once.
"""

from django.utils.translation import gettext as _

from paxcare.cases.models import Case
from paxcare.disruptions.care import build_request
from paxcare.disruptions.models import AffectedPassenger
from paxcare.remedies.services import KnownTrip


def trip_of_case(case: Case) -> KnownTrip | None:
    """Return the latest disruption's view of the case's trip, or None."""
    link = (
        AffectedPassenger.objects.filter(case=case)
        .select_related("disruption__flight", "entry")
        .order_by("-updated_at", "-pk")
        .first()
    )
    if link is None:
        return None
    disruption = link.disruption
    flight = disruption.flight
    source = _("the disruption of %(flight)s on %(date)s (its manifest)") % {
        "flight": flight.flight_number,
        "date": flight.flight_date.isoformat(),
    }
    return KnownTrip(build_request(flight, disruption, link.entry), source)
