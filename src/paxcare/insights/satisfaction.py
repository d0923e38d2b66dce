"""Satisfaction KPIs from the case surveys: CSAT, NPS and the response rate.

- CSAT: the share of answers rating 4 or 5 (of 1-5), answers given in the period;
- NPS: promoters (9-10) less detractors (0-6), in points of the answers that gave a
  0-10 score, rounded to 0.1; passives (7-8) count in the denominator only;
- response rate: of the surveys sent in the period, the share answered since.
"""

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from paxcare.cases.models import Case
from paxcare.insights.quality import in_period, ratio

SATISFIED = Q(survey__rating__gte=4)
HAS_SCORE = Q(survey__recommend__isnull=False)
PROMOTER = Q(survey__recommend__gte=9)
DETRACTOR = Q(survey__recommend__lte=6)


def answer_counts(among: Q | None = None) -> dict[str, Count]:
    """The COUNTs behind CSAT and NPS, for ``aggregate`` or ``annotate``.

    ``among`` restricts them to some rows (the answers of a period).
    """

    def count(condition: Q | None) -> Count:
        both = (
            condition if among is None else (among & condition if condition else among)
        )
        return Count("pk", filter=both)

    return {
        "responses": count(None),
        "satisfied": count(SATISFIED),
        "scored": count(HAS_SCORE),
        "promoters": count(PROMOTER),
        "detractors": count(DETRACTOR),
    }


def answered(start: datetime | None, end: datetime) -> Q:
    """A survey answered (with a rating) in the period."""
    return in_period("survey__answered_at", start, end) & Q(
        survey__rating__isnull=False
    )


def answered_in(cases: QuerySet[Case], start: datetime | None, end: datetime):
    """Return the cases whose survey was answered (with a rating) in the period."""
    return cases.filter(answered(start, end))


def nps(promoters: int, detractors: int, scored: int) -> float | None:
    if not scored:
        return None
    return round(100 * (promoters - detractors) / scored, 1)


def from_counts(row: dict[str, int]) -> dict[str, Any]:
    """Return CSAT and NPS from the counts of ``answer_counts``."""
    scored = row["scored"]
    return {
        "responses": row["responses"],
        "satisfied": row["satisfied"],
        "csat": ratio(row["satisfied"], row["responses"]),
        "recommend_responses": scored,
        "promoters": row["promoters"],
        "passives": scored - row["promoters"] - row["detractors"],
        "detractors": row["detractors"],
        "nps": nps(row["promoters"], row["detractors"], scored),
    }


def satisfaction(
    cases: QuerySet[Case], start: datetime | None, end: datetime
) -> dict[str, Any]:
    """Return CSAT, NPS and the response rate of the period, in one query."""
    given = answered(start, end)
    sent = in_period("survey__invited_at", start, end)
    row = cases.filter(given | sent).aggregate(
        **answer_counts(among=given),
        invited=Count("pk", filter=sent),
        answered=Count("pk", filter=sent & Q(survey__answered_at__isnull=False)),
    )
    return {
        **from_counts(row),
        "invited": row["invited"],
        "answered": row["answered"],
        "response_rate": ratio(row["answered"], row["invited"]),
    }
