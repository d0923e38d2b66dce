"""``POST /api/v1/entitlements/assess``: the entitlement engine over HTTP.

The body is always a batch, ``{"items": [assessment, ...]}`` (1 to 1,000 items), so
that a whole cancelled flight can be assessed in one request. The answer keeps the
order: ``{"results": [{"id", "entitlements", "not_applicable"}, ...]}``. Any invalid
item makes the whole request answer 422 with every field at fault, its path starting
with the item's index (``items.3.segments.0.origin``); nothing is half answered.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import AwareDatetime, field_validator
from pydantic_core import PydanticCustomError

from paxcare.errors import FieldError, ServiceError
from paxcare.money import MAX_AMOUNT, is_currency
from paxcare.remedies.services import carrier_registry
from paxcare.years import CODE as YEAR_CODE
from paxcare.years import year_fault

from .engine.assess import assess
from .engine.checks import MAX_BAG_WEIGHT_KG, MAX_SEGMENTS
from .engine.parse import InputError, parse_assessment
from .engine.serialize import result_to_dict
from .engine.types import Assessment
from .regimes.exchange import rates_from, table_rate

logger = logging.getLogger(__name__)
router = Router(tags=["entitlements"])

MAX_ITEMS = 1000
Cabin = Literal["economy", "premium_economy", "business", "first"]


class DatedSchema(Schema):
    """Input whose every date lies in the years PaxCare works with (``years``)."""

    @field_validator("*")
    @classmethod
    def _within_years(cls, value: Any) -> Any:
        fault = year_fault(value) if isinstance(value, date) else None
        if fault is not None:
            raise PydanticCustomError(YEAR_CODE, fault)
        return value


class MoneyIn(Schema):
    amount: Decimal = Field(
        ..., ge=0, le=MAX_AMOUNT, allow_inf_nan=False, examples=["300.00"]
    )
    currency: str = Field(..., min_length=3, max_length=3, examples=["USD"])

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        if not is_currency(value.upper()):
            raise PydanticCustomError(
                "unknown_currency", str(_("Give an ISO 4217 currency code."))
            )
        return value.upper()


class SegmentIn(DatedSchema):
    marketing_carrier: str = Field(..., min_length=2, max_length=3, examples=["LH"])
    operating_carrier: str | None = Field(None, min_length=2, max_length=3)
    flight_number: str | None = Field(None, examples=["LH400"])
    origin: str = Field(..., min_length=3, max_length=3, examples=["FRA"])
    destination: str = Field(..., min_length=3, max_length=3, examples=["JFK"])
    scheduled_departure: AwareDatetime
    scheduled_arrival: AwareDatetime
    cabin: Cabin | None = None


class CarrierIn(Schema):
    country: str | None = Field(None, min_length=2, max_length=2, examples=["DE"])
    appr_size: Literal["large", "small"] | None = None


class ReroutingIn(DatedSchema):
    departure: AwareDatetime
    arrival: AwareDatetime


class EventIn(DatedSchema):
    type: Literal[
        "delay",
        "cancellation",
        "denied_boarding",
        "downgrade",
        "baggage_delay",
        "baggage_loss",
        "baggage_damage",
    ]
    segment_index: int | None = Field(None, ge=0)
    cause: str | None = Field(None, examples=["technical"])
    actual_arrival: AwareDatetime | None = None
    actual_departure: AwareDatetime | None = None
    notified_at: AwareDatetime | None = None
    rerouting: ReroutingIn | None = None
    voluntary: bool = False
    from_cabin: Cabin | None = None
    to_cabin: Cabin | None = None
    segment_fare: MoneyIn | None = None
    delivered_at: AwareDatetime | None = None
    complained_at: AwareDatetime | None = None
    bag_fee: MoneyIn | None = None
    bag_weight_kg: float | None = Field(None, gt=0, le=float(MAX_BAG_WEIGHT_KG))


class PassengerIn(Schema):
    one_way_fare: MoneyIn | None = None
    cabin: Cabin | None = None


class AssessmentIn(Schema):
    id: str | int | None = None
    segments: list[SegmentIn] = Field(..., min_length=1, max_length=MAX_SEGMENTS)
    carriers: dict[str, CarrierIn] = Field(default_factory=dict)
    event: EventIn
    passenger: PassengerIn | None = None


class AssessBatchIn(Schema):
    items: list[AssessmentIn] = Field(..., min_length=1, max_length=MAX_ITEMS)


class TextOut(Schema):
    en: str
    zh: str


class DeadlineOut(Schema):
    party: Literal["passenger", "carrier"]
    action: str
    period: int
    unit: Literal["days", "working_days", "years"]
    calendar: str | None
    starts: str
    starts_on: date | None
    due_on: date | None
    status: Literal["met", "missed"] | None


class EntitlementOut(Schema):
    regime: str
    kind: Literal[
        "compensation",
        "refund",
        "care",
        "rerouting",
        "liability_limit",
        "claim_deadline",
    ]
    code: str
    amount: str | None = Field(..., description="Decimal as a string, two places")
    currency: str | None = Field(..., description="ISO 4217; XDR for SDR")
    legal_basis: str
    cumulative: bool
    owed_by: str | None
    paid_by: Literal["carrier", "passenger"] | None
    deadline: DeadlineOut | None
    rule_version: str
    explanation: TextOut


class NotApplicableOut(Schema):
    regime: str
    kind: str | None
    code: str
    reason: TextOut


class AssessmentOut(Schema):
    id: str | int | None
    entitlements: list[EntitlementOut]
    not_applicable: list[NotApplicableOut]


class AssessBatchOut(Schema):
    results: list[AssessmentOut]


@router.post(
    "/assess",
    response=AssessBatchOut,
    operation_id="assess_entitlements",
    summary="Assess passenger entitlements under every regime that applies",
)
def assess_entitlements(request, payload: AssessBatchIn) -> dict[str, Any]:
    """Return each item's entitlements, or 422 naming every invalid field."""
    parsed: list[Assessment] = []
    faults: list[FieldError] = []
    registry, _version = carrier_registry()
    for index, item in enumerate(payload.items):
        data = item.model_dump(mode="json", exclude_none=True)
        try:
            parsed.append(parse_assessment(data, registry))
        except InputError as error:
            faults.extend(
                FieldError(field=_path(index, f.field), message=f.message, code=f.code)
                for f in error.fields
            )
        except Exception:
            logger.exception("Entitlements: item %d could not be read", index)
            faults.append(_unassessable(index))
    _refuse_if_any(faults)
    results = []
    # The fares of US denied boarding are converted with the administrators' rates.
    with rates_from(table_rate):
        for index, assessment in enumerate(parsed):
            try:
                results.append(result_to_dict(assess(assessment)))
            except Exception:
                # A request the checks let through that no rule can compute with:
                # a bug to fix, but an answer about this item, never a 500.
                logger.exception("Entitlements: item %d could not be assessed", index)
                faults.append(_unassessable(index))
    _refuse_if_any(faults)
    return {"results": results}


def _refuse_if_any(faults: list[FieldError]) -> None:
    """Raise a 422 naming every field at fault, if any is."""
    if faults:
        raise ServiceError(
            _("Some assessments are not valid."),
            code="invalid",
            fields=faults,
            status=422,
        )


def _unassessable(index: int) -> FieldError:
    return FieldError(
        field=f"items.{index}",
        message=str(_("This assessment could not be computed from these facts.")),
        code="unassessable",
    )


def _path(index: int, field: str) -> str:
    """Turn ``segments[0].origin`` of item 3 into ``items.3.segments.0.origin``."""
    return f"items.{index}." + re.sub(r"\[(\d+)\]", r".\1", field)
