"""Imports of social-media exports: rows in, cases out, bad rows reported by line.

The file is read as a stream and handed to ``open_cases`` in batches, so memory stays
flat however long the file is and a re-import finds every known post by its id.
"""

import codecs
import csv
import io
import logging
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from paxcare.cases.models import Channel
from paxcare.intake.drafts import CaseDraft, renamed
from paxcare.intake.services import open_cases

logger = logging.getLogger(__name__)

# 500 drafts a batch: large enough that the per-batch queries cost little per post,
# small enough that one transaction stays short and a retry repeats little work.
BATCH_SIZE = 500

TWITTER_COLUMNS = ("tweet_id", "airline", "text", "created")
# The draft fields a row fills, under the names of its columns, for row errors.
TWITTER_FIELDS = {
    "description": "text",
    "subject": "text",
    "external_id": "tweet_id",
    "airline": "airline",
    "received_at": "created",
}

# The most lines one record may run over: a post of 280 characters with a line
# break in a quoted field takes a few; a quote left open would otherwise hold every
# following line until the end of the file, and have them all read twice.
MAX_RECORD_LINES = 50

# How much of a file is looked at to tell UTF-8 text from UTF-16 or binary data.
SNIFF_BYTES = 64 * 1024

# The names social-media exports use for the airlines a post is addressed to.
AIRLINE_CODES: dict[str, str] = {
    "virgin america": "VX",
    "united": "UA",
    "united airlines": "UA",
    "southwest": "WN",
    "southwest airlines": "WN",
    "delta": "DL",
    "delta air lines": "DL",
    "us airways": "US",
    "american": "AA",
    "american airlines": "AA",
}

# Exports write times in several ways; the first format that parses wins.
DATE_FORMATS = (
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M:%S",
)


def airline_code(value: str | None) -> str:
    """Return the IATA code for an airline name or code; blank when unknown."""
    value = " ".join((value or "").split())
    if not value:
        return ""
    if value.lower() in AIRLINE_CODES:
        return AIRLINE_CODES[value.lower()]
    if len(value) in (2, 3) and value.isalnum():
        return value.upper()
    return ""


def social_external_id(platform: str, post_id: str) -> str:
    """Return the external id of a post: the bare id for tweets, else platform:id.

    Tweets keep their bare id so that a CSV export and the webhook agree on one post.
    """
    platform = platform.strip().lower()
    post_id = post_id.strip()
    if not post_id:
        return ""  # no id: the draft has none (``clean_draft``)
    if platform in ("twitter", "x"):
        return post_id
    return f"{platform}:{post_id}"


def parse_post_time(value: str, zone: ZoneInfo) -> datetime | None:
    """Return an aware datetime, reading naive times in ``zone``; None if no date."""
    value = (value or "").strip()
    if not value:
        return None
    parsed = None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        for pattern in DATE_FORMATS:
            try:
                parsed = datetime.strptime(value, pattern)  # noqa: DTZ007 - zone below
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


