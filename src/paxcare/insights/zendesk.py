"""Import a Zendesk ticket export: the history an airline brings from its helpdesk.

One ticket object per line (JSON Lines), as Zendesk's ticket export writes them,
with its ``comments`` and, where the export has them, the ``requester`` user and
the ``metric_set``. Each ticket becomes a case with its messages, its timeline
events and its survey answer, every one at its original time, so that the KPIs of
the past come out right from the first day:

- ``created_at`` is when the case was received; the first public comment by
  someone other than the requester is its first response;
- ``solved`` and ``closed`` tickets are resolved at ``metric_set.solved_at`` (else
  ``updated_at``), closed tickets closed at ``updated_at``; ``hold`` counts as open;
- ``metric_set.reopens`` becomes the reopen count (the export has no times for
  them, so they write no events);
- ``satisfaction_rating`` ``good`` is recorded as 5 and ``bad`` as 1 (Zendesk asks
  a yes/no question: both land on the right side of CSAT's 4-5 line); ``offered``
  is a survey sent and not answered; any other score is reported on the ticket's
  line and the ticket imported without a survey;
- tags name the category (``baggage_delayed`` or ``baggage.delayed``), the flight
  (``flight_ca981``, whose first two characters are the airline) and the airport
  (``airport_pek``); without a category tag the classifier decides, as for any new
  case.

Times keep their order: an ``updated_at``, ``metric_set.solved_at`` or
``satisfaction_rating`` time before the ticket's ``created_at`` is taken as
``created_at`` and reported on the ticket's line, and a rating is never answered
before it was offered. Every time is to be in the years 1900 to 2999, as anywhere
in PaxCare (``paxcare.years``); ``created_at``, the case's receipt, is moreover
held to intake's rule for receipts: not before 2000-01-01.

The SLA clocks run as they would have under today's policies, from receipt. The
import announces nothing to the other apps: a ticket closed years ago owes the
passenger no acknowledgement and no survey. A ticket already imported (by its
Zendesk id) is skipped, so a re-import changes nothing; a bad line (not JSON, a
field of the wrong type, a missing time) is reported with its number and skipped.
A description or comment over the length of a case description is kept, shortened
to that length and ending in a note that says so.
"""

import dataclasses
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from paxcare.bulk import insert_rows
from paxcare.cases.events import EventType, build_event
from paxcare.cases.lifecycle import Status
from paxcare.cases.models import Case, Channel, Event, Message
from paxcare.cases.numbers import new_case_number
from paxcare.cases.search import search_document
from paxcare.crm.services import link_passengers
from paxcare.errors import FieldError
from paxcare.insights.models import CaseTiming
from paxcare.insights.rollups import refresh_facts
from paxcare.insights.timing import (
    StatusChange,
    office_calendar,
    sla_met_times,
    timing_from_history,
)
from paxcare.intake.drafts import (
    MAX_DESCRIPTION_CHARS,
    CaseDraft,
    clean_draft,
    renamed,
)
from paxcare.intake.importers import (
    ImportReport,
    RowError,
    import_in_batches,
    parse_post_time,
)
from paxcare.routing.services import routes_by_category
from paxcare.sla import services as sla
from paxcare.surveys.events import SurveyEvent
from paxcare.surveys.models import Survey, SurveySource
from paxcare.triage.services import categories_by_code, triage_texts
from paxcare.years import year_fault

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
EXTERNAL_PREFIX = "zendesk:"
IMPORT_LABEL = "Zendesk"

CHANNELS = {
    "email": Channel.EMAIL,
    "web": Channel.WEB,
    "web_form": Channel.WEB,
    "voice": Channel.PHONE,
    "phone": Channel.PHONE,
    "chat": Channel.CHAT,
    "native_messaging": Channel.CHAT,
    "twitter": Channel.SOCIAL,
    "facebook": Channel.SOCIAL,
    "api": Channel.API,
}
STATUSES = {
    "new": Status.NEW,
    "open": Status.OPEN,
    "hold": Status.OPEN,
    "pending": Status.PENDING,
    "solved": Status.RESOLVED,
    "closed": Status.CLOSED,
}
KINDS = {"problem": "complaint", "incident": "complaint", "question": "inquiry"}
RATINGS = {"good": 5, "bad": 1}
# "unoffered" (no survey sent) and no score at all make no survey, and say nothing.
NO_SURVEY = {"", "unoffered"}
# A case draft's fields under the names of the export, for the error lines.
ZENDESK_FIELDS = {
    "received_at": "created_at",
    "external_id": "id",
    "kind": "type",
    "channel": "via.channel",
    "passenger_name": "requester.name",
    "email": "requester.email",
    "phone": "requester.phone",
    "flight_number": "tags (flight_)",
    "airline": "tags (flight_)",
    "airport": "tags (airport_)",
}


