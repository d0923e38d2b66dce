"""The REST API root: ``/api/v1/``, token authentication, one error shape everywhere.

Every error answers ``{"error": {"code", "message", "fields": [{"field", "code",
"message"}]}}`` with a 4xx status.
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from paxcare.accounts.models import ApiToken, hash_token
from paxcare.cases.api import router as cases_router
from paxcare.errors import FieldError, ServiceError
from paxcare.insights.api import router as insights_router
from paxcare.intake.api import router as intake_router
from paxcare.remedies.api import router as remedies_router

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer pxc_…``; the token is looked up by its hash."""

    def authenticate(self, request, token: str):
        if not token:
            return None
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True)
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="PaxCare API",
    version="1",
    description="Cases, messages and KPIs of the PaxCare care platform.",
    auth=TokenAuth(),
    urls_namespace="api",
)


def _error(request, status: int, code: str, message: str, fields=None):
    body = {
        "error": {
            "code": code,
            "message": message,
            "fields": [f.to_dict() for f in (fields or [])],
        }
    }
    return api.create_response(request, body, status=status)


def _location(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    fields = []
    for item in exc.errors:
        fields.append(
            FieldError(
                field=_location(item.get("loc", ())),
                message=item.get("msg", "invalid"),
                code=item.get("type", "invalid"),
            )
        )
    return _error(request, 422, "invalid", "The request is not valid.", fields)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return _error(request, 401, "unauthorized", "A valid API token is required.")


@api.exception_handler(ServiceError)
def on_service_error(request, exc: ServiceError):
    return _error(request, exc.status, exc.code, str(exc.message), exc.fields)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    message = f"The request body is larger than {limit_mb} MB."
    return _error(request, 413, "too_large", message)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return _error(request, exc.status_code, "error", str(exc))


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    logger.error("API: unexpected error on %s", request.path, exc_info=exc)
    return _error(request, 500, "server_error", "Something went wrong on our side.")


api.add_router("/cases", cases_router)
api.add_router("/intake", intake_router)
api.add_router("/kpis", insights_router)
api.add_router("/entitlements", remedies_router)
