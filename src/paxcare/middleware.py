"""Keep the API's one error shape for the answers django-ninja does not make itself.

An unknown path under ``/api/v1/`` is answered by Django's URL resolver (an HTML 404)
and a method a path does not take by django-ninja's path view (a plain-text 405).
Both become ``{"error": {"code", "message", "fields"}}`` here, with the same status
and, for a 405, the same ``Allow`` header.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/v1/"


class ApiErrorShapeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code not in (
            404,
            405,
        ):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        return _json_error(request, response)


def _json_error(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if response.status_code == 404:
        code, message = "not_found", _("Not found.")
    else:
        code = "method_not_allowed"
        message = _("This path does not take the %(method)s method.") % {
            "method": request.method
        }
    replacement = JsonResponse(
        {"error": {"code": code, "message": message, "fields": []}},
        status=response.status_code,
    )
    if response.has_header("Allow"):
        replacement["Allow"] = response["Allow"]
    return replacement