@dataclass
class Ticket:
    """One ticket, read and checked, with the draft of its case."""

    line: int
    zendesk_id: str
    draft: CaseDraft
    status: str
    updated_at: datetime
    solved_at: datetime | None
    reopens: int
    comments: list[dict[str, Any]]
    requester_id: Any
    rating: dict[str, Any] | None
    # The rating's times, read and put in order: (offered, answered).
    rating_times: tuple[datetime | None, datetime | None] = (None, None)
    # What was read otherwise than written, for the ticket's line of the report.
    notes: list[str] = dataclasses.field(default_factory=list)


class TicketError(ValueError):
    """A line that is not a usable ticket."""


# --- Reading ---------------------------------------------------------------------


def read_tickets(lines: Iterator[bytes], zone: ZoneInfo) -> Iterator[Ticket | RowError]:
    """Yield a Ticket or a RowError per non-blank line."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise TicketError(_("not a ticket object"))
            yield _ticket(number, data, zone)
        except UnicodeDecodeError:
            yield RowError(number, _("not valid UTF-8"))
        except json.JSONDecodeError as error:
            yield RowError(
                number, _("not valid JSON (%(error)s)") % {"error": error.msg}
            )
        except TicketError as error:
            yield RowError(number, str(error))
        except (TypeError, ValueError, AttributeError):
            # A shape no check above foresaw: the line is still only this line.
            logger.info("zendesk import: line %d has an unexpected shape", number)
            yield RowError(number, _("a field has the wrong type"))


def _time(
    data: dict, key: str, zone: ZoneInfo, required: bool = True, within: str = ""
) -> datetime | None:
    value = data.get(key)
    field = f"{within}.{key}" if within else key
    if value in (None, ""):
        if required:
            raise TicketError(_("%(field)s is missing") % {"field": field})
        return None
    parsed = parse_post_time(str(value), zone)
    if parsed is None:
        raise TicketError(
            _("%(field)s is not a time: %(value)r") % {"field": field, "value": value}
        )
    fault = year_fault(parsed.date())
    if fault:
        raise TicketError(f"{field}: {fault}")
    return parsed


def _object(data: dict, key: str) -> dict:
    """Return the object ``data[key]``, {} when absent; refuse any other type."""
    value = data.get(key)
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise TicketError(_("%(field)s is not an object") % {"field": key})
    return value


def _list(data: dict, key: str) -> list:
    """Return the list ``data[key]``, [] when absent; refuse any other type."""
    value = data.get(key)
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise TicketError(_("%(field)s is not a list") % {"field": key})
    return value


def _count(data: dict, key: str) -> int:
    value = data.get(key) or 0
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TicketError(_("%(field)s is not a number") % {"field": key})
    try:
        return max(int(value), 0)
    except ValueError as error:
        raise TicketError(_("%(field)s is not a number") % {"field": key}) from error


def _shortened(text: str) -> str:
    """Keep a text within a case description's limit, saying that it was cut."""
    if len(text) <= MAX_DESCRIPTION_CHARS:
        return text
    note = _("[Shortened: the full text is in the Zendesk export.]")
    return text[: MAX_DESCRIPTION_CHARS - len(note) - 2].rstrip() + "\n\n" + note


def _ticket(line: int, data: dict, zone: ZoneInfo) -> Ticket:
    if data.get("id") in (None, ""):
        raise TicketError(_("id is missing"))
    if isinstance(data["id"], dict | list | bool):
        raise TicketError(_("%(field)s is not a number") % {"field": "id"})
    status = STATUSES.get(str(data.get("status", "")).lower())
    if status is None:
        raise TicketError(_("unknown status %(value)r") % {"value": data.get("status")})
    created = _time(data, "created_at", zone)
    notes: list[str] = []
    in_order = _InOrder(created, notes)
    updated = in_order(_time(data, "updated_at", zone, required=False), "updated_at")
    metrics = _object(data, "metric_set")
    solved = in_order(
        _time(metrics, "solved_at", zone, required=False, within="metric_set"),
        "metric_set.solved_at",
    )
    comments = sorted(
        (_comment(c, zone) for c in _list(data, "comments")),
        key=lambda c: c["created_at"],
    )
    rating = _object(data, "satisfaction_rating") or None
    return Ticket(
        line=line,
        zendesk_id=str(data["id"]),
        draft=_draft(data, created, comments, zone),
        status=status,
        updated_at=updated or created,
        solved_at=solved,
        reopens=_count(metrics, "reopens"),
        comments=comments,
        requester_id=data.get("requester_id"),
        rating=rating,
        # Read now, so that a bad time rejects this line and not the whole batch.
        rating_times=_rating_times(rating, in_order),
        notes=notes,
    )