# The formats of ``paxcare import-cases``: name -> dotted path of an importer that
# takes (path, *, zone, batch_size, on_error, on_progress) and returns ImportReport.
IMPORTERS: dict[str, str] = {
    "twitter-csv": "paxcare.intake.importers.import_twitter_csv",
    "zendesk-json": "paxcare.insights.zendesk.import_zendesk_json",
}


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class ImportReport:
    read: int = 0
    created: int = 0
    known: int = 0
    rejected: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Rows read per second."""
        return self.read / self.seconds if self.seconds > 0 else 0.0


class ImportFileError(ValueError):
    """The file as a whole cannot be imported: not UTF-8, no header, missing columns."""


def check_utf8_text(path: Path) -> None:
    """Raise ImportFileError, naming the problem, when a file is not UTF-8 text.

    UTF-16 and UTF-32 files (what some spreadsheets save as "Unicode text") and
    binary files are told apart from UTF-8 by their start: a byte order mark, a NUL
    in every other byte, or NUL bytes amid bytes that are not UTF-8. A stray NUL in
    UTF-8 text, and text in another 8-bit encoding (GBK, Latin-1), are found row by
    row instead, so that the good rows are still imported.
    """
    with path.open("rb") as handle:
        problem = encoding_problem(handle.read(SNIFF_BYTES))
    if problem:
        raise ImportFileError(problem)


def encoding_problem(head: bytes) -> str | None:
    """Return what is wrong with a file that starts with ``head``, or None."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return _("The file is UTF-32, not UTF-8. Save it as UTF-8 and import it again.")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _("The file is UTF-16, not UTF-8. Save it as UTF-8 and import it again.")
    if b"\x00" not in head:
        return None
    if _looks_like_utf16(head):
        return _(
            "The file looks like UTF-16 without a byte order mark, not UTF-8. Save "
            "it as UTF-8 and import it again."
        )
    if not _is_utf8(head):
        return _(
            "The file is not text: it holds NUL bytes and bytes that are not UTF-8, "
            "as a spreadsheet or an archive does. Export it as UTF-8 text and "
            "import it again."
        )
    return None


def _looks_like_utf16(head: bytes) -> bool:
    # ASCII in UTF-16 puts a NUL in every other byte, and almost none in the others.
    even, odd = head[0::2].count(0), head[1::2].count(0)
    pairs = len(head) // 2
    return pairs > 0 and max(even, odd) >= pairs * 0.4 and min(even, odd) < pairs * 0.05


def _is_utf8(head: bytes) -> bool:
    # Not final: the head may end inside a character.
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


@dataclass
class _Row:
    line: int
    draft: CaseDraft | None = None
    error: str = ""


class _Lines:
    """The lines of a text file, numbered, for one csv reader; lines can be given back.

    ``taken`` holds the (number, line) pairs of the record being read, so that the
    lines after its first can be read again when the record turns out broken. A
    record takes at most ``MAX_RECORD_LINES`` lines: past them the reader sees the
    end of the input and reports an unclosed quote.
    """

    def __init__(self, handle: io.TextIOBase) -> None:
        self._handle = handle
        self._again: deque[tuple[int, str]] = deque()
        self._number = 0
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        if len(self.taken) >= MAX_RECORD_LINES:
            raise StopIteration
        if self._again:
            item = self._again.popleft()
        else:
            line = self._handle.readline()
            if not line:
                raise StopIteration
            self._number += 1
            item = (self._number, line)
        self.taken.append(item)
        return item[1]

    def read_again(self, items: list[tuple[int, str]]) -> None:
        """Give ``items`` back, to be read before the rest of the file."""
        self._again.extendleft(reversed(items))


@dataclass(frozen=True)
class CsvRecord:
    """One record of a CSV file: its values, or why it could not be read.

    ``line`` is the line the record starts on; ``column`` is the index of the
    field at fault when the reader could tell (a field over the size limit).
    """

    line: int
    values: list[str] | None = None
    error: str = ""
    column: int | None = None


