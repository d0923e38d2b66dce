"""``/api/v1/cases``: create, list, read and change cases; their messages.

Every lookup goes through ``cases_visible_to``: a case that does not exist and a case
the caller may not see answer the same 404.
"""

import base64
import binascii
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from pydantic import Field

from paxcare.cases import services
from paxcare.cases.downloads import attachment_response
from paxcare.cases.events import EventType
from paxcare.cases.models import Attachment, Case, Channel
from paxcare.cases.schemas import (
    CaseCreate,
    CaseDetail,
    CaseOut,
    CasePage,
    CaseUpdate,
    MessageCreate,
    MessageOut,
    StatusCode,
    TextSchema,
)
from paxcare.cases.search import search_filter
from paxcare.errors import Conflict, FieldError, InvalidInput, PermissionDenied
from paxcare.intake.batcher import case_for_answer, file_case
from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import parse_received_at
from paxcare.ratelimit import ApiThrottle
from paxcare.routing.models import Role
from paxcare.routing.services import agent_profile, may_assign, reassign_case
from paxcare.sla import services as sla
from paxcare.triage.services import categories_by_code

router = Router(tags=["cases"])

# Lookups by case number are limited per account, so that nobody can walk the number
# space: 300 a minute is five a second, far above an agent's pace. The count is kept
# in the shared cache, so it holds across every web worker.
LOOKUP_THROTTLE = [ApiThrottle("case-lookup", limit=300, window_seconds=60)]
PAGE_MAX = 200


def may_file_cases(user) -> bool:
    """Return whether ``user`` may open cases through the API (not auditors)."""
    if user.is_superuser:
        return True
    profile = agent_profile(user)
    return profile is not None and profile.role != Role.AUDITOR


def require_filing(user) -> None:
    if not may_file_cases(user):
        raise PermissionDenied(_("This account may not open cases."))


def _with_relations(queryset: QuerySet[Case]) -> QuerySet[Case]:
    return queryset.select_related(
        "category", "department", "assignee", "duplicate_of", "passenger"
    )


@router.post(
    "",
    response={200: CaseOut, 201: CaseOut},
    operation_id="create_case",
    summary="Open a case",
)
def create_case(request, payload: CaseCreate):
    """Open a case on the ``api`` channel. A known ``external_id`` returns its case."""
    require_filing(request.user)
    fields = payload.model_dump(exclude_none=True)
    fields["received_at"] = parse_received_at(fields.get("received_at"))
    result = file_case(CaseDraft(channel=Channel.API, **fields), actor=request.user)
    require_sight_of_known_case(request.user, result)
    return Status(201 if result.created else 200, case_for_answer(result))


def require_sight_of_known_case(user, result) -> None:
    """Refuse to hand back an existing case the caller may not see.

    A known external id returns its case, which makes retries safe for whoever filed
    it; but external ids such as post ids are public, so without this check they
    would open any case to anyone.
    """
    if result.created:
        return
    case = result.case
    filed_it = case.events.filter(type=EventType.CREATED, actor=user).exists()
    if not filed_it and not services.cases_visible_to(user).filter(pk=case.pk).exists():
        raise Conflict(
            _("This external id already belongs to a case you cannot see."),
            code="external_id_taken",
        )


class CaseFilters(TextSchema):
    status: list[StatusCode] = Field(default_factory=list)
    category: str | None = None
    channel: str | None = None
    department: str | None = None
    assignee: str | None = Field(
        None, description='A username, "me", or "none" for unassigned cases.'
    )
    sla_risk: str | None = Field(None, description='"breached", "warning" or "ok".')
    q: str | None = Field(None, max_length=200)
    received_after: datetime | None = None
    received_before: datetime | None = None
    limit: int = Field(50, ge=1, le=PAGE_MAX)
    cursor: str | None = None


@router.get(
    "",
    response=CasePage,
    operation_id="list_cases",
    summary="List the cases you can see",
)
def list_cases(request, filters: Query[CaseFilters]):
    """Newest first; follow ``next_cursor`` for the next page."""
    queryset = _filtered(services.cases_visible_to(request.user), filters, request.user)
    if filters.cursor:
        received_at, pk = _decode_cursor(filters.cursor)
        queryset = queryset.filter(
            Q(received_at__lt=received_at) | Q(received_at=received_at, pk__lt=pk)
        )
    rows = list(
        _with_relations(queryset).order_by("-received_at", "-pk")[: filters.limit + 1]
    )
    more = len(rows) > filters.limit
    items = rows[: filters.limit]
    return {
        "items": items,
        "next_cursor": _encode_cursor(items[-1]) if more else None,
    }


def _filtered(queryset: QuerySet[Case], filters: CaseFilters, user) -> QuerySet[Case]:
    if filters.status:
        queryset = queryset.filter(status__in=filters.status)
    if filters.category:
        queryset = queryset.filter(category__code=filters.category)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.department:
        queryset = queryset.filter(department__code=filters.department)
    if filters.assignee == "none":
        queryset = queryset.filter(assignee__isnull=True)
    elif filters.assignee == "me":
        queryset = queryset.filter(assignee=user)
    elif filters.assignee:
        queryset = queryset.filter(assignee__username=filters.assignee)
    if filters.sla_risk:
        try:
            queryset = queryset.filter(sla.sla_risk_filter(filters.sla_risk))
        except ValueError as error:
            raise InvalidInput(
                [FieldError("sla_risk", str(error), "invalid_choice")]
            ) from error
    if filters.q:
        # The console's search: the same cases for the same words in both places.
        queryset = queryset.filter(search_filter(filters.q))
    if filters.received_after:
        queryset = queryset.filter(received_at__gte=_aware(filters.received_after))
    if filters.received_before:
        queryset = queryset.filter(received_at__lt=_aware(filters.received_before))
    return queryset


