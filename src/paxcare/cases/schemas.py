"""The shapes the REST API reads and writes for cases and messages.

Input schemas forbid unknown fields, so a typo in a field name is an error and not a
silently ignored value. Lengths are checked here too, so that the OpenAPI document
states them and an oversized field fails before any work is done.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from paxcare.cases.models import Attachment, Case, Message
from paxcare.intake.drafts import MAX_DESCRIPTION_CHARS, MAX_SUBJECT_CHARS
from paxcare.years import CODE as YEAR_CODE
from paxcare.years import year_fault

KindCode = Literal["complaint", "claim", "inquiry", "praise", "suggestion"]
PriorityCode = Literal["urgent", "high", "normal", "low"]
StatusCode = Literal["new", "open", "pending", "resolved", "closed"]
LanguageCode = Literal["en", "zh-hans"]


def reject_nul(value: Any) -> Any:
    """Refuse text with a NUL character: PostgreSQL cannot store one as text."""
    texts = value if isinstance(value, list) else [value]
    if any(isinstance(text, str) and "\x00" in text for text in texts):
        raise PydanticCustomError(
            "nul_character", str(_("Text must not contain NUL characters."))
        )
    return value


def reject_far_dates(value: Any) -> Any:
    """Refuse a date or time outside the years PaxCare works with (``years``)."""
    fault = year_fault(value) if isinstance(value, date) else None
    if fault is not None:
        raise PydanticCustomError(YEAR_CODE, fault)
    return value


class TextSchema(Schema):
    """Input whose every text field is refused, field by field, if it holds a NUL,
    and every date if it lies outside the years PaxCare can work with."""

    _no_nul = field_validator("*")(reject_nul)
    _no_far_dates = field_validator("*")(reject_far_dates)


class StrictSchema(TextSchema):
    model_config = ConfigDict(extra="forbid")


class CaseCreate(StrictSchema):
    """A new case, as an integration files it."""

    description: str = Field(max_length=MAX_DESCRIPTION_CHARS)
    subject: str = Field("", max_length=MAX_SUBJECT_CHARS)
    external_id: str | None = Field(None, max_length=200)
    kind: KindCode | None = None
    category: str | None = Field(None, max_length=60)
    priority: PriorityCode | None = None
    language: LanguageCode | None = None
    passenger_name: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    booking_reference: str = Field("", max_length=20)
    ticket_number: str = Field("", max_length=20)
    airline: str = Field("", max_length=3)
    flight_number: str = Field("", max_length=12)
    flight_date: date | None = None
    airport: str = Field("", max_length=3)
    received_at: datetime | None = None


class CaseUpdate(StrictSchema):
    """The fields a PATCH may change; a field left out stays as it is."""

    status: StatusCode | None = None
    category: str | None = Field(None, max_length=60)
    kind: KindCode | None = None
    priority: PriorityCode | None = None
    assignee: str | None = Field(
        None, max_length=150, description="A username, or null to unassign."
    )


class MessageCreate(StrictSchema):
    """A reply to the passenger or an internal note."""

    type: Literal["reply", "note"]
    body: str = Field(max_length=50_000)
    status: StatusCode | None = Field(
        None, description="For a reply: the status the case moves to with it."
    )


class SocialPost(StrictSchema):
    """A public post addressed to the airline, as a social-media bridge delivers it."""

    platform: str = Field(min_length=1, max_length=30, pattern=r"^[a-z0-9_.-]+$")
    post_id: str = Field(min_length=1, max_length=100)
    author_handle: str = Field("", max_length=120)
    text: str = Field(max_length=MAX_DESCRIPTION_CHARS)
    created_at: datetime
    airline: str | None = Field(None, max_length=60)


class PassengerOut(Schema):
    name: str
    email: str
    phone: str
    social_handle: str


class CaseOut(Schema):
    number: str
    subject: str
    channel: str
    kind: str
    category: str
    priority: str
    language: str
    status: str
    needs_triage: bool
    classifier_confidence: float | None
    department: str | None
    assignee: str | None
    airline: str
    flight_number: str
    flight_date: date | None
    airport: str
    booking_reference: str
    ticket_number: str
    external_id: str | None
    duplicate_of: str | None
    received_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_category(case: Case) -> str:
        return case.category.code

    @staticmethod
    def resolve_department(case: Case) -> str | None:
        return case.department.code if case.department_id else None

    @staticmethod
    def resolve_assignee(case: Case) -> str | None:
        return case.assignee.get_username() if case.assignee_id else None

    @staticmethod
    def resolve_duplicate_of(case: Case) -> str | None:
        return case.duplicate_of.number if case.duplicate_of_id else None


class AttachmentOut(Schema):
    id: int
    name: str
    size: int = Field(description="Bytes.")
    type: str = Field(description="The content type, judged from the bytes.")
    url: str = Field(description="Where to download it, with the same token.")

    @staticmethod
    def resolve_name(attachment: Attachment) -> str:
        return attachment.original_name

    @staticmethod
    def resolve_size(attachment: Attachment) -> int:
        return attachment.size_bytes

    @staticmethod
    def resolve_type(attachment: Attachment) -> str:
        return attachment.content_type

    @staticmethod
    def resolve_url(attachment: Attachment) -> str:
        return reverse(
            "api:get_case_attachment",
            kwargs={"number": attachment.case.number, "attachment_id": attachment.pk},
        )


class ClockOut(Schema):
    kind: str
    state: str
    business_hours: bool
    target_minutes: int
    started_at: datetime
    due_at: datetime
    warn_at: datetime | None
    stopped_at: datetime | None
    breached_at: datetime | None
    remaining: int | None = Field(
        description="Minutes left in the clock's own counting; negative when late."
    )
    paused_minutes: int
    risk: str


class CaseDetail(CaseOut):
    description: str
    passenger: PassengerOut
    sla: list[ClockOut] = Field(default_factory=list)
    attachments: list[AttachmentOut] = Field(
        description="Every file of the case, those sent with it and with its messages."
    )

    @staticmethod
    def resolve_attachments(case: Case) -> list[Attachment]:
        return list(case.attachments.select_related("case"))

    @staticmethod
    def resolve_passenger(case: Case) -> dict:
        passenger = case.passenger
        return {
            "name": passenger.full_name,
            "email": passenger.email,
            "phone": passenger.phone,
            "social_handle": passenger.social_handle,
        }


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: str | None = Field(
        description="Pass as ``cursor`` for the next page; null on the last page."
    )


class MessageOut(Schema):
    id: int
    direction: str
    channel: str
    body: str
    author: str
    created_at: datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_author(message: Message) -> str:
        return message.author_label

    @staticmethod
    def resolve_attachments(message: Message) -> list[Attachment]:
        return list(message.attachments.all())


class IntakeOut(Schema):
    created: bool
    case: CaseOut
