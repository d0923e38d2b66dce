"""Domain errors that every interface turns into the same clear answer.

Services raise these; the API renders them as one JSON shape, pages as form errors,
commands as a line on stderr.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


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
