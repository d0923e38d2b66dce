"""``paxcare import-flights --format nycflights13|csv FILE``: flights in, care out.

Prints what the file held (flights, cancellations, arrival delays of 3 hours or
more, diversions) and what was done. With ``--manifests-seed`` every disrupted
flight gets an invented manifest first (for replays and demonstrations), and the
passengers' cases are opened unless ``--no-care`` is given.
"""

import argparse
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from paxcare.disruptions.generator import manifests
from paxcare.disruptions.importers import (
    ImportFileError,
    RowError,
    import_flights,
    rejected_message,
)
from paxcare.disruptions.management.commands._wording import (
    care_line,
    flights_read_line,
    in_site_language,
    manifests_line,
    outcomes_line,
    owed_line,
    regimes_line,
)
from paxcare.disruptions.manifests import load_manifest
from paxcare.disruptions.models import Flight
from paxcare.disruptions.proactive import unfinished_care
from paxcare.disruptions.summary import regimes_applying, totals_for
from paxcare.disruptions.workers import care_in_processes

FORMATS = ("nycflights13", "csv")
# Like ``import-cases``: 0 when every row was recorded, 1 when some rows were
# rejected (each on stderr with its line; the others recorded and cared for), 2 when
# the file cannot be read at all (missing, not UTF-8, columns missing): nothing done.
EXIT_ROWS_REJECTED = 1
EXIT_NOTHING_IMPORTED = 2
# The flights were recorded, but a care worker process died (killed) on the way.
EXIT_CARE_STOPPED = 3


class Command(BaseCommand):
    help = (
        "Import flights and their delays, cancellations and diversions. Bad rows are "
        "reported on stderr with their line number; re-importing changes nothing. "
        "Exit status: 0 when every row was recorded, 1 when some rows were rejected, "
        "2 when the file could not be read."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument(
            "--shift-days",
            type=int,
            default=0,
            help="Move every date by this many days (a multiple of 7 keeps weekdays).",
        )
        parser.add_argument(
            "--manifests-seed",
            type=int,
            help="Invent the manifests of the disrupted flights from this seed.",
        )
        parser.add_argument(
            "--no-care", action="store_true", help="Do not open passengers' cases."
        )
        parser.add_argument(
            "--workers",
            type=_positive,
            default=2,
            help=(
                "Processes that open the cases, each on its own share of the "
                "disruptions (PostgreSQL; SQLite always uses one). Default: 2."
            ),
        )

    @in_site_language
    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(
                f"No such file: {path}", returncode=EXIT_NOTHING_IMPORTED
            )
        try:
            report = import_flights(
                path,
                file_format=options["format"],
                shift_days=options["shift_days"],
                on_error=self._report_row,
            )
        except ImportFileError as error:
            raise CommandError(
                f"{path}: {error}", returncode=EXIT_NOTHING_IMPORTED
            ) from error
        # The lines are in the active language (settings.LANGUAGE_CODE by default).
        self.stdout.write(flights_read_line(report))
        if outcomes := outcomes_line(report.outcomes):
            self.stdout.write(outcomes)
        ids = report.disruption_ids
        if options["manifests_seed"] is not None:
            self._invent_manifests(ids, options["manifests_seed"])
        if not options["no_care"]:
            # A run stopped before its care was done (a worker killed) is finished
            # by importing the file again: its flights are unchanged by then.
            care = ids + unfinished_care(report.unchanged_disruption_ids)
            if care:
                self._care(care, options["workers"])
        if report.rejected:
            raise CommandError(
                rejected_message(report.rejected, report.read),
                returncode=EXIT_ROWS_REJECTED,
            )

    def _report_row(self, error: RowError) -> None:
        self.stderr.write(f"line {error.line}: {error.message}")

    def _invent_manifests(self, ids: list[int], seed: int) -> None:
        started = time.perf_counter()
        flights = Flight.objects.filter(disruption__pk__in=ids).order_by("pk")
        passengers = 0
        for flight, rows in manifests(flights.iterator(), seed):
            passengers += load_manifest(flight, rows).added
        seconds = time.perf_counter() - started
        self.stdout.write(manifests_line(passengers, len(ids), seconds))

    def _care(self, ids: list[int], workers: int) -> None:
        started = time.perf_counter()
        try:
            total = care_in_processes(ids, workers=workers)
        except BrokenProcessPool as error:
            raise CommandError(
                "A care worker process ended before its work was done (killed?). "
                "What was committed stays; import the same file again to care "
                "for the passengers left.",
                returncode=EXIT_CARE_STOPPED,
            ) from error
        seconds = time.perf_counter() - started
        reached = total.opened + total.linked
        rate = reached / seconds if seconds else 0.0
        self.stdout.write(care_line(total, seconds, rate))
        self.stdout.write(regimes_line(regimes_applying(ids)))
        for t in totals_for(ids):
            self.stdout.write(
                owed_line(t.regime, t.kind, t.amount, t.currency, t.passengers)
            )
        sys.stdout.flush()


def _positive(text: str) -> int:
    """Return ``text`` as a whole number of at least 1, for --workers."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more: {text}")
    return value
