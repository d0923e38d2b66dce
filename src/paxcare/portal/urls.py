from django.urls import path

from paxcare.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("complaint/", views.file_complaint, name="file"),
    path("complaint/<str:number>/filed/", views.filed, name="filed"),
    path("track/", views.track, name="track"),
    path("track/<str:number>/", views.case_page, name="case"),
    path("track/<str:number>/reply/", views.reply, name="reply"),
    path(
        "track/<str:number>/attachments/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
]