class _InOrder:
    """Take a ticket's times no earlier than its creation, noting each moved one."""

    def __init__(self, created: datetime, notes: list[str]):
        self.created, self.notes = created, notes

    def __call__(self, at: datetime | None, name: str) -> datetime | None:
        if at is None or at >= self.created:
            return at
        self.notes.append(
            _("%(field)s %(value)s is before created_at: taken as created_at")
            % {"field": name, "value": at.isoformat()}
        )
        return self.created


def _rating_times(
    rating: dict | None, in_order: _InOrder
) -> tuple[datetime | None, datetime | None]:
    """Return when a rating was offered and answered, in order; note a bad score."""
    if rating is None:
        return None, None
    utc = ZoneInfo("UTC")
    offered, answered = (
        in_order(
            _time(rating, key, utc, False, "satisfaction_rating"),
            f"satisfaction_rating.{key}",
        )
        for key in ("created_at", "updated_at")
    )
    score = str(rating.get("score") or "").lower()
    if score not in {*RATINGS, "offered", *NO_SURVEY}:
        in_order.notes.append(
            _(
                "satisfaction_rating.score %(value)r is not good, bad or offered: "
                "imported without a survey"
            )
            % {"value": rating.get("score")}
        )
    offered = offered or answered
    if offered and answered and answered < offered:
        answered = offered
    return offered, answered


def _comment(data: Any, zone: ZoneInfo) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TicketError(_("a comment is not an object"))
    body = _shortened(str(data.get("plain_body") or data.get("body") or "").strip())
    return {
        "id": str(data.get("id", "")),
        "author_id": data.get("author_id"),
        "public": bool(data.get("public", True)),
        "body": body,
        "created_at": _time(data, "created_at", zone, within="comments"),
    }


def _draft(data: dict, created: datetime, comments: list, zone) -> CaseDraft:
    requester = _object(data, "requester")
    tags = [str(tag).lower() for tag in _list(data, "tags")]
    description = _shortened(str(data.get("description") or "").strip())
    if not description and comments:
        description = comments[0]["body"]
    via = _object(data, "via").get("channel", "")
    return CaseDraft(
        description=description,
        subject=str(data.get("subject") or ""),
        channel=CHANNELS.get(str(via).lower(), Channel.WEB),
        external_id=f"{EXTERNAL_PREFIX}{data['id']}",
        kind=KINDS.get(str(data.get("type") or "").lower(), ""),
        priority=str(data.get("priority") or "").lower(),
        passenger_name=str(requester.get("name") or ""),
        email=str(requester.get("email") or ""),
        phone=str(requester.get("phone") or ""),
        flight_number=_tag_value(tags, "flight_").upper(),
        airport=_tag_value(tags, "airport_").upper(),
        received_at=created,
        extra={"tags": tags},
    )


def _tag_value(tags: list[str], prefix: str) -> str:
    return next((tag[len(prefix) :] for tag in tags if tag.startswith(prefix)), "")


def _category_tag(tags: list[str], known: set[str]) -> str:
    for tag in tags:
        for code in (tag, tag.replace("_", ".", 1)):
            if code in known:
                return code
    return ""


# --- Importing ---------------------------------------------------------------------


def import_zendesk_json(
    path: Path,
    *,
    zone: ZoneInfo,
    batch_size: int = BATCH_SIZE,
    on_error: Callable[[RowError], None] = lambda error: None,
    on_progress: Callable[[int], None] = lambda position: None,
) -> ImportReport:
    """Import a Zendesk export; report each bad line and import the good tickets."""
    report = ImportReport()
    started = time.perf_counter()
    with path.open("rb") as raw:
        import_in_batches(
            read_tickets(raw, zone),
            _import_batch,
            report,
            batch_size=batch_size,
            on_error=on_error,
            on_progress=lambda: on_progress(raw.tell()),
        )
    report.seconds = time.perf_counter() - started
    logger.info(
        "zendesk import: %d read, %d created, %d known, %d rejected in %.1f s",
        report.read,
        report.created,
        report.known,
        report.rejected,
        report.seconds,
    )
    return report


