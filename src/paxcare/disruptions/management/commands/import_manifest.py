"""``paxcare import-manifest FILE``: the passengers of known flights, from a CSV.

One passenger a row; ``flight_number``, ``flight_date`` and ``origin`` name the
flight, the other columns are those of the manifest API (``onward`` as a JSON
list). Passengers of disrupted flights get their cases unless ``--no-care``.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from paxcare.disruptions.importers import (
    ImportFileError,
    RowError,
    import_manifest_csv,
    rejected_message,
)
from paxcare.disruptions.management.commands._wording import (
    care_line,
    in_site_language,
    manifest_read_line,
)
from paxcare.disruptions.models import Disruption
from paxcare.disruptions.proactive import care_for_disruptions, refresh_passengers

# Like ``import-cases``: 0 when every row was loaded, 1 when some rows were rejected
# (bad values, unknown flights; each on stderr with its line), 2 when the file
# cannot be read at all (missing, not UTF-8, columns missing): nothing done.
EXIT_ROWS_REJECTED = 1
EXIT_NOTHING_IMPORTED = 2


class Command(BaseCommand):
    help = (
        "Import flight manifests from a CSV file; bad rows go to stderr. Exit status: "
        "0 when every row was loaded, 1 when some rows were rejected, 2 when the file "
        "could not be read."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--no-care", action="store_true", help="Do not open passengers' cases."
        )

    @in_site_language
    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(
                f"No such file: {path}", returncode=EXIT_NOTHING_IMPORTED
            )
        try:
            report = import_manifest_csv(path, on_error=self._report_row)
        except ImportFileError as error:
            raise CommandError(
                f"{path}: {error}", returncode=EXIT_NOTHING_IMPORTED
            ) from error
        manifest = report.manifest
        self.stdout.write(manifest_read_line(report))
        if not options["no_care"]:
            self._care(report)
        rejected = len(manifest.rejected) + report.unknown_flight_rows
        if rejected:
            raise CommandError(
                rejected_message(rejected, report.rows),
                returncode=EXIT_ROWS_REJECTED,
            )

    def _care(self, report) -> None:
        manifest = report.manifest
        refreshed = refresh_passengers(manifest.changed_entry_ids)
        total = care_for_disruptions(
            Disruption.objects.filter(flight_id__in=report.flight_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        self.stdout.write(care_line(total, None, updated=total.updated + refreshed))

    def _report_row(self, error: RowError) -> None:
        self.stderr.write(f"line {error.line}: {error.message}")
