"""``paxcare assess_entitlements [FILE]``: JSON lines in, one JSON line per input."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from paxcare.remedies.engine.service import assess_request
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
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            output = self._answer(line, number)
            failed += "error" in output
            answered += 1
            self.stdout.write(json.dumps(output, ensure_ascii=False))
        logger.info("Assessed %d inputs, %d invalid", answered, failed)

    def _answer(self, line: str, number: int) -> dict[str, Any]:
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            return {
                "id": None,
                "error": {
                    "code": "invalid_json",
                    "message": f"Line {number} is not valid JSON: {error.msg}",
                    "fields": [],
                },
            }
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