def _aware(value: datetime) -> datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone())
    return value


def _encode_cursor(case: Case) -> str:
    raw = f"{case.received_at.isoformat()}|{case.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, pk = base64.urlsafe_b64decode(padded).decode().split("|")
        received_at = parse_datetime(stamp)
        if received_at is None:
            raise ValueError(stamp)
        return received_at, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidInput(
            [FieldError("cursor", _("Not a cursor from this API."), "invalid")]
        ) from error


@router.get(
    "/{number}",
    response=CaseDetail,
    operation_id="get_case",
    summary="Read one case",
    throttle=LOOKUP_THROTTLE,
)
def get_case(request, number: str):
    """Return the case with its passenger and SLA clocks."""
    case = services.get_case_for_staff(request.user, number)
    case.sla = sla.clock_summary(case)
    return case


@router.patch(
    "/{number}",
    response=CaseDetail,
    operation_id="update_case",
    summary="Change status, category, kind, priority or assignee",
    throttle=LOOKUP_THROTTLE,
)
def update_case(request, number: str, payload: CaseUpdate):
    """Apply every given change in one transaction; a field left out stays as it is."""
    user = request.user
    case = services.get_case_for_staff(user, number)
    if not services.may_work(user, case):
        raise PermissionDenied(_("You may not change this case."))
    changes = payload.model_dump(exclude_unset=True)
    category, assignee = _check_update(changes, user, case)
    with transaction.atomic():
        if category is not None or changes.get("kind"):
            category = category or case.category
            case = services.change_category(
                case, category, actor=user, kind=changes.get("kind")
            )
        if changes.get("priority"):
            case = services.change_priority(case, changes["priority"], actor=user)
        if "assignee" in changes:
            case = reassign_case(case, assignee, actor=user)
        if changes.get("status"):
            case = services.change_status(
                case, changes["status"], actor=user, channel=Channel.API
            )
    # Not ``get_case``: a new category or assignee may have taken the case out of
    # the caller's sight, and the change they just made must not answer 404.
    case = _with_relations(Case.objects).get(pk=case.pk)
    case.sla = sla.clock_summary(case)
    return case


def _check_update(changes: dict, user, case: Case):
    """Return the category and assignee a PATCH names; InvalidInput when unknown."""
    errors, category, assignee = [], None, None
    if changes.get("category"):
        category = categories_by_code().get(changes["category"])
        if category is None:
            errors.append(
                FieldError("category", _("Unknown category."), "invalid_choice")
            )
    if "assignee" in changes:
        username = changes["assignee"]
        if username is not None:
            assignee = (
                get_user_model().objects.filter(username=username, agent__isnull=False)
            ).first()
            if assignee is None:
                errors.append(
                    FieldError("assignee", _("No agent with this username."), "invalid")
                )
        if not may_assign(user, case, assignee):
            raise PermissionDenied(
                _("Only supervisors give cases to others; agents take unassigned ones.")
            )
    if errors:
        raise InvalidInput(errors)
    return category, assignee


@router.get(
    "/{number}/messages",
    response=list[MessageOut],
    operation_id="list_case_messages",
    summary="List a case's messages and internal notes",
    throttle=LOOKUP_THROTTLE,
)
def list_messages(request, number: str):
    """Oldest first; internal notes included (the API serves staff only)."""
    case = services.get_case_for_staff(request.user, number)
    files = Attachment.objects.select_related("case")
    return list(
        case.messages.prefetch_related(
            Prefetch("attachments", queryset=files)
        ).order_by("created_at", "id")
    )


@router.get(
    "/{number}/attachments/{attachment_id}",
    response={200: None},
    operation_id="get_case_attachment",
    url_name="get_case_attachment",
    summary="Download a file of a case",
    throttle=LOOKUP_THROTTLE,
    openapi_extra={
        "responses": {
            # An int, as django-ninja keys its own: a "200" string would be a second
            # key of the same name in the JSON, which Swagger UI refuses.
            200: {
                "description": "The file, as a download.",
                "content": {
                    "application/octet-stream": {
                        "schema": {"type": "string", "format": "binary"}
                    }
                },
            }
        }
    },
)
def get_attachment(request, number: str, attachment_id: int):
    """The file with its stored content type, always as a download."""
    found = services.attachment_for_staff(request.user, number, attachment_id)
    return attachment_response(found)


@router.post(
    "/{number}/messages",
    response={201: MessageOut},
    operation_id="create_case_message",
    summary="Reply to the passenger or add an internal note",
    throttle=LOOKUP_THROTTLE,
)
def create_message(request, number: str, payload: MessageCreate):
    """A reply is sent to the passenger; a note stays between staff."""
    case = services.get_case_for_staff(request.user, number)
    if payload.type == "note":
        if payload.status:
            raise InvalidInput(
                [
                    FieldError(
                        "status", _("A note does not change the status."), "invalid"
                    )
                ]
            )
        return Status(201, services.add_note(case, payload.body, actor=request.user))
    with transaction.atomic():
        # One transaction: a refused status change takes the reply back with it.
        message = services.reply_to_passenger(
            case, payload.body, actor=request.user, new_status=payload.status
        )
    return Status(201, message)
