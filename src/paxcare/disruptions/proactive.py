"""Proactive care: every passenger of a disrupted flight gets a case, unasked.

``care_for_disruptions`` walks the manifests of disrupted flights in batches of up
to 2,000 passengers, filled from one flight or several. Each batch runs in one
transaction that holds its disruptions' row locks, so two workers on the same
disruption queue rather than both open a case for the same passenger:

1. passengers who already have an active case about this flight (found by their
   e-mail or phone) are joined to it; the others get a new case through intake's
   batch pipeline (``open_cases``: passenger linking, routing, assignment, SLA
   clocks), on the ``system`` channel with a stable external id, so running the
   work twice opens nothing twice;
2. the remedies engine assesses each group of like passengers once;
3. each passenger's link row keeps a snapshot of what they are owed and the care
   to give; each case gets a timeline entry, each passenger a notification.

After a correction (a new version of the disruption) the same walk reassesses the
passengers assessed on an older version, records the change on their cases and
notifies them again.
"""

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation

from paxcare.bulk import any_of, fetch_rows, frozen_heap, insert_rows, new_row
from paxcare.cases.events import announce, build_event
from paxcare.cases.lifecycle import ACTIVE_STATUSES
from paxcare.cases.models import Case, Channel
from paxcare.crm.models import Passenger
from paxcare.disruptions.care import Answer, add_totals, assess_passengers
from paxcare.disruptions.models import (
    AffectedPassenger,
    Assessment,
    Disruption,
    DisruptionKind,
    Flight,
    FlightStatus,
    ManifestEntry,
)
from paxcare.disruptions.notifications import moments_for, notify_passengers, queue
from paxcare.disruptions.timeline import DisruptionEvent, owed_summary
from paxcare.disruptions.wording import case_description, headline, reason_words
from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import open_cases
from paxcare.remedies.services import carrier_registry
from paxcare.routing.services import agents_reserved, routes_by_category
from paxcare.triage.models import Kind, Priority
from paxcare.triage.services import categories_by_code

logger = logging.getLogger(__name__)

# A batch pays a few dozen queries whatever its size (locks, lookups, the agents'
# loads, one COPY per table): on a meltdown of 150-passenger flights, batches of
# 1,500 took a fifth less CPU per passenger than batches of 500, and 3,000 little
# less again, while a batch's rows stay a few megabytes.
BATCH_SIZE = 2000
REBOOKING_OPTIONS = 3
REBOOKING_WINDOW = timedelta(hours=24)
# The earliest flights on the route looked at for the options.
CANDIDATES = 20
# Disruptions whose manifests are read in one query: 200 flight ids stay far below
# SQLite's 32,766 parameters, and a meltdown's 1,000 flights take five rounds.
FLIGHTS_PER_QUERY = 200
SUBJECT_CHARS = Case._meta.get_field("subject").max_length

CATEGORY = {
    DisruptionKind.DELAY: "flight.delay",
    DisruptionKind.CANCELLATION: "flight.cancellation",
    DisruptionKind.DIVERSION: "flight.diversion",
    DisruptionKind.SCHEDULE_CHANGE: "flight.schedule_change",
}
PRIORITY = {
    DisruptionKind.DELAY: Priority.NORMAL,
    DisruptionKind.CANCELLATION: Priority.HIGH,
    DisruptionKind.DIVERSION: Priority.HIGH,
    DisruptionKind.SCHEDULE_CHANGE: Priority.NORMAL,
}


@dataclass
class CareReport:
    """What one run of proactive care did."""

    opened: int = 0
    linked: int = 0
    updated: int = 0
    notified: int = 0
    rejected: int = 0
    # (regime, kind, currency) -> [amount, passengers], for what this run assessed.
    totals: dict = field(default_factory=dict)


def care_for_disruption(
    disruption_id: int, *, batch_size: int = BATCH_SIZE, at: datetime | None = None
) -> CareReport:
    """Open, join or update the case of every passenger on the disrupted flight."""
    return care_for_disruptions([disruption_id], batch_size=batch_size, at=at)


