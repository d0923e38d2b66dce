"""A case's timeline for staff: events, messages and notes, oldest first.

Events that only say "a message was added" are left out: the message itself is on
the timeline. Every text here is plain; templates escape it on display.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from paxcare.cases.events import EventType, actor_label
from paxcare.cases.lifecycle import Status
from paxcare.cases.models import Case, Channel, Event, Message
from paxcare.cases.services import PASSENGER
from paxcare.comms.timeline import describe as describe_comms_event
from paxcare.crm.timeline import describe_contact_changed, describe_contact_given
from paxcare.disruptions.timeline import (
    describe_case_opening,
    describe_disruption_event,
)
from paxcare.remedies.clocks import CLOCK_NAME as CAAC_CLOCK
from paxcare.remedies.timeline import describe_remedies_event
from paxcare.routing.models import Department
from paxcare.sla.models import ClockKind
from paxcare.sla.timeline import describe_sla_event, started_policy_name
from paxcare.surveys.timeline import describe_survey_event
from paxcare.triage.models import Category, Kind, Priority

# The CAAC answer period's name as the regulatory clock's event keeps it.
CAAC_CLOCK_NAME = re.compile(
    re.escape(CAAC_CLOCK).replace(re.escape("%(days)d"), r"(?P<days>\d+)")
)
# Who the steps of a case's creation are shown as coming from: PaxCare itself.
SYSTEM = actor_label(None)

SHOWN_AS_MESSAGES = {
    EventType.REPLY_SENT,
    EventType.NOTE_ADDED,
    EventType.MESSAGE_RECEIVED,
    EventType.ATTACHMENT_ADDED,
}


@dataclass
class Entry:
    at: datetime
    actor: str
    text: str = ""
    message: Message | None = None
    event_type: str = ""


@dataclass
class Names:
    """Display names for the ids and codes that event data holds."""

    users: dict[int, str] = field(default_factory=dict)
    departments: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)


def staff_timeline(case: Case) -> list[Entry]:
    """Return every event and message of ``case``, oldest first."""
    events = [e for e in case.events.all() if e.type not in SHOWN_AS_MESSAGES]
    messages = list(
        case.messages.select_related("author").prefetch_related("attachments")
    )
    names = _names_for(events)
    entries = [entry for e in events for entry in event_entries(e, names)]
    entries += [
        Entry(at=m.created_at, actor=m.author_label, message=m, event_type=m.direction)
        for m in messages
    ]
    # At the same instant a message goes before the status change it caused.
    return sorted(entries, key=lambda entry: (entry.at, entry.message is None))


def event_entries(event: Event, names: Names) -> list[Entry]:
    """Return the timeline lines of one event.

    A case opened through intake has one ``case.created`` event that carries
    what its creation decided (classification, department, assignee, SLA clocks,
    changed contact details, the disruption it was opened for); it is shown as
    the lines those steps had when each was an event of its own.
    """
    first = Entry(
        at=event.occurred_at,
        actor=event_actor(event),
        text=describe(event, names),
        event_type=event.type,
    )
    if event.type != EventType.CREATED:
        return [first]
    return [first] + [
        Entry(at=at, actor=SYSTEM, text=text, event_type=kind)
        for kind, at, text in _creation_lines(event, names)
    ]


def _creation_lines(event: Event, names: Names) -> Iterator[tuple[str, datetime, str]]:
    data = event.data

    def when(part: dict) -> datetime:
        later = parse_datetime(part["at"]) if isinstance(part.get("at"), str) else None
        return later or event.occurred_at

    if isinstance(data.get("contact_changed"), dict):
        text = describe_contact_changed(data["contact_changed"])
        yield "passenger.contact_changed", event.occurred_at, text
    if isinstance(data.get("contact_given"), dict):
        text = describe_contact_given(data["contact_given"])
        yield "passenger.contact_given", event.occurred_at, text
    if isinstance(data.get("classified"), dict):
        text = _describe_classified(data["classified"], names)
        yield EventType.CLASSIFIED, event.occurred_at, text
    if isinstance(data.get("routed"), dict):
        new = data["routed"].get("new")
        text = _("Routed to %(department)s.") % {
            "department": names.departments.get(new, new or "—")
        }
        yield EventType.ROUTED, event.occurred_at, text
    if isinstance(data.get("assigned"), dict):
        new = data["assigned"].get("new")
        text = _("Assigned to %(agent)s.") % {"agent": names.users.get(new, "—")}
        yield EventType.ASSIGNED, when(data["assigned"]), text
    if isinstance(data.get("sla"), dict):
        text = _describe_clocks_started(data["sla"])
        yield EventType.SLA_STARTED, when(data["sla"]), text
    if isinstance(data.get("disruption"), dict):
        text = describe_case_opening(data["disruption"])
        yield "disruption.case_opened", event.occurred_at, text


def event_actor(event: Event) -> str:
    """Return who an event came from, in the active language.

    A passenger has no account: the event keeps ``"from": "passenger"`` and no label,
    so that the word is chosen when it is shown, not when it was written.
    """
    if not event.actor_label and event.data.get("from") == PASSENGER:
        return _("passenger")
    return event.actor_label


def _names_for(events: list[Event]) -> Names:
    user_ids, department_codes, category_codes = set(), set(), set()
    for event in events:
        old, new = event.data.get("old"), event.data.get("new")
        if event.type == EventType.CREATED:
            parts = {
                key: event.data.get(key)
                for key in ("classified", "routed", "assigned")
                if isinstance(event.data.get(key), dict)
            }
            if "classified" in parts:
                category_codes.add(parts["classified"].get("category"))
            if isinstance(parts.get("routed", {}).get("new"), str):
                department_codes.add(parts["routed"]["new"])
            if isinstance(parts.get("assigned", {}).get("new"), int):
                user_ids.add(parts["assigned"]["new"])
        elif event.type == EventType.ASSIGNED:
            user_ids |= {v for v in (old, new) if isinstance(v, int)}
        elif event.type == EventType.ROUTED:
            department_codes |= {v for v in (old, new) if isinstance(v, str)}
        elif event.type == EventType.CATEGORY_CHANGED:
            category_codes |= {
                v.get("category") for v in (old, new) if isinstance(v, dict)
            }
        elif event.type == EventType.CLASSIFIED:
            category_codes.add(event.data.get("category"))
    names = Names()
    if user_ids:
        for user in get_user_model().objects.filter(pk__in=user_ids):
            names.users[user.pk] = user.get_full_name() or user.get_username()
    if department_codes:
        for department in Department.objects.filter(code__in=department_codes):
            names.departments[department.code] = department.name
    if category_codes:
        for category in Category.objects.filter(code__in=category_codes):
            names.categories[category.code] = category.name
    return names


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "—")


def describe(event: Event, names: Names) -> str:
    """Return one line that says what an event did, in the active language."""
    data, old, new = event.data, event.data.get("old"), event.data.get("new")
    kind = event.type
    if kind == EventType.CREATED:
        return _("Case opened through %(channel)s.") % {
            "channel": _label(Channel, data.get("channel", event.channel))
        }
    if kind == EventType.CLASSIFIED:
        return _describe_classified(data, names)
    if kind == EventType.DUPLICATE_FLAGGED:
        return _("Flagged as a possible duplicate of %(number)s.") % {
            "number": data.get("duplicate_of", "")
        }
    if kind == EventType.CATEGORY_CHANGED:
        return _("Category changed from %(old)s to %(new)s.") % {
            "old": _category(old, names),
            "new": _category(new, names),
        }
    if kind == EventType.PRIORITY_CHANGED:
        return _("Priority changed from %(old)s to %(new)s.") % {
            "old": _label(Priority, old),
            "new": _label(Priority, new),
        }
    if kind in (EventType.STATUS_CHANGED, EventType.REOPENED):
        text = _("Status changed from %(old)s to %(new)s.")
        if kind == EventType.REOPENED:
            text = _("Reopened: status changed from %(old)s to %(new)s.")
        return text % {"old": _label(Status, old), "new": _label(Status, new)}
    if kind == EventType.ROUTED:
        return _("Routed to %(department)s.") % {
            "department": names.departments.get(new, new or "—")
        }
    if kind == EventType.ASSIGNED:
        if new is None:
            return _("Unassigned.")
        return _("Assigned to %(agent)s.") % {"agent": names.users.get(new, "—")}
    remedies_text = describe_remedies_event(event)
    if remedies_text is not None:
        return remedies_text
    comms_text = describe_comms_event(event)
    if comms_text is not None:
        return comms_text
    disruption_text = describe_disruption_event(event)
    if disruption_text is not None:
        return disruption_text
    survey_text = describe_survey_event(event)
    if survey_text is not None:
        return survey_text
    sla_text = describe_sla_event(event)
    if sla_text is not None:
        return sla_text
    return _describe_other(event)


def _describe_classified(data: dict, names: Names) -> str:
    text = _("Classified as %(category)s, %(kind)s.") % {
        "category": names.categories.get(data.get("category"), data.get("category")),
        "kind": _label(Kind, data.get("kind")),
    }
    if data.get("needs_triage"):
        text += " " + _("Sent to triage: the classifier was not sure.")
    return text


def _category(value, names: Names) -> str:
    if not isinstance(value, dict):
        return "—"
    code = value.get("category")
    return "%s (%s)" % (
        names.categories.get(code, code),
        _label(Kind, value.get("kind")),
    )


def _describe_clocks_started(data: dict) -> str:
    due = data.get("due") if isinstance(data.get("due"), dict) else {}
    parts = []
    for kind, moment in sorted(due.items()):
        parsed = parse_datetime(moment) if isinstance(moment, str) else None
        shown = date_format(localtime(parsed), "Y-m-d H:i") if parsed else "—"
        label = _label(ClockKind, kind)
        parts.append(_("%(clock)s due %(due)s") % {"clock": label, "due": shown})
    return _("SLA clocks started (%(policy)s): %(clocks)s.") % {
        "policy": _policy_name(data),
        "clocks": pgettext("list separator", "; ").join(parts) or "—",
    }


def _policy_name(data: dict) -> str:
    """Return the name of what started the clocks: a policy, or a legal period.

    A legal period's name was written filled in, in English ("CAAC: answer the
    complaint within 10 working days"); it is translated again with its number.
    """
    name = started_policy_name(data)
    caac = CAAC_CLOCK_NAME.fullmatch(name)
    if caac is None:
        return name
    return _(CAAC_CLOCK) % {"days": int(caac["days"])}


def _describe_other(event: Event) -> str:
    if event.type == EventType.SLA_STARTED:
        return _describe_clocks_started(event.data)
    clock = _label(ClockKind, event.data.get("clock") or event.data.get("kind"))
    texts = {
        EventType.KIND_CHANGED: _("Kind changed."),
        EventType.FIELDS_CHANGED: _("Case details changed."),
        EventType.SLA_STARTED: _("SLA clock started: %(clock)s."),
        EventType.SLA_PAUSED: _("SLA clock paused: %(clock)s."),
        EventType.SLA_RESUMED: _("SLA clock resumed: %(clock)s."),
        EventType.SLA_MET: _("SLA target met: %(clock)s."),
        EventType.SLA_WARNING: _("SLA target close to breach: %(clock)s."),
        EventType.SLA_BREACHED: _("SLA target breached: %(clock)s."),
        EventType.ESCALATED: _("Escalated to the department's supervisor."),
        # Shown as the message itself on the timeline; described for other readers.
        EventType.MESSAGE_RECEIVED: _("Message received from the passenger."),
        EventType.REPLY_SENT: _("Reply sent to the passenger."),
        EventType.NOTE_ADDED: _("Internal note added."),
        EventType.ATTACHMENT_ADDED: _("File attached."),
    }
    text = texts.get(event.type)
    return event.type if text is None else text % {"clock": clock}
