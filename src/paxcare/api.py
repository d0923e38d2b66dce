"""The REST API root: ``/api/v1/``, token authentication, one error shape everywhere.

Every error answers ``{"error": {"code", "message", "fields": [{"field", "code",
"message"}]}}`` with a 4xx status.
"""

import logging
import math

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from paxcare.accounts.services import authenticate_token
from paxcare.apidocs import VendoredSwagger
from paxcare.cases.api import router as cases_router
from paxcare.disruptions.api import router as flights_router
from paxcare.errors import FieldError, ServiceError, read_json_body
from paxcare.insights.analysis_api import router as insights_analysis_router
from paxcare.insights.api import router as insights_router
from paxcare.intake.api import router as intake_router
from paxcare.remedies.api import router as remedies_router
from paxcare.remedies.offers_api import router as remedies_offers_router

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer pxc_…``; the token is looked up by its hash."""

    def authenticate(self, request, token: str):
        # None for revoked, expired, inactive, and demo accounts outside demo mode.
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


class JsonBodyParser(Parser):
    """Read a JSON body; one that cannot be read names its fault (MalformedBody)."""

    def parse_body(self, request):
        return read_json_body(request.body)


api = NinjaAPI(
    title="PaxCare API",
    version="1",
    description="Cases, messages and KPIs of the PaxCare care platform.",
    auth=TokenAuth(),
    urls_namespace="api",
    docs=VendoredSwagger(),
    parser=JsonBodyParser(),
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
    return _error(request, 422, "invalid", _("The request is not valid."), fields)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return _error(request, 401, "unauthorized", _("A valid API token is required."))


@api.exception_handler(ServiceError)
def on_service_error(request, exc: ServiceError):
    return _error(request, exc.status, exc.code, str(exc.message), exc.fields)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    message = _("The request body is larger than %(limit)d MB.") % {"limit": limit_mb}
    return _error(request, 413, "too_large", message)


@api.exception_handler(Throttled)
def on_throttled(request, exc: Throttled):
    seconds = max(1, math.ceil(exc.wait or 60))
    message = _("Too many requests: try again in %(seconds)d seconds.") % {
        "seconds": seconds
    }
    response = _error(request, 429, "rate_limited", message)
    response["Retry-After"] = str(seconds)
    return response


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    # django-ninja wraps what the body parser raises in a vague HttpError(400).
    if isinstance(exc.__cause__, ServiceError):
        return on_service_error(request, exc.__cause__)
    return _error(request, exc.status_code, "error", str(exc))


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    logger.error("API: unexpected error on %s", request.path, exc_info=exc)
    return _error(request, 500, "server_error", _("Something went wrong on our side."))


api.add_router("/cases", cases_router)
api.add_router("/intake", intake_router)
api.add_router("/kpis", insights_router)
api.add_router("/insights", insights_analysis_router)
api.add_router("/entitlements", remedies_router)
api.add_router("/flights", flights_router)
api.add_router("/remedies", remedies_offers_router)
