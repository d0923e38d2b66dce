"""Use cases of a case once it exists: who may see it, messages, notes, status.

Each function runs in one transaction and writes the timeline Event with old and new
values. Lookups are scoped to whoever asks.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from paxcare.cases.attachments import CheckedFile
from paxcare.cases.events import EventType, record_event
from paxcare.cases.lifecycle import Status, TransitionError, check_transition, is_reopen
from paxcare.cases.models import Attachment, Case, Channel, Message
from paxcare.cases.numbers import normalise_case_number
from paxcare.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from paxcare.routing.models import Role
from paxcare.routing.services import agent_profile, assign_case
from paxcare.sla import services as sla
from paxcare.triage.models import Category
from paxcare.triage.services import keep_correction

logger = logging.getLogger(__name__)

MAX_BODY_CHARS = 50_000
# Who an event without an account came from, kept as data and worded on display.
PASSENGER = "passenger"


# --- Who sees what ------------------------------------------------------------


def sees_every_case(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    profile = agent_profile(user)
    return profile is not None and (
        profile.sees_all_departments or profile.role in (Role.ADMIN, Role.AUDITOR)
    )


def cases_visible_to(user) -> QuerySet[Case]:
    """Return the cases ``user`` may see: their departments' and their own."""
    if sees_every_case(user):
        return Case.objects.all()
    profile = agent_profile(user)
    if profile is None or not user.is_active:
        return Case.objects.none()
    return Case.objects.filter(
        Q(department__in=profile.departments.all()) | Q(assignee=user)
    )


def get_case_for_staff(user, number: str) -> Case:
    """Return a visible case by number; NotFound for missing and hidden alike."""
    canonical = normalise_case_number(number)
    case = (
        cases_visible_to(user)
        .select_related("category", "department", "assignee", "passenger")
        .filter(number=canonical)
        .first()
        if canonical
        else None
    )
    if case is None:
        raise NotFound(_("No case with this number."))
    return case


def case_for_passenger(number: str, email: str) -> Case | None:
    """Return the case only when the e-mail is the passenger's own."""
    canonical = normalise_case_number(number)
    email = (email or "").strip()
    if not canonical or not email:
        return None
    return (
        Case.objects.select_related("category", "passenger")
        .filter(number=canonical, passenger__email__iexact=email)
        .first()
    )


def may_work(user, case: Case) -> bool:
    """Agents may change the cases they see; auditors only read."""
    profile = agent_profile(user)
    if user.is_superuser:
        return True
    if profile is None or profile.role == Role.AUDITOR:
        return False
    return cases_visible_to(user).filter(pk=case.pk).exists()


def _require_work(user, case: Case) -> None:
    if not may_work(user, case):
        raise PermissionDenied(_("You may not change this case."))


def _check_body(body: str, field: str = "body") -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidInput([FieldError(field, _("Write a message."), "required")])
    if len(body) > MAX_BODY_CHARS:
        raise InvalidInput(
            [
                FieldError(
                    field,
                    _("At most %(n)d characters.") % {"n": MAX_BODY_CHARS},
                    "too_long",
                )
            ]
        )
    return body


# --- Status -------------------------------------------------------------------


def change_status(
    case: Case,
    new_status: str,
    *,
    actor=None,
    channel: str = Channel.SYSTEM,
    at: datetime | None = None,
) -> Case:
    """Move a case along the state machine, keeping the KPI timestamps right."""
    at = at or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        old = case.status
        if old == new_status:
            return case
        try:
            check_transition(old, new_status)
        except TransitionError as error:
            message = _("A case cannot go from %(old)s to %(new)s.") % {
                "old": _status_label(old),
                "new": _status_label(new_status),
            }
            raise Conflict(message, code="invalid_transition") from error
        if new_status == Status.RESOLVED:
            # Imported here: remedies builds on this module. Raises Conflict while
            # required steps of the case's playbook are open.
            from paxcare.remedies.services import ensure_resolvable

            ensure_resolvable(case)
        _stamp(case, old, new_status, at)
        case.save()
        record_event(
            case,
            EventType.REOPENED
            if is_reopen(old, new_status)
            else EventType.STATUS_CHANGED,
            actor=actor,
            channel=channel,
            data={"old": old, "new": new_status},
            at=at,
        )
        sla.on_status_change(case, old, new_status, at)
    return case


def _status_label(value: str) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return value


def _stamp(case: Case, old: str, new: str, at: datetime) -> None:
    case.status = new
    if new == Status.RESOLVED:
        case.resolved_at = at
    elif new == Status.CLOSED:
        case.closed_at = at
    if is_reopen(old, new):
        case.reopened_count += 1
        case.resolved_at = None
        case.closed_at = None


# --- Messages -----------------------------------------------------------------


def reply_to_passenger(
    case: Case,
    body: str,
    *,
    actor,
    new_status: str | None = None,
    files: list[CheckedFile] | None = None,
    at: datetime | None = None,
) -> Message:
    """Send the passenger a message; the first one is the case's first response."""
    _require_work(actor, case)
    body = _check_body(body)
    at = at or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        message = Message.objects.create(
            case=case,
            direction=Message.Direction.OUTBOUND,
            channel=case.channel,
            body=body,
            author=actor,
            author_label=actor.get_full_name() or actor.get_username(),
            created_at=at,
        )
        _attach(case, message, files or [], is_public=True, at=at)
        first = case.first_response_at is None
        if first:
            case.first_response_at = at
            case.save(update_fields=["first_response_at", "updated_at"])
        # Recorded once the first response is saved: receivers read the case.
        record_event(
            case, EventType.REPLY_SENT, actor=actor, data={"message": message.pk}, at=at
        )
        if first:
            sla.record_first_response(case, at)
        target = new_status or (Status.OPEN if case.status == Status.NEW else None)
    if target and target != case.status:
        change_status(case, target, actor=actor, at=at)
    return message


