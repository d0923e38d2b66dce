"""``paxcare assess_entitlements [FILE]``: JSON lines in, one JSON line per input."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from paxcare.remedies.engine.service import assess_request
from paxcare.remedies.regimes.exchange import rates_from, table_rate
from paxcare.remedies.services import carrier_registry

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Assess passenger entitlements. Read one JSON assessment per line from FILE "
        "(standard input when omitted) and write one JSON result or error per line."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "file", nargs="?", help="JSON lines file; stdin when omitted"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options.get("file")
        if path in (None, "-"):
            self._run(options.get("stdin") or sys.stdin)
            return
        try:
            with open(path, encoding="utf-8") as handle:
                self._run(handle)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error

    def _run(self, lines: Iterable[str]) -> None:
        answered = failed = 0
        # The administrators' carrier registry, read once for the whole run.
        self.registry, self.registry_version = carrier_registry()
        # The fares of US denied boarding are converted with the administrators' rates.
        with rates_from(table_rate):
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                output = self._answer_safely(line, number)
                failed += "error" in output
                answered += 1
                self.stdout.write(json.dumps(output, ensure_ascii=False))
        logger.info("Assessed %d inputs, %d invalid", answered, failed)

    def _answer_safely(self, line: str, number: int) -> dict[str, Any]:
        """Answer one line; an unexpected failure is its error, not the run's."""
        try:
            return self._answer(line, number)
        except Exception:
            # A request the engine's checks let through but cannot compute: a bug to
            # fix, logged with its line number; the lines after it are answered.
            logger.exception("Line %d could not be assessed", number)
            return _error_line(
                _identifier(line),
                "unassessable",
                f"Line {number} could not be assessed from these facts.",
            )

    def _answer(self, line: str, number: int) -> dict[str, Any]:
        try:
            data = json.loads(line)
        except (ValueError, RecursionError) as error:
            # ValueError covers malformed JSON and integers of too many digits;
            # RecursionError, arrays nested thousands deep.
            reason = getattr(error, "msg", None) or "nested or sized beyond reading"
            return _error_line(
                None, "invalid_json", f"Line {number} is not valid JSON: {reason}"
            )
        try:
            return assess_request(data, self.registry, self.registry_version)
        except ArithmeticError:
            # A number no rule can compute with (1e999999): this line's answer
            # is an error, and the lines after it are still answered.
            identifier = data.get("id") if isinstance(data, dict) else None
            return {
                "id": identifier,
                "error": {
                    "code": "invalid_number",
                    "message": f"Line {number} holds a number out of range.",
                    "fields": [],
                },
            }


def _error_line(identifier: Any, code: str, message: str) -> dict[str, Any]:
    return {
        "id": identifier,
        "error": {"code": code, "message": message, "fields": []},
    }


def _identifier(line: str) -> Any:
    """Return the ``id`` of a JSON object line, or None."""
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return None
    identifier = data.get("id") if isinstance(data, dict) else None
    # Only what JSON can write back: an id that is itself an object is dropped.
    return identifier if isinstance(identifier, str | int | float | None) else None
