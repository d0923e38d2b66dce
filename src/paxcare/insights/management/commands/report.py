"""``paxcare report``: a weekly or monthly management report, as PDF, HTML or mail."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from paxcare.insights.pdf import render_pdf
from paxcare.insights.reports import (
    LANGUAGES,
    build_report,
    last_complete,
    parse_period,
    render_html,
    send_report,
)


class Command(BaseCommand):
    help = (
        "Write the management report of a week or month over every case: "
        "--period month --month 2026-11 --language zh-hans --pdf out.pdf. Without "
        "--month/--week, the last complete one; without --period, the kind of the "
        "one given (--week 2026-W49 is a weekly report), else month."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period", choices=("week", "month"))
        parser.add_argument("--month", help="e.g. 2026-11 (with --period month)")
        parser.add_argument("--week", help="e.g. 2026-W47 (with --period week)")
        parser.add_argument("--language", choices=LANGUAGES, default="en")
        parser.add_argument("--pdf", type=Path, help="write the PDF here")
        parser.add_argument("--html", type=Path, help="write the HTML page here")
        parser.add_argument(
            "--send",
            action="store_true",
            help="mail it to supervisors, analysts and administrators instead",
        )

    def handle(self, *args, **options) -> None:
        period = self._period(options)
        if options["send"]:
            sent = send_report(period)
            self.stdout.write(f"{period.label}: mailed to {sent} people")
            return
        if not options["pdf"] and not options["html"]:
            raise CommandError("Give --pdf FILE, --html FILE or --send.")
        outputs = [(name, options[name]) for name in ("pdf", "html") if options[name]]
        for name, path in outputs:
            # Checked before the report is built: that is the slow part.
            if not path.parent.is_dir():
                raise CommandError(f"--{name}: no such folder: {path.parent}")
        report = build_report(period)
        if options["pdf"]:
            _write(options["pdf"], "pdf", render_pdf(report, options["language"]))
            self.stdout.write(f"{period.label}: PDF written to {options['pdf']}")
        if options["html"]:
            html = render_html(report, options["language"]).encode("utf-8")
            _write(options["html"], "html", html)
            self.stdout.write(f"{period.label}: HTML written to {options['html']}")

    def _period(self, options):
        kind = options["period"] or _kind_given(options)
        value = options["month"] if kind == "month" else options["week"]
        other = "week" if kind == "month" else "month"
        if options[other]:
            raise CommandError(f"--period {kind} takes --{kind}, not --{other}.")
        if not value:
            return last_complete(kind)
        try:
            return parse_period(kind, value)
        except ValueError as error:
            raise CommandError(f"--{kind}: {error}") from error


def _kind_given(options) -> str:
    """Return the kind of period of the one given, month when neither is."""
    if options["week"] and options["month"]:
        raise CommandError("Give --week or --month, not both.")
    return "week" if options["week"] else "month"


def _write(path: Path, name: str, content: bytes) -> None:
    try:
        path.write_bytes(content)
    except OSError as error:
        raise CommandError(
            f"--{name}: cannot write {path}: {error.strerror or error}"
        ) from None
