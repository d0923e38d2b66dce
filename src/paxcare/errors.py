"""Domain errors that every interface turns into the same clear answer.

Services raise these; the API renders them as one JSON shape, pages as form errors,
commands as a line on stderr.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The deepest request body the API reads. Its own bodies nest 6 levels at most (an
# assessment's items, segments, fares); the rest of the room is for clients, and the
# limit stops bodies built to exhaust the parser's stack (which gives out near 1,000).
MAX_JSON_DEPTH = 32


@dataclass
class FieldError:
    field: str
    message: str
    code: str = "invalid"

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": str(self.message)}


@dataclass
class ServiceError(Exception):
    message: str
    code: str = "invalid"
    fields: list[FieldError] = field(default_factory=list)
    status: int = 400

    def __str__(self) -> str:
        if not self.fields:
            return str(self.message)
        details = "; ".join(f"{f.field}: {f.message}" for f in self.fields)
        return f"{self.message} ({details})"

    def to_dict(self) -> dict:
        return {
            "error": {
                "code": self.code,
                "message": str(self.message),
                "fields": [f.to_dict() for f in self.fields],
            }
        }


class InvalidInput(ServiceError):
    def __init__(
        self, fields: list[FieldError], message: str = _("The input is not valid.")
    ):
        super().__init__(message=message, code="invalid", fields=fields, status=422)


class NotFound(ServiceError):
    def __init__(self, message: str = _("Not found.")):
        super().__init__(message=message, code="not_found", status=404)


class PermissionDenied(ServiceError):
    def __init__(self, message: str = _("You may not do this.")):
        super().__init__(message=message, code="forbidden", status=403)


class Conflict(ServiceError):
    def __init__(self, message: str, code: str = "conflict"):
        super().__init__(message=message, code=code, status=409)


class MalformedBody(ServiceError):
    """A request body the API cannot read as JSON: 400, with the fault named."""

    def __init__(self, message: str, code: str):
        super().__init__(message=message, code=code, status=400)


def read_json_body(raw: bytes) -> Any:
    """Return the JSON value of a request body, or raise MalformedBody naming the fault.

    Codes: ``invalid_encoding`` (bytes that are not text, with their offset),
    ``malformed_json`` (with the line and column) and ``too_deep`` (arrays or
    objects nested deeper than MAX_JSON_DEPTH).
    """
    encoding = json.detect_encoding(raw)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        name = "UTF-8" if encoding.startswith("utf-8") else encoding.upper()
        message = gettext(
            "The request body is not valid %(encoding)s: the byte at offset "
            "%(offset)d cannot be read."
        ) % {"encoding": name, "offset": error.start}
        raise MalformedBody(message, "invalid_encoding") from error
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        message = gettext(
            "The request body is not valid JSON: %(reason)s at line %(line)d, "
            "column %(column)d."
        ) % {
            # "Unterminated string starting at" reads on into the place.
            "reason": error.msg.removesuffix(" at"),
            "line": error.lineno,
            "column": error.colno,
        }
        raise MalformedBody(message, "malformed_json") from error
    except RecursionError as error:
        raise _too_deep() from error
    # Counting brackets is a bound on the depth that costs next to nothing; only a
    # body with more of them than the limit is walked.
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and _deeper_than(
        value, MAX_JSON_DEPTH
    ):
        raise _too_deep()
    return value


def _too_deep() -> MalformedBody:
    message = gettext(
        "The request body nests arrays and objects deeper than %(limit)d levels."
    ) % {"limit": MAX_JSON_DEPTH}
    return MalformedBody(message, "too_deep")


def _deeper_than(value: Any, limit: int) -> bool:
    """Return whether ``value`` nests lists and dicts more than ``limit`` levels."""
    if not isinstance(value, dict | list):
        return False
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item
        if depth > limit:
            return True
        pending.extend(
            (child, depth + 1) for child in children if isinstance(child, dict | list)
        )
    return False
