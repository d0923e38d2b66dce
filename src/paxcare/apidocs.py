"""``/api/v1/docs``: Swagger UI served from our own static files, never from a CDN.

``scripts/vendor-static.sh`` (``make vendor``) fetches ``swagger-ui-dist`` from npm
into ``static/vendor``. Without it the page says how to get it, and where the
OpenAPI document is, instead of loading a script from the internet.
"""

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger

SWAGGER_FILES = ("vendor/swagger-ui-bundle.js", "vendor/swagger-ui.css")


def is_vendored(path: str) -> bool:
    """Return whether a static file can be served here."""
    return bool(finders.find(path)) or staticfiles_storage.exists(path)


class VendoredSwagger(Swagger):
    def render_page(self, request: HttpRequest, api, **kwargs) -> HttpResponse:
        openapi_url = self.get_openapi_url(api, kwargs)
        context = {
            "api": api,
            "openapi_url": openapi_url,
            "swagger_settings": {
                **self.settings,
                "url": openapi_url,
                "dom_id": "#swagger-ui",
            },
            "vendored": all(is_vendored(path) for path in SWAGGER_FILES),
        }
        return render(request, "api/docs.html", context)