class CsvRecords:
    """The records of a CSV file, read so that one broken record costs one row.

    A quoted field may hold line breaks, so a record may run over several lines. A
    record of one line is a row or one reported error. A record of several lines
    (a quote left open at the end of its first line) is taken as one row only when
    it is valid CSV, ends before the end of the file and within
    ``MAX_RECORD_LINES`` lines, has the header's number of columns, and none of
    the lines it runs over is a good row on its own (``good_alone``). Otherwise its
    first line is reported as an unclosed quote and the lines after it are read
    again, each as the start of a record: a broken quote costs its own row, never
    the next ones. A field over the csv module's size limit is reported with its
    row instead of stopping the file.
    """

    def __init__(self, handle: io.TextIOBase) -> None:
        self._lines = _Lines(handle)
        self._reader = csv.reader(self._lines, strict=True)

    def header(self) -> list[str] | None:
        """Return the first record (None for an empty file)."""
        self._lines.taken = []
        return next(self._reader, None)

    def records(
        self, width: int, good_alone: Callable[[int, list[str]], bool]
    ) -> Iterator[CsvRecord]:
        """Yield each record after the header; blank lines are skipped."""
        lines = self._lines
        while True:
            lines.taken = []
            try:
                values = next(self._reader)
            except StopIteration:
                return
            except csv.Error as error:
                values, problem = None, str(error)
            taken = lines.taken
            start = taken[0][0]
            if values == []:
                continue
            if values is not None:
                if len(taken) == 1:
                    yield CsvRecord(start, values)
                    continue
                problem = _spanning_problem(taken, len(values), width, good_alone)
                if problem is None:
                    yield CsvRecord(start, values)
                    continue
            elif len(taken) == 1:
                yield CsvRecord(
                    start,
                    error=_("not valid CSV (%(error)s)") % {"error": problem},
                    column=_oversized_column(taken[0][1]),
                )
                continue
            elif len(taken) >= MAX_RECORD_LINES:
                problem = _("no row runs over more than %(count)d lines") % {
                    "count": MAX_RECORD_LINES
                }
            yield CsvRecord(start, error=_unclosed_quote(problem))
            lines.read_again(taken[1:])


def _oversized_column(line: str) -> int | None:
    """Return the index of the first field of ``line`` over the csv size limit."""
    limit = csv.field_size_limit()
    index, size, quoted = 0, 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            index, size = index + 1, 0
        else:
            size += 1
            if size > limit:
                return index
    return None


def read_twitter_csv(handle: io.TextIOBase, zone: ZoneInfo) -> Iterator[_Row]:
    """Yield one draft or one error per record of a tweets export.

    Records are read by ``CsvRecords``: a broken quote or an oversized field costs
    its own row, never the next ones; a line is a good row on its own when it
    would be imported.

    ``handle`` must decode with ``errors="surrogateescape"``: a record holding bytes
    that are not UTF-8 is reported instead of stopping the whole file.
    """
    records = CsvRecords(handle)
    header = _header(records.header())
    width = len(header)
    index = {name: header.index(name) for name in TWITTER_COLUMNS}

    def good_alone(number: int, values: list[str]) -> bool:
        return _twitter_row(number, values, width, index, zone).draft is not None

    for record in records.records(width, good_alone):
        if record.values is None:
            yield _Row(record.line, error=record.error)
        else:
            yield _twitter_row(record.line, record.values, width, index, zone)


def _spanning_problem(taken, found: int, width: int, good_alone) -> str | None:
    """Return why a record of several lines is not one row, or None if it is."""
    if found != width:
        return _("%(found)d columns where the header has %(expected)d") % {
            "found": found,
            "expected": width,
        }
    for number, line in taken[1:]:
        if _good_line_alone(number, line, good_alone):
            return _("line %(line)d is a row of its own") % {"line": number}
    return None


def _good_line_alone(number: int, line: str, good_alone) -> bool:
    """Return whether ``line`` by itself is a complete row that would be imported."""
    try:
        records = list(csv.reader([line], strict=True))
    except csv.Error:
        return False
    if len(records) != 1:
        return False
    return good_alone(number, records[0])


def _unclosed_quote(problem: str) -> str:
    return _(
        "a quote opened on this line does not close where the row ends (%(problem)s); "
        "the lines after it were read again"
    ) % {"problem": problem}