def add_note(case: Case, body: str, *, actor, at: datetime | None = None) -> Message:
    """Add an internal note that the passenger never sees."""
    _require_work(actor, case)
    body = _check_body(body)
    at = at or timezone.now()
    with transaction.atomic():
        note = Message.objects.create(
            case=case,
            direction=Message.Direction.INTERNAL,
            channel=Channel.SYSTEM,
            body=body,
            author=actor,
            author_label=actor.get_full_name() or actor.get_username(),
            created_at=at,
        )
        record_event(
            case, EventType.NOTE_ADDED, actor=actor, data={"message": note.pk}, at=at
        )
    return note


def add_passenger_message(
    case: Case,
    body: str,
    *,
    channel: str,
    files: list[CheckedFile] | None = None,
    external_id: str | None = None,
    at: datetime | None = None,
    author_label: str = "",
) -> Message:
    """File a passenger's reply. Pending cases reopen to open; closed ones reopen.

    ``author_label`` names who wrote when it is not the case's passenger (a public
    post filed on the case by its flight and booking); by default, the passenger.
    """
    body = _check_body(body)
    at = at or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if external_id:
            existing = case.messages.filter(external_id=external_id).first()
            if existing is not None:
                return existing
        message = Message.objects.create(
            case=case,
            direction=Message.Direction.INBOUND,
            channel=channel,
            body=body,
            author_label=author_label or str(case.passenger),
            external_id=external_id,
            created_at=at,
        )
        _attach(case, message, files or [], is_public=True, at=at)
        # No label: who wrote is data ("from"), put in words when it is shown.
        record_event(
            case,
            EventType.MESSAGE_RECEIVED,
            label="",
            channel=channel,
            data={"message": message.pk, "from": PASSENGER},
            at=at,
        )
    if case.status in (Status.PENDING, Status.RESOLVED, Status.CLOSED):
        change_status(case, Status.OPEN, channel=channel, at=at)
    return message


def add_case_files(
    case: Case,
    files: list[CheckedFile],
    *,
    channel: str,
    at: datetime | None = None,
) -> list[Attachment]:
    """Keep the files a passenger sent with a new case, beside its description.

    They belong to no message: a message would need words, and words written here
    would be in the filing language whatever language reads them later.
    """
    at = at or timezone.now()
    with transaction.atomic():
        return _attach(case, None, files, is_public=True, at=at, channel=channel)


def _attach(
    case,
    message,
    files: list[CheckedFile],
    *,
    is_public: bool,
    at,
    channel: str | None = None,
) -> list[Attachment]:
    attachments = []
    for checked in files:
        attachment = Attachment(
            case=case,
            message=message,
            original_name=checked.name,
            content_type=checked.content_type,
            size_bytes=checked.size_bytes,
            sha256=checked.sha256,
            is_public=is_public,
            uploaded_at=at,
        )
        attachment.file.save(checked.name, checked.upload, save=False)
        attachment.save()
        attachments.append(attachment)
        data = {
            "attachment": attachment.pk,
            "name": checked.name,
            "bytes": checked.size_bytes,
        }
        if message is None:
            data["from"] = PASSENGER
        record_event(
            case,
            EventType.ATTACHMENT_ADDED,
            label=message.author_label if message is not None else "",
            channel=message.channel if message is not None else channel,
            data=data,
            at=at,
        )
    return attachments


def attachment_for_staff(user, number: str, attachment_id: int) -> Attachment:
    """Return an attachment of a case ``user`` sees; NotFound otherwise."""
    case = get_case_for_staff(user, number)
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound(_("No attachment with this id on this case."))
    return attachment


def attachment_for_passenger(case: Case, attachment_id: int) -> Attachment | None:
    """Return a file of ``case`` its passenger may see: never one of a staff note."""
    return (
        case.attachments.filter(pk=attachment_id, is_public=True)
        .exclude(message__direction=Message.Direction.INTERNAL)
        .first()
    )


def case_files(case: Case):
    """The files sent with the case itself, not with one of its messages."""
    return case.attachments.filter(message__isnull=True, is_public=True)


# --- Classification -------------------------------------------------------------


def change_category(
    case: Case, category: Category, *, actor, kind: str | None = None
) -> Case:
    """Correct what a case is about; the correction becomes training data."""
    _require_work(actor, case)
    from paxcare.routing.services import change_department, routes_by_category

    with transaction.atomic():
        case = (
            Case.objects.select_for_update().select_related("category").get(pk=case.pk)
        )
        old = {"category": case.category.code, "kind": case.kind}
        case.category = category
        case.kind = kind or case.kind
        case.needs_triage = False
        case.save(update_fields=["category", "kind", "needs_triage", "updated_at"])
        record_event(
            case,
            EventType.CATEGORY_CHANGED,
            actor=actor,
            data={"old": old, "new": {"category": category.code, "kind": case.kind}},
        )
        keep_correction(case, category.code, case.kind, actor)
        department = routes_by_category().get(category.pk)
        if department is not None and department.pk != case.department_id:
            case = change_department(case, department, actor=actor)
            case = assign_case(case, actor=actor)
    return case


def change_priority(case: Case, priority: str, *, actor) -> Case:
    _require_work(actor, case)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        old = case.priority
        if old == priority:
            return case
        case.priority = priority
        case.save(update_fields=["priority", "updated_at"])
        record_event(
            case,
            EventType.PRIORITY_CHANGED,
            actor=actor,
            data={"old": old, "new": priority},
        )
    return case


def public_timeline(case: Case):
    """What the passenger may see: public messages, oldest first."""
    return (
        case.messages.exclude(direction=Message.Direction.INTERNAL)
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
