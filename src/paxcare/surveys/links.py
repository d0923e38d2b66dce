"""Signed survey links: unforgeable, bound to one survey of one case, expiring.

A link carries the survey id, the case id and the survey's nonce, signed with the
project's secret key (``django.core.signing``, its own salt) and time-stamped. It is
refused when the signature is wrong, when the ids or the nonce do not match the
survey, or when the survey has expired. That it works once is the answer's rule:
the first answer stands (``services.answer_survey``).
"""

from datetime import timedelta

from django.core import signing
from django.urls import reverse

from paxcare.public import public_url
from paxcare.surveys.models import Survey

SALT = "paxcare.surveys.link"
# Links live as long as their survey, 30 days; a day more for clocks that disagree.
LINK_MAX_AGE = timedelta(days=31)


class LinkError(Exception):
    """The link cannot be used: ``reason`` is "invalid" or "expired"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def survey_token(survey: Survey) -> str:
    """Return the signed token of a survey's link."""
    payload = {"s": survey.pk, "c": survey.case_id, "n": survey.nonce}
    return signing.dumps(payload, salt=SALT, compress=False)


def read_token(token: str) -> dict:
    """Return the payload of a token; raise LinkError when forged, bent or too old."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise LinkError("expired") from error
    except signing.BadSignature as error:
        raise LinkError("invalid") from error
    if not isinstance(payload, dict) or not {"s", "c", "n"} <= payload.keys():
        raise LinkError("invalid")
    return payload


def survey_url(survey: Survey) -> str:
    """Return the absolute link a passenger follows to answer the survey."""
    path = reverse("surveys:answer", kwargs={"token": survey_token(survey)})
    return public_url(path)
