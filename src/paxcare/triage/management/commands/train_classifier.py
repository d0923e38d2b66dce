"""``paxcare train-classifier FILE.csv``: a new model from an airline's own history."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from paxcare.triage.classifier import read_training_csv
from paxcare.triage.models import Kind
from paxcare.triage.services import (
    MIN_EXAMPLES_PER_CATEGORY,
    categories_by_code,
    train_classifier,
)

MAX_LISTED = 10


class Command(BaseCommand):
    help = (
        "Train a classifier version from a CSV with columns text, category and "
        "optional kind; print per-class and macro F1 on a held-out fifth. Every "
        f"category needs at least {MIN_EXAMPLES_PER_CATEGORY} examples (agents' "
        "corrections included), and at least two categories are needed; taxonomy "
        "categories without examples are named in a warning."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--label", default="", help="Name of the new version.")
        parser.add_argument(
            "--activate", action="store_true", help="Use the new version from now on."
        )
        parser.add_argument(
            "--no-corrections",
            action="store_true",
            help="Leave out the agents' corrections kept as training examples.",
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        texts, categories, kinds = self._read(path)
        self._check(texts, categories, kinds)
        label = options["label"] or f"{path.name} {timezone.now():%Y-%m-%d %H:%M}"
        try:
            version = train_classifier(
                texts,
                categories,
                kinds,
                label=label,
                include_corrections=not options["no_corrections"],
                activate=options["activate"],
            )
        except ValueError as error:
            raise CommandError(f"{path}: cannot train: {error}") from error
        self._warn_missing(version.metrics.get("missing_categories") or [])
        self._print_report(version.metrics)
        state = "active" if options["activate"] else "not active (use --activate)"
        self.stdout.write(
            f"version {version.pk} {version.label!r}: {version.n_examples} examples, "
            f"{state}"
        )

    def _read(self, path: Path):
        try:
            data = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError as error:
            raise CommandError(f"No such file: {path}") from error
        except UnicodeDecodeError as error:
            raise CommandError(
                f"{path}: not valid UTF-8 at byte {error.start}; save it as UTF-8."
            ) from error
        try:
            return read_training_csv(data)
        except ValueError as error:
            raise CommandError(f"{path}: {error}") from error

    def _check(self, texts, categories, kinds) -> None:
        """Refuse unknown codes and empty texts, naming their lines (header: line 1)."""
        known = set(categories_by_code())
        problems = []
        for line, (text, code) in enumerate(zip(texts, categories, strict=True), 2):
            if not text.strip():
                problems.append(f"line {line}: text is empty")
            if code not in known:
                problems.append(f"line {line}: unknown category code {code!r}")
            if kinds is not None and kinds[line - 2] not in ("", *Kind.values):
                problems.append(f"line {line}: unknown kind {kinds[line - 2]!r}")
        if problems:
            listed = "\n".join(problems[:MAX_LISTED])
            more = len(problems) - MAX_LISTED
            if more > 0:
                listed += f"\n... and {more} more"
            raise CommandError(
                f"{len(problems)} problem(s) in the file; nothing was trained. "
                f"Known category codes: see the admin's category list.\n{listed}"
            )

    def _warn_missing(self, codes: list[str]) -> None:
        if codes:
            self.stderr.write(
                f"warning: {len(codes)} categories of the taxonomy have no examples, "
                f"so this version never predicts them: {', '.join(codes)}"
            )

    def _print_report(self, metrics: dict) -> None:
        self.stdout.write("held-out fifth:")
        self.stdout.write(
            f"{'category':<28} {'precision':>9} {'recall':>7} {'F1':>6} {'n':>5}"
        )
        for code, scores in metrics["per_class"].items():
            self.stdout.write(
                f"{code:<28} {scores['precision']:>9.3f} {scores['recall']:>7.3f} "
                f"{scores['f1']:>6.3f} {scores['support']:>5}"
            )
        self.stdout.write(
            f"macro F1 {metrics['macro_f1']:.3f}, accuracy {metrics['accuracy']:.3f}, "
            f"{metrics['n_texts']} held-out texts"
        )
        if "threshold" in metrics:
            self.stdout.write(
                f"confidence threshold {metrics['threshold']:.2f}: "
                f"{metrics['coverage']:.1%} of the held-out texts at or above it, "
                f"{metrics['confident_accuracy']:.1%} of those right; the rest go "
                "to the triage queue"
            )
