"""The claim form's use case: a passenger's words about a disrupted flight.

The claim joins the case the disruption opened for the passenger when the booking
reference and e-mail are theirs; otherwise it opens a case through intake like any
web complaint.
"""

from paxcare.cases.models import Case, Channel
from paxcare.cases.services import add_passenger_message
from paxcare.disruptions.models import AffectedPassenger, DisruptionKind, Flight
from paxcare.disruptions.proactive import CATEGORY
from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import open_case
from paxcare.triage.models import Kind


def file_claim(
    flight: Flight,
    *,
    booking_reference: str,
    email: str,
    message: str,
    language: str,
) -> tuple[Case, bool]:
    """File a passenger's claim about a disrupted flight; return (case, joined).

    The claim joins the case the disruption opened for the passenger when the
    booking reference and e-mail are theirs; otherwise it opens a case through
    intake like any web complaint. Raise InvalidInput for a bad message or e-mail.
    """
    disruption = getattr(flight, "disruption", None)
    kind = disruption.kind if disruption else DisruptionKind.DELAY
    draft = CaseDraft(
        description=message,
        channel=Channel.WEB,
        kind=Kind.CLAIM,
        category=CATEGORY[kind],
        language=language,
        email=email,
        booking_reference=booking_reference,
        airline=flight.carrier,
        flight_number=flight.flight_number,
        flight_date=flight.flight_date,
        airport=flight.origin,
        require_contact=True,
    )
    own = (
        AffectedPassenger.objects.filter(
            entry__flight=flight,
            entry__booking_reference=booking_reference.strip().upper(),
            entry__email=email.strip().lower(),
        )
        .select_related("case")
        .first()
    )
    if own is not None:
        add_passenger_message(own.case, message, channel=Channel.WEB)
        return own.case, True
    return open_case(draft).case, False
