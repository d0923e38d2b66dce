"""``/api/v1/intake``: channel webhooks. A social-media bridge posts public posts here.

Delivery is at least once on most platforms, so the webhook is idempotent: the same
post id answers the case it already opened, with 200 instead of 201.
"""

from ninja import Router, Status

from paxcare.cases.api import require_filing, require_sight_of_known_case
from paxcare.cases.models import Channel
from paxcare.cases.schemas import IntakeOut, SocialPost
from paxcare.errors import InvalidInput
from paxcare.intake.batcher import case_for_answer, file_case
from paxcare.intake.drafts import CaseDraft, renamed
from paxcare.intake.importers import airline_code, social_external_id
from paxcare.intake.posts import trip_in_post
from paxcare.intake.services import parse_received_at

router = Router(tags=["intake"])

# The draft fields a post fills, under the names of SocialPost: an error names the
# field the client sent. The subject is made from the text.
SOCIAL_POST_FIELDS = {
    "description": "text",
    "subject": "text",
    "external_id": "post_id",
    "social_handle": "author_handle",
    "airline": "airline",
    "received_at": "created_at",
}


@router.post(
    "/social",
    response={200: IntakeOut, 201: IntakeOut},
    operation_id="receive_social_post",
    summary="Receive a social-media post",
)
def receive_social_post(request, payload: SocialPost):
    """Open a social-media case for a post, or return the one it already opened."""
    require_filing(request.user)
    airline = airline_code(payload.airline)
    received_at = parse_received_at(payload.created_at)
    # The text is all a post gives: its flight and booking, when sure (intake.posts).
    flight_number, flight_date, booking_reference = trip_in_post(
        payload.text, received_at, airline=airline
    )
    draft = CaseDraft(
        description=payload.text,
        channel=Channel.SOCIAL,
        external_id=social_external_id(payload.platform, payload.post_id),
        social_handle=payload.author_handle.strip(),
        airline=airline,
        flight_number=flight_number,
        flight_date=flight_date,
        booking_reference=booking_reference,
        received_at=received_at,
        extra={"platform": payload.platform},
    )
    try:
        result = file_case(draft, actor=request.user)
    except InvalidInput as error:
        fields = renamed(error.fields, SOCIAL_POST_FIELDS)
        raise InvalidInput(fields, error.message) from error
    require_sight_of_known_case(request.user, result)
    case = case_for_answer(result)
    return Status(
        201 if result.created else 200, {"created": result.created, "case": case}
    )