def _import_batch(batch: list[Ticket], report: ImportReport, on_error) -> None:
    known = set(
        Case.objects.filter(
            external_id__in=[t.draft.external_id for t in batch]
        ).values_list("external_id", flat=True)
    )
    categories = categories_by_code()
    fresh, seen = [], set()
    for ticket in batch:
        if ticket.draft.external_id in known | seen:
            report.known += 1
            continue
        tags = ticket.draft.extra.get("tags", [])
        ticket.draft.category = _category_tag(tags, set(categories))
        errors = clean_draft(ticket.draft, set(categories))
        if errors:
            report.rejected += 1
            on_error(RowError(ticket.line, _details(errors)))
            continue
        if ticket.notes:
            # Imported all the same: the line says what was read otherwise.
            on_error(RowError(ticket.line, "; ".join(ticket.notes)))
        seen.add(ticket.draft.external_id)
        fresh.append(ticket)
    if fresh:
        with transaction.atomic():
            _write(fresh, categories)
        report.created += len(fresh)


def _details(errors: list[FieldError]) -> str:
    """Return a draft's errors on one line, under the export's field names."""
    return "; ".join(f"{e.field}: {e.message}" for e in renamed(errors, ZENDESK_FIELDS))


def _write(tickets: list[Ticket], categories) -> None:
    drafts = [t.draft for t in tickets]
    passengers = link_passengers(drafts)
    triaged = triage_texts([d.text for d in drafts], categories=categories)
    routes = routes_by_category()
    cases = [
        _case(ticket, passenger, triage, categories, routes)
        for ticket, passenger, triage in zip(tickets, passengers, triaged, strict=True)
    ]
    insert_rows(cases)
    sla.start_clocks(cases)
    messages, events, timings, surveys, linked = [], [], [], [], []
    for ticket, case in zip(tickets, cases, strict=True):
        history = _History(ticket, case)
        history.apply_to_case()
        _replay_clocks(case, history)
        calendar = office_calendar(case)
        timings.append(
            timing_from_history(case, history.changes, history.reply_times, calendar)
        )
        survey = _survey(ticket, case, history)
        if survey is not None:
            surveys.append(survey)
        messages.extend(history.messages)
        events.extend(history.events)
        linked.extend(history.message_events)
    insert_rows(messages)
    for event, message in linked:
        event.data["message"] = message.pk
    insert_rows(events)
    Case.objects.bulk_update(
        cases,
        ["status", "first_response_at", "resolved_at", "closed_at", "reopened_count"],
    )
    # The replayed clocks told insights of their SLA outcomes already: the rows
    # written then give way to the complete ones.
    ids = [case.pk for case in cases]
    met = sla_met_times(ids)
    for timing in timings:
        for name, at in met.get(timing.case_id, {}).items():
            setattr(timing, name, at)
    CaseTiming.objects.filter(case_id__in=ids).delete()
    CaseTiming.objects.bulk_create(timings)
    insert_rows(surveys)
    # The bulk update told no one: the KPI facts are read again from the cases.
    refresh_facts(ids)


def _case(ticket: Ticket, passenger, triage, categories, routes) -> Case:
    draft = ticket.draft
    category = categories[draft.category] if draft.category else triage.category
    number = new_case_number()
    return Case(
        number=number,
        subject=draft.subject,
        description=draft.description,
        channel=draft.channel,
        external_id=draft.external_id,
        kind=draft.kind or triage.kind,
        category=category,
        classifier_confidence=triage.confidence,
        needs_triage=False,
        priority=draft.priority or triage.priority,
        language=draft.language,
        passenger=passenger,
        airline=draft.airline,
        flight_number=draft.flight_number,
        airport=draft.airport,
        department=routes.get(category.pk),
        search_document=search_document(
            number, draft.email, draft.phone, draft.subject, draft.description
        ),
        received_at=draft.received_at,
    )


