from django.contrib import admin
from django.urls import include, path

from paxcare.api import api
from paxcare.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("anymail/", include("paxcare.comms.urls")),
    path("console/insights/", include("paxcare.insights.urls")),
    path("", include("paxcare.disruptions.urls")),
    path("", include("paxcare.remedies.urls")),
    path("console/", include("paxcare.console.urls")),
    path("survey/", include("paxcare.surveys.urls")),
    path("", include("paxcare.portal.urls")),
]

# MEDIA_ROOT is never published, not even in DEBUG: attachments are served only by
# the views that check who asks (paxcare.cases.downloads).
