"""``paxcare analyse-drivers FILE``: which service items drive overall satisfaction."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from paxcare.errors import InvalidInput
from paxcare.insights.drivers import DEFAULT_BOOTSTRAP, ITEMS, analyse_text


class Command(BaseCommand):
    help = (
        "Analyse survey answers (CSV: the 14 service items rated 0-5 and a "
        "'satisfaction' verdict) and keep the result for the insight pages."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--bootstrap", type=int, default=DEFAULT_BOOTSTRAP)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--json", action="store_true", help="print the result")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if options["bootstrap"] < 10:
            raise CommandError("--bootstrap must be at least 10.")
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                analysis = analyse_text(
                    handle,
                    path.name,
                    bootstrap=options["bootstrap"],
                    seed=options["seed"],
                )
        except InvalidInput as error:
            raise CommandError(f"{path}: {error}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{path}: not UTF-8 text") from error
        result = analysis.result
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
            return
        self.stdout.write(
            f"{result['rows']} answers ({result['skipped']} skipped), "
            f"{result['satisfied_share']:.1%} satisfied; AUC {result['auc']}"
        )
        for rank, item in enumerate(result["items"], start=1):
            self.stdout.write(
                f"{rank:2d}. {str(ITEMS[item['item']]):<40} {item['coefficient']:+.3f} "
                f"[{item['ci_low']:+.3f}, {item['ci_high']:+.3f}]"
            )
