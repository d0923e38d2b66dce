"""``paxcare import-cases --format twitter-csv FILE``: social-media exports to cases."""

import gc
import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string
from tqdm import tqdm

from paxcare.intake.importers import (
    BATCH_SIZE,
    IMPORTERS,
    ImportFileError,
    RowError,
)
from paxcare.triage.services import active_classifier

FORMATS = tuple(IMPORTERS)


class Command(BaseCommand):
    help = (
        "Import a social-media export as cases. Bad rows are reported on stderr with "
        "their line number; the good rows are imported. Re-importing creates no "
        "duplicates."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument(
            "--time-zone",
            default="UTC",
            help="Zone of times written without an offset (default UTC).",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Show the progress bar even when stderr is not a terminal.",
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            zone = ZoneInfo(options["time_zone"])
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise CommandError(f"Unknown time zone: {options['time_zone']}") from error
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")

        # Everything alive now (Django, the classifier, loaded first for this) lives
        # as long as the import: leaving it out of the cyclic collector's scans
        # saves a tenth of an import. Unfrozen after, for a caller that lives on.
        active_classifier()
        gc.freeze()
        show = options["progress"] or sys.stderr.isatty()
        self.bar = bar = tqdm(
            total=path.stat().st_size,
            unit="B",
            unit_scale=True,
            desc=path.name,
            file=sys.stderr,
            disable=not show,
        )
        try:
            report = import_string(IMPORTERS[options["format"]])(
                path,
                zone=zone,
                batch_size=options["batch_size"],
                on_error=self._report_row,
                on_progress=lambda position: bar.update(position - bar.n),
            )
        except ImportFileError as error:
            raise CommandError(f"{path}: {error}") from error
        finally:
            bar.close()
            gc.unfreeze()

        self.stdout.write(
            f"read {report.read}, created {report.created}, "
            f"already known {report.known}, rejected {report.rejected}; "
            f"{report.seconds:.1f} s, {report.rate:.0f} rows/s"
        )

    def _report_row(self, error: RowError) -> None:
        # Clear the bar first so that the message gets a line of its own.
        self.bar.clear()
        self.stderr.write(f"line {error.line}: {error.message}")
        self.bar.refresh()