class _History:
    """A ticket's messages, events and status changes, in PaxCare's terms."""

    def __init__(self, ticket: Ticket, case: Case):
        self.ticket, self.case = ticket, case
        self.messages: list[Message] = []
        self.events: list[Event] = []
        self.changes: list[StatusChange] = []
        self.reply_times: list[datetime] = []
        self.message_events: list[tuple[Event, Message]] = []
        self.first_response_at: datetime | None = None
        self.status = Status.NEW
        self._created()
        self._comments()
        self._outcome()

    def _event(self, type_: str, at: datetime, data: dict, **kwargs) -> Event:
        event = build_event(
            self.case,
            type_,
            label=kwargs.pop("label", IMPORT_LABEL),
            channel=kwargs.pop("channel", Channel.SYSTEM),
            data={**data, "imported": "zendesk"},
            at=at,
        )
        self.events.append(event)
        return event

    def _created(self) -> None:
        case, at = self.case, self.case.received_at
        channel = case.channel
        self._event(
            EventType.CREATED,
            at,
            {"channel": channel, "external_id": case.external_id},
            channel=channel,
        )
        self._event(
            EventType.CLASSIFIED,
            at,
            {
                "category": case.category.code,
                "kind": case.kind,
                "priority": case.priority,
                "by": "given" if self.ticket.draft.category else "classifier",
                "needs_triage": False,
            },
        )
        if case.department is not None:
            self._event(
                EventType.ROUTED, at, {"old": None, "new": case.department.code}
            )

    def _comments(self) -> None:
        ticket, case = self.ticket, self.case
        for index, comment in enumerate(ticket.comments):
            from_requester = (
                ticket.requester_id is not None
                and comment["author_id"] == ticket.requester_id
            )
            # The first comment of a ticket is its description, already the case's.
            if index == 0 and (from_requester or ticket.requester_id is None):
                continue
            if not comment["body"]:
                continue
            at = max(comment["created_at"], case.received_at)
            if from_requester:
                direction, kind = Message.Direction.INBOUND, EventType.MESSAGE_RECEIVED
            elif comment["public"]:
                direction, kind = Message.Direction.OUTBOUND, EventType.REPLY_SENT
            else:
                direction, kind = Message.Direction.INTERNAL, EventType.NOTE_ADDED
            label = str(case.passenger) if from_requester else IMPORT_LABEL
            message = Message(
                case=case,
                direction=direction,
                channel=case.channel if from_requester else Channel.SYSTEM,
                body=comment["body"],
                author_label=label,
                external_id=f"{EXTERNAL_PREFIX}{comment['id']}"
                if comment["id"]
                else None,
                created_at=at,
            )
            self.messages.append(message)
            event = self._event(kind, at, {}, label=label)
            self.message_events.append((event, message))
            if direction == Message.Direction.OUTBOUND:
                self.reply_times.append(at)
                if self.first_response_at is None:
                    self.first_response_at = at
                    self._change(Status.OPEN, at)

    def _change(self, new: str, at: datetime) -> None:
        if new == self.status:
            return
        self.changes.append(StatusChange(self.status, new, at))
        self._event(EventType.STATUS_CHANGED, at, {"old": self.status, "new": new})
        self.status = new

    def _outcome(self) -> None:
        ticket = self.ticket
        final = ticket.status
        if final in (Status.RESOLVED, Status.CLOSED):
            solved = ticket.solved_at or ticket.updated_at
            solved = max(solved, self.case.received_at)
            self._change(Status.RESOLVED, solved)
            if final == Status.CLOSED:
                self._change(Status.CLOSED, max(ticket.updated_at, solved))
        elif final != Status.NEW:
            last = self.changes[-1].at if self.changes else self.case.received_at
            self._change(final, max(ticket.updated_at, last))

    def apply_to_case(self) -> None:
        case = self.case
        case.status = self.status
        case.first_response_at = self.first_response_at
        case.reopened_count = self.ticket.reopens
        for change in self.changes:
            if change.new == Status.RESOLVED:
                case.resolved_at = change.at
            if change.new == Status.CLOSED:
                case.closed_at = change.at


def _replay_clocks(case: Case, history: _History) -> None:
    """Stop or pause the case's SLA clocks at the ticket's original times."""
    if history.first_response_at is not None:
        sla.record_first_response(case, history.first_response_at)
    for change in history.changes:
        sla.on_status_change(case, change.old, change.new, change.at)


def _survey(ticket: Ticket, case: Case, history: _History) -> Survey | None:
    rating = ticket.rating or {}
    score = str(rating.get("score") or "").lower()
    if score not in {*RATINGS, "offered"}:
        return None
    offered_at, answered_at = ticket.rating_times
    resolved_at = case.resolved_at or ticket.updated_at
    created = offered_at or resolved_at
    survey = Survey(
        case=case,
        nonce=secrets.token_urlsafe(12),
        source=SurveySource.IMPORT,
        language=case.language,
        created_at=created,
        expires_at=created + timedelta(days=30),
        invited_at=created,
        comment=str(rating.get("comment") or "")[:2000],
    )
    if score in RATINGS:
        survey.rating = RATINGS[score]
        survey.answered_at = answered_at or created
        history.events.append(
            build_event(
                case,
                SurveyEvent.ANSWERED,
                label=IMPORT_LABEL,
                data={
                    "rating": survey.rating,
                    "recommend": None,
                    "reason": "",
                    "comment": bool(survey.comment),
                    "imported": "zendesk",
                    "zendesk_score": score,
                },
                at=survey.answered_at,
            )
        )
    return survey