def care_for_disruptions(
    disruption_ids: Sequence[int],
    *,
    batch_size: int = BATCH_SIZE,
    at: datetime | None = None,
) -> CareReport:
    """Care for many disruptions: new passengers in shared batches, then updates.

    A hub meltdown is a thousand flights of 150 passengers; filling each batch
    from several flights, whose manifests are read together, halves the per-batch
    cost per passenger.
    """
    at = at or timezone.now()
    report = CareReport()
    ids = list(dict.fromkeys(disruption_ids))
    options: dict[int, list[dict[str, str]]] = {}
    with frozen_heap():
        for chunk in _chunks(ids, FLIGHTS_PER_QUERY):
            unlinked = _Unlinked(chunk)
            with agents_reserved(unlinked.departments(), at=at) as reserved:
                for groups in unlinked.batches(batch_size):
                    _open_batch(groups, options, report, at, reserved)
        for chunk in _chunks(ids, FLIGHTS_PER_QUERY):
            _update_older_versions(chunk, options, report, at, batch_size)
    return report


def unfinished_care(disruption_ids: Sequence[int]) -> list[int]:
    """Return those of the qualifying disruptions with passengers not cared for yet.

    A care stopped on the way (its process killed) leaves manifest entries with
    no link row: caring for these disruptions again finishes the work, and opens
    nothing twice.
    """
    if not disruption_ids:
        return []
    waiting = ManifestEntry.objects.filter(
        flight_id=OuterRef("flight_id"), affected__isnull=True
    )
    return list(
        Disruption.objects.filter(
            any_of(Disruption, "id", list(disruption_ids)), qualifies=True
        )
        .filter(Exists(waiting))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _chunks(values: list, size: int):
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _Unlinked:
    """The manifest entries not yet linked of the qualifying disruptions of a chunk.

    Their keys are read once, in one query, then the entries ``batch_size`` a
    query by key, so one batch may hold the end of one flight and the start of
    the next. (Reading each batch as "the next rows after the last key" made
    PostgreSQL scan the whole manifest table per batch when its statistics lagged
    behind the manifests just loaded.)
    """

    def __init__(self, disruption_ids: list[int]) -> None:
        rows = list(
            Disruption.objects.filter(
                pk__in=disruption_ids, qualifies=True
            ).values_list("flight_id", "pk", "kind")
        )
        self.flights = {flight_id: pk for flight_id, pk, _kind in rows}
        self.kinds = {pk: kind for _flight_id, pk, kind in rows}
        self.keys: list[tuple[int, int]] = []
        if self.flights:
            self.keys = list(
                ManifestEntry.objects.filter(
                    any_of(ManifestEntry, "flight", list(self.flights)),
                    affected__isnull=True,
                )
                .order_by("pk")
                .values_list("pk", "flight_id")
            )

    def departments(self) -> Counter:
        """Return department id -> entries whose new cases it would own.

        As the disruptions read now say: a batch locks its disruptions and reads
        them again, and an entry may join a case its passenger has.
        """
        categories = categories_by_code()
        routes = routes_by_category()
        per_kind = Counter(self.kinds[self.flights[f]] for _pk, f in self.keys)
        wanted: Counter = Counter()
        for kind, entries in per_kind.items():
            category = categories.get(CATEGORY[kind])
            department = routes.get(category.pk) if category is not None else None
            if department is not None:
                wanted[department.pk] += entries
        return wanted

    def batches(self, batch_size: int):
        """Yield ``[(disruption id, entries), ...]`` of up to ``batch_size`` entries."""
        for start in range(0, len(self.keys), batch_size):
            wanted = [pk for pk, _flight in self.keys[start : start + batch_size]]
            entries = fetch_rows(
                ManifestEntry.objects.filter(
                    any_of(ManifestEntry, "id", wanted)
                ).order_by("pk")
            )
            groups: dict[int, list[ManifestEntry]] = {}
            for entry in entries:
                groups.setdefault(self.flights[entry.flight_id], []).append(entry)
            yield sorted(groups.items())


def _update_older_versions(disruption_ids, options, report, at, batch_size) -> None:
    """Reassess the passengers of ``disruption_ids`` assessed on an older version."""
    last = 0
    while affected := list(
        AffectedPassenger.objects.filter(
            disruption_id__in=disruption_ids,
            version__lt=F("disruption__version"),
            pk__gt=last,
        )
        .select_related("entry", "case")
        .order_by("pk")[:batch_size]
    ):
        last = affected[-1].pk
        by_disruption: dict[int, list[AffectedPassenger]] = {}
        for row in affected:
            by_disruption.setdefault(row.disruption_id, []).append(row)
        for disruption_id, rows in sorted(by_disruption.items()):
            _update_batch(
                disruption_id,
                rows,
                _options(disruption_id, options),
                report,
                at,
                notify_change=True,
            )


def _options(disruption_id: int, cache: dict) -> list[dict[str, str]]:
    if disruption_id not in cache:
        flight = Flight.objects.get(disruption__pk=disruption_id)
        cache[disruption_id] = rebooking_options(flight)
    return cache[disruption_id]


def _prefetch_options(disruptions: Sequence[Disruption], cache: dict) -> None:
    """Find the rebooking options of the disruptions' flights in one query."""
    missing = {d.pk: d.flight for d in disruptions if d.pk not in cache}
    if not missing:
        return
    found = _rebooking_options_of(list(missing.values()))
    for disruption_id, flight in missing.items():
        cache[disruption_id] = found[flight.pk]


def refresh_passengers(entry_ids: Sequence[int], *, at: datetime | None = None) -> int:
    """Reassess passengers whose manifest row changed (a rebooking was recorded)."""
    at = at or timezone.now()
    affected = list(
        AffectedPassenger.objects.filter(entry_id__in=entry_ids)
        .select_related("entry", "case")
        .order_by("disruption_id", "pk")
    )
    report = CareReport()
    by_disruption: dict[int, list[AffectedPassenger]] = {}
    for row in affected:
        by_disruption.setdefault(row.disruption_id, []).append(row)
    options: dict[int, list[dict[str, str]]] = {}
    for disruption_id, rows in by_disruption.items():
        _update_batch(
            disruption_id,
            rows,
            _options(disruption_id, options),
            report,
            at,
            notify_change=False,
        )
    return report.updated


def _locked(disruption_id: int) -> Disruption:
    return (
        Disruption.objects.select_for_update(of=("self",))
        .select_related("flight")
        .get(pk=disruption_id)
    )


def public_path(flight: Flight) -> str:
    return reverse("disruptions:public_detail", args=[flight.public_key])


def rebooking_options(flight: Flight) -> list[dict[str, str]]:
    """Return the next flights on the same route within a day, own carrier first."""
    return _rebooking_options_of([flight])[flight.pk]


def _rebooking_options_of(flights: Sequence[Flight]) -> dict[int, list[dict]]:
    """Return flight id -> its rebooking options, for many flights in one query.

    Of the first ``CANDIDATES`` flights on the route within the window, in
    departure order, the own carrier's come first.
    """
    windows: dict[tuple[str, str], list] = {}
    for flight in flights:
        start = flight.scheduled_departure
        window = windows.setdefault((flight.origin, flight.destination), [start, start])
        window[0] = min(window[0], start)
        window[1] = max(window[1], start + REBOOKING_WINDOW)
    route = Q(pk__in=[])
    for (origin, destination), (first, last) in windows.items():
        route |= Q(
            origin=origin,
            destination=destination,
            scheduled_departure__gt=first,
            scheduled_departure__lte=last,
        )
    later = list(
        Flight.objects.filter(route)
        .exclude(status=FlightStatus.CANCELLED)
        .order_by("scheduled_departure", "pk")
    )
    found = {}
    for flight in flights:
        start = flight.scheduled_departure
        candidates = [
            f
            for f in later
            if (f.origin, f.destination) == (flight.origin, flight.destination)
            and start < f.scheduled_departure <= start + REBOOKING_WINDOW
        ][:CANDIDATES]
        ranked = sorted(
            candidates,
            key=lambda f: (f.carrier != flight.carrier, f.scheduled_departure),
        )
        found[flight.pk] = [
            {
                "flight_number": f.flight_number,
                "departure": f.scheduled_departure.isoformat(),
                "arrival": f.scheduled_arrival.isoformat(),
            }
            for f in ranked[:REBOOKING_OPTIONS]
        ]
    return found


# --- Opening and joining cases ---------------------------------------------------


def _open_batch(groups, options, report: CareReport, at, reserved) -> None:
    """Open or join the cases of a batch of passengers from one or more flights.

    Everything that needs no case (the engine's answers, the drafts) is worked
    out before intake opens the cases, so that a new case's creation event can
    carry what the disruption opened it for: one timeline row per passenger.

    The agents were reserved ahead (``reserved``, for the whole chunk), so that
    the departments are not locked while the batch writes: another worker's batch
    assigns meanwhile.
    """
    with frozen_heap(), reserved.transaction():
        work = _unlinked(groups)
        _prefetch_options([d for d, _ in work], options)
        joined = _active_cases(work)
        answers, stored = _assess(work, options)
        fresh = [
            (disruption, entry)
            for disruption, entries in work
            for entry in entries
            if entry.pk not in joined
        ]
        # Like passengers share one summary: built once per answer.
        summaries: dict[tuple[int, str], dict] = {}
        for disruption, entry in fresh:
            answer = answers[entry.pk]
            key = (disruption.pk, answer.signature)
            if key not in summaries:
                summaries[key] = {"disruption": _summary(disruption, answer)}
        notes = [
            summaries[(disruption.pk, answers[entry.pk].signature)]
            for disruption, entry in fresh
        ]
        results = open_cases(_drafts(fresh, at), timeline_data=notes, reserved=reserved)
        cases = dict(joined)
        for (_, entry), result in zip(fresh, results, strict=True):
            if result.errors:
                report.rejected += 1
                logger.warning(
                    "disruptions: manifest entry %s gave no case: %s",
                    entry.pk,
                    ", ".join(error.field for error in result.errors),
                )
                continue
            cases[entry.pk] = result.case
        rows, events, moments = [], [], []
        owed: dict[int, list] = {}
        for disruption, entries in work:
            flight = disruption.flight
            notices, joined_languages = [], {}
            for entry in entries:
                case = cases.get(entry.pk)
                if case is None:
                    continue
                answer = answers[entry.pk]
                opened = entry.pk not in joined
                rows.append(
                    _link_row(disruption, entry, case, opened, answer, stored, at)
                )
                if not opened:
                    events.append(
                        _event(
                            case, DisruptionEvent.LINKED, flight, disruption, answer, at
                        )
                    )
                    joined_languages[case.pk] = entry.language
                notices.append((case, answer))
                owed.setdefault(id(answer), [answer, 0])[1] += 1
                report.opened += opened
                report.linked += not opened
            moments += moments_for(
                flight, disruption, notices, public_path(flight), joined_languages
            )
        for answer, passengers in owed.values():
            add_totals(report.totals, answer.entitlements, passengers)
        insert_rows(rows)
        insert_rows(events)
        announce(events)
        report.notified += queue(moments)


def _unlinked(groups) -> list[tuple[Disruption, list[ManifestEntry]]]:
    """Lock the batch's disruptions; return each with its entries not yet linked.

    The lock makes a second worker on the same disruption wait for this batch,
    and then see its links, instead of opening the same passengers' cases again.
    """
    locked = {
        d.pk: d
        for d in Disruption.objects.select_for_update(of=("self",))
        .select_related("flight")
        .filter(pk__in={disruption_id for disruption_id, _ in groups})
        .order_by("pk")
    }
    entry_ids = [e.pk for _, entries in groups for e in entries]
    done = set(
        AffectedPassenger.objects.filter(
            any_of(AffectedPassenger, "entry", entry_ids)
        ).values_list("entry_id", flat=True)
    )
    return [
        (locked[disruption_id], [e for e in entries if e.pk not in done])
        for disruption_id, entries in groups
    ]


def _assess(work, options) -> tuple[dict[int, Answer], dict[tuple, Assessment]]:
    """Return entry id -> the engine's answer, and the assessment rows kept."""
    registry = carrier_registry()
    answers: dict[int, Answer] = {}
    wanted: list[tuple[Disruption, list[Answer]]] = []
    for disruption, entries in work:
        found = assess_passengers(
            disruption.flight,
            disruption,
            entries,
            _options(disruption.pk, options),
            registry,
        )
        answers.update((e.pk, a) for e, a in zip(entries, found, strict=True))
        wanted.append((disruption, found))
    return answers, _store_assessments(wanted)


def _summary(disruption: Disruption, answer: Answer) -> dict:
    """Return what a case's timeline keeps of the disruption that opened it."""
    flight = disruption.flight
    return {
        "disruption": disruption.pk,
        "flight": f"{flight.flight_number} {flight.flight_date.isoformat()}",
        "kind": disruption.kind,
        "version": disruption.version,
        "owed": owed_summary(answer.entitlements),
    }


def _link_row(disruption, entry, case, opened, answer, stored, at) -> AffectedPassenger:
    values = {
        "opened_case": opened,
        "version": disruption.version,
        "entitlements": answer.entitlements,
        "care": answer.care,
        "goodwill": [],
        "created_at": at,
        "updated_at": at,
    }
    related = {
        "disruption": disruption,
        "entry": entry,
        "case": case,
        "assessment": stored[(disruption.pk, answer.signature)],
    }
    return new_row(AffectedPassenger, values, related)


def _active_cases(work) -> dict[int, Case]:
    """Return entry id -> the passenger's own active case about the entry's flight."""
    entries = [(d.flight, e) for d, group in work for e in group]
    emails = {e.email for _, e in entries if e.email}
    phones = {e.phone for _, e in entries if e.phone}
    if not emails and not phones:
        return {}
    people = list(
        Passenger.objects.filter(
            any_of(Passenger, "email", emails) | any_of(Passenger, "phone", phones)
        ).values_list("pk", "email", "phone")
    )
    if not people:
        return {}
    flights = {(f.flight_number, f.flight_date) for f, _ in entries}
    first_case: dict[tuple, Case] = {}
    for case in Case.objects.filter(
        passenger_id__in=[pk for pk, _, _ in people],
        status__in=ACTIVE_STATUSES,
        flight_number__in={number for number, _ in flights},
        flight_date__in={day for _, day in flights},
    ).order_by("received_at", "pk"):
        key = (case.passenger_id, case.flight_number, case.flight_date)
        first_case.setdefault(key, case)
    by_email = {email: pk for pk, email, _ in people if email}
    by_phone = {phone: pk for pk, _, phone in people if phone}
    found = {}
    for flight, entry in entries:
        for pk in (by_email.get(entry.email), by_phone.get(entry.phone)):
            case = first_case.get((pk, flight.flight_number, flight.flight_date))
            if case is not None:
                found[entry.pk] = case
                break
    return found


def case_subject(line: str, entry: ManifestEntry) -> str:
    """Return the subject of a passenger's case: the disruption's headline and name.

    The name keeps two travellers who share an e-mail address from looking like one
    passenger writing the same text twice.
    """
    with translation.override(entry.language):
        subject = translation.gettext("%(headline)s: %(name)s") % {
            "headline": line,
            "name": entry.passenger_name,
        }
    return subject[:SUBJECT_CHARS]


def _drafts(fresh, at) -> list[CaseDraft]:
    texts: dict[tuple[int, str], tuple[str, str]] = {}
    drafts = []
    for disruption, entry in fresh:
        flight = disruption.flight
        key = (disruption.pk, entry.language)
        if key not in texts:
            with translation.override(entry.language):
                texts[key] = (
                    headline(flight, disruption),
                    case_description(flight, disruption),
                    reason_words(flight.cause),
                )
        subject, description, reason = texts[key]
        drafts.append(
            CaseDraft(
                subject=case_subject(subject, entry),
                description=description,
                channel=Channel.SYSTEM,
                external_id=f"disruption:{disruption.pk}:{entry.pk}",
                kind=Kind.CLAIM,
                category=CATEGORY[disruption.kind],
                priority=PRIORITY[disruption.kind],
                language=entry.language,
                passenger_name=entry.passenger_name,
                email=entry.email,
                phone=entry.phone,
                booking_reference=entry.booking_reference,
                ticket_number=entry.ticket_number,
                airline=flight.carrier,
                flight_number=flight.flight_number,
                flight_date=flight.flight_date,
                airport=flight.origin,
                received_at=at,
                search_words=reason,
            )
        )
    return drafts


def _store_assessments(
    wanted: Sequence[tuple[Disruption, Sequence[Answer]]],
) -> dict[tuple, Assessment]:
    """Keep each group's full answer once per version.

    Return ``(disruption id, signature) -> row`` for the answers of every
    disruption of ``wanted``, read in one query and written in one insert.
    """
    signatures = {
        (disruption.pk, answer.signature): (disruption, answer)
        for disruption, answers in wanted
        for answer in answers
    }
    if not signatures:
        return {}
    versions = {disruption.pk: disruption.version for disruption, _ in wanted}
    stored = {
        (a.disruption_id, a.signature): a
        for a in Assessment.objects.filter(
            disruption_id__in=list(versions),
            signature__in={signature for _, signature in signatures},
        )
        if a.version == versions[a.disruption_id]
    }
    new = [
        new_row(
            Assessment,
            {
                "version": disruption.version,
                "signature": answer.signature,
                "request": answer.request,
                "result": answer.result,
            },
            {"disruption": disruption},
        )
        for key, (disruption, answer) in signatures.items()
        if key not in stored
    ]
    insert_rows(new)
    stored.update({(a.disruption_id, a.signature): a for a in new})
    return stored


def _event(case, kind, flight, disruption, answer: Answer, at, **extra):
    return build_event(
        case,
        kind,
        data={
            "disruption": disruption.pk,
            "flight": f"{flight.flight_number} {flight.flight_date.isoformat()}",
            "kind": disruption.kind,
            "version": disruption.version,
            "owed": owed_summary(answer.entitlements),
            **extra,
        },
        at=at,
    )


# --- Corrections -----------------------------------------------------------------


def _update_batch(disruption_id, affected, options, report, at, *, notify_change):
    with transaction.atomic():
        disruption = _locked(disruption_id)
        flight = disruption.flight
        kinds = dict(disruption.revisions.values_list("version", "kind"))
        answers = assess_passengers(
            flight,
            disruption,
            [a.entry for a in affected],
            options,
            carrier_registry(),
        )
        stored = _store_assessments([(disruption, answers)])
        events, notices, joined_languages = [], [], {}
        for row, answer in zip(affected, answers, strict=True):
            changed = row.entitlements != answer.entitlements
            events.append(
                _event(
                    row.case,
                    DisruptionEvent.UPDATED,
                    flight,
                    disruption,
                    answer,
                    at,
                    old_kind=kinds.get(row.version, disruption.kind),
                    old_version=row.version,
                    entitlements_changed=changed,
                    reason="correction" if notify_change else "manifest",
                )
            )
            row.version = disruption.version
            row.assessment = stored[(disruption.pk, answer.signature)]
            row.entitlements = answer.entitlements
            row.care = answer.care
            row.updated_at = at
            notices.append((row.case, answer))
            if not row.opened_case:
                joined_languages[row.case.pk] = row.entry.language
            add_totals(report.totals, answer.entitlements)
        AffectedPassenger.objects.bulk_update(
            affected, ["version", "assessment", "entitlements", "care", "updated_at"]
        )
        insert_rows(events)
        announce(events)
        # Imported here: corrections reads this module's CATEGORY and PRIORITY.
        from paxcare.disruptions.corrections import follow_corrections

        follow_corrections(disruption, affected, events, at)
        report.updated += len(affected)
        if notify_change:
            report.notified += notify_passengers(
                flight, disruption, notices, public_path(flight), joined_languages
            )