def _header(first: list[str] | None) -> list[str]:
    if first is None:
        raise ImportFileError(_("The file is empty."))
    header = [name.strip().lower() for name in first]
    if any(_undecodable(name) for name in header):
        raise ImportFileError(
            _(
                "The first line of the file is not valid UTF-8. Save the file as "
                "UTF-8 and import it again."
            )
        )
    missing = [name for name in TWITTER_COLUMNS if name not in header]
    if missing:
        raise ImportFileError(
            _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    return header


def _twitter_row(line: int, values: list[str], width: int, index, zone) -> _Row:
    if len(values) != width:
        message = _("%(found)d columns where the header has %(expected)d") % {
            "found": len(values),
            "expected": width,
        }
        return _Row(line, error=message)
    if any(_undecodable(value) for value in values):
        return _Row(line, error=_("not valid UTF-8; save the file as UTF-8"))
    tweet_id = values[index["tweet_id"]].strip()
    text = values[index["text"]].strip()
    received_at = parse_post_time(values[index["created"]], zone)
    if not tweet_id:
        return _Row(line, error=_("tweet_id is empty"))
    if not text:
        return _Row(line, error=_("text is empty"))
    if received_at is None:
        return _Row(
            line,
            error=_("created is not a date: %(value)r")
            % {"value": values[index["created"]]},
        )
    draft = CaseDraft(
        description=text,
        channel=Channel.SOCIAL,
        external_id=tweet_id,
        airline=airline_code(values[index["airline"]]),
        received_at=received_at,
    )
    return _Row(line, draft=draft)


# surrogateescape turns each undecodable byte into a lone surrogate U+DC80..U+DCFF.
_UNDECODABLE = re.compile("[\udc80-\udcff]")


def _undecodable(value: str) -> bool:
    return not value.isascii() and _UNDECODABLE.search(value) is not None


def import_twitter_csv(
    path: Path,
    *,
    zone: ZoneInfo,
    batch_size: int = BATCH_SIZE,
    on_error: Callable[[RowError], None] = lambda error: None,
    on_progress: Callable[[int], None] = lambda position: None,
) -> ImportReport:
    """Import a tweets export; report each bad row and import the good ones.

    ``on_progress`` receives the number of bytes read so far after every batch.
    """
    check_utf8_text(path)
    report = ImportReport()
    started = time.perf_counter()
    with path.open("rb") as raw:
        text = io.TextIOWrapper(
            raw, encoding="utf-8-sig", errors="surrogateescape", newline=""
        )
        rows = (
            row if row.draft is not None else RowError(row.line, row.error)
            for row in read_twitter_csv(text, zone)
        )
        import_in_batches(
            rows,
            _import_batch,
            report,
            batch_size=batch_size,
            on_error=on_error,
            on_progress=lambda: on_progress(raw.tell()),
        )
    report.seconds = time.perf_counter() - started
    logger.info(
        "import: %d rows read, %d created, %d known, %d rejected in %.1f s",
        report.read,
        report.created,
        report.known,
        report.rejected,
        report.seconds,
    )
    return report


def import_in_batches(
    items: Iterable[Any],
    import_batch: Callable[[list, ImportReport, Callable], None],
    report: ImportReport,
    *,
    batch_size: int,
    on_error: Callable[[RowError], None],
    on_progress: Callable[[], None],
) -> None:
    """Count and report the RowErrors among ``items``; import the rest in batches.

    The loop every import format shares: ``import_batch(batch, report, on_error)``
    writes one batch and counts what became of it; ``on_progress`` is called after
    every batch and once at the end.
    """
    batch: list = []
    for item in items:
        report.read += 1
        if isinstance(item, RowError):
            report.rejected += 1
            on_error(item)
            continue
        batch.append(item)
        if len(batch) >= batch_size:
            import_batch(batch, report, on_error)
            batch = []
            on_progress()
    if batch:
        import_batch(batch, report, on_error)
    on_progress()


def _import_batch(batch: list[_Row], report: ImportReport, on_error) -> None:
    results = open_cases([row.draft for row in batch])
    for row, result in zip(batch, results, strict=True):
        if result.errors:
            report.rejected += 1
            errors = renamed(result.errors, TWITTER_FIELDS)
            details = "; ".join(f"{e.field}: {e.message}" for e in errors)
            on_error(RowError(row.line, details))
        elif result.created:
            report.created += 1
        else:
            report.known += 1
