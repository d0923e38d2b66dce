"""``paxcare import-cases --format FORMAT FILE``: exports of posts and tickets to cases.

The exit status says what became of the rows, whatever the format:

- 0: every row was imported or was already known;
- 1: some rows were rejected (each reported on stderr with its line); the others
  were imported;
- 2: nothing was imported: the file is missing or cannot be read as a whole (not
  UTF-8 text, no header, missing columns), or the command line is wrong.
"""

import gc
import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string
from django.utils.translation import ngettext
from tqdm import tqdm

from paxcare.intake.importers import (
    BATCH_SIZE,
    IMPORTERS,
    ImportFileError,
    ImportReport,
    RowError,
    check_utf8_text,
)
from paxcare.triage.services import active_classifier

FORMATS = tuple(IMPORTERS)

EXIT_ROWS_REJECTED = 1
# The exit status of argparse's usage errors: nothing was done either.
EXIT_NOTHING_IMPORTED = 2


class Command(BaseCommand):
    help = (
        "Import a social-media or helpdesk export as cases. Bad rows are reported on "
        "stderr with their line number; the good rows are imported. Re-importing "
        "creates no duplicates. Exit status: 0 when every row was imported or "
        "already known, 1 when some rows were rejected, 2 when nothing could be "
        "imported (a missing or unreadable file)."
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
            raise CommandError(
                f"No such file: {path}", returncode=EXIT_NOTHING_IMPORTED
            )
        try:
            zone = ZoneInfo(options["time_zone"])
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise CommandError(
                f"Unknown time zone: {options['time_zone']}",
                returncode=EXIT_NOTHING_IMPORTED,
            ) from error
        if options["batch_size"] < 1:
            raise CommandError(
                "--batch-size must be at least 1.", returncode=EXIT_NOTHING_IMPORTED
            )
        report = self._import(path, zone, options)
        self.stdout.write(
            f"read {report.read}, created {report.created}, "
            f"already known {report.known}, rejected {report.rejected}; "
            f"{report.seconds:.1f} s, {report.rate:.0f} rows/s"
        )
        if report.rejected:
            raise CommandError(_rejected_message(report), returncode=EXIT_ROWS_REJECTED)

    def _import(self, path: Path, zone: ZoneInfo, options) -> ImportReport:
        try:
            # Every format reads UTF-8: a file in another encoding is named as
            # such, not reported as missing columns or as one bad line per row.
            check_utf8_text(path)
        except ImportFileError as error:
            raise CommandError(
                f"{path}: {error}", returncode=EXIT_NOTHING_IMPORTED
            ) from error
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
            return import_string(IMPORTERS[options["format"]])(
                path,
                zone=zone,
                batch_size=options["batch_size"],
                on_error=self._report_row,
                on_progress=lambda position: bar.update(position - bar.n),
            )
        except ImportFileError as error:
            raise CommandError(
                f"{path}: {error}", returncode=EXIT_NOTHING_IMPORTED
            ) from error
        finally:
            bar.close()
            gc.unfreeze()

    def _report_row(self, error: RowError) -> None:
        # Clear the bar first so that the message gets a line of its own.
        self.bar.clear()
        self.stderr.write(f"line {error.line}: {error.message}")
        self.bar.refresh()


def _rejected_message(report: ImportReport) -> str:
    if report.rejected == report.read:
        return ngettext(
            "The only row was rejected; nothing was imported.",
            "All %(rejected)d rows were rejected; nothing was imported.",
            report.rejected,
        ) % {"rejected": report.rejected}
    return ngettext(
        "%(rejected)d of %(read)d rows was rejected; the others were imported.",
        "%(rejected)d of %(read)d rows were rejected; the others were imported.",
        report.rejected,
    ) % {"rejected": report.rejected, "read": report.read}
