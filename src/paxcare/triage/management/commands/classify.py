"""``paxcare classify``: JSON lines ``{"id", "text"}`` in, predictions out.

Each input line gets one output line, in order; blank lines are skipped. A bad
line answers ``{"id": ..., "line": ..., "error": ...}``, with its line number in
the input (blank lines counted), and the lines after it are still classified.
Every line needs its ``id`` (a string or a number), since answers are matched by
it; a line without one answers ``{"id": null, "line": ..., "error": ...}``. A line
that is not JSON names the column (from 1) where reading it failed.
"""

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from paxcare.triage.services import triage_texts

# Texts are classified a batch at a time: the vectorisers cost far less per text on
# a few hundred at once than one by one.
BATCH_SIZE = 256


class Command(BaseCommand):
    help = (
        'Classify JSON lines {"id", "text"} from stdin; write '
        '{"id", "category", "kind", "confidence"} per line to stdout.'
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, **options) -> None:
        size = options["batch_size"]
        if size < 1:
            raise CommandError("--batch-size must be at least 1.")
        batch: list[dict[str, Any]] = []
        for number, line in enumerate(options.get("stdin") or sys.stdin, start=1):
            if not line.strip():
                continue
            item = parse_line(line)
            if "error" in item:
                item = {"id": item["id"], "line": number, "error": item["error"]}
            batch.append(item)
            if len(batch) >= size:
                self._flush(batch)
                batch = []
        self._flush(batch)

    def _flush(self, batch: list[dict[str, Any]]) -> None:
        if not batch:
            return
        good = [item for item in batch if "error" not in item]
        triaged = iter(triage_texts([item["text"] for item in good]))
        for item in batch:
            if "error" in item:
                answer = item
            else:
                triage = next(triaged)
                answer = {
                    "id": item["id"],
                    "category": triage.category.code,
                    "kind": triage.kind,
                    "confidence": round(triage.confidence, 4),
                }
            self.stdout.write(json.dumps(answer, ensure_ascii=False))
        self.stdout.flush()


def parse_line(line: str) -> dict[str, Any]:
    """Return ``{"id", "text"}`` from one input line, or ``{"id", "error"}``."""
    # Without its line ending: a line cut short would otherwise fail "at column 1"
    # of the line after it.
    line = line.rstrip("\r\n")
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        return {"id": None, "error": f"not JSON: {error.msg} at column {error.colno}"}
    if not isinstance(value, dict):
        return {"id": None, "error": "not a JSON object"}
    identifier = value.get("id")
    if identifier is None:
        return {"id": None, "error": 'no "id"'}
    if isinstance(identifier, bool) or not isinstance(identifier, str | int | float):
        return {"id": None, "error": '"id" is not a string or a number'}
    if isinstance(identifier, str) and not identifier.strip():
        return {"id": identifier, "error": '"id" is empty'}
    text = value.get("text")
    if not isinstance(text, str):
        return {"id": identifier, "error": 'no "text" string'}
    if not text.strip():
        return {"id": identifier, "error": '"text" is empty'}
    return {"id": identifier, "text": text}
