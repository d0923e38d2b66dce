"""The disruption pages: the console's under /console/disruptions/, the public ones
under /disruptions/ with their Atom and JSON feeds."""

from django.urls import path

from paxcare.disruptions import feeds, public_views, views

app_name = "disruptions"

urlpatterns = [
    path("console/disruptions/", views.disruption_list, name="console_list"),
    path("console/disruptions/<int:pk>/", views.disruption_page, name="console_page"),
    path(
        "console/disruptions/<int:pk>/message/", views.message_all, name="message_all"
    ),
    path("console/disruptions/<int:pk>/goodwill/", views.goodwill, name="goodwill"),
    path(
        "console/disruptions/<int:pk>/goodwill/<uuid:reference>/<str:decision>/",
        views.goodwill_decision,
        name="goodwill_decision",
    ),
    path(
        "console/disruptions/<int:pk>/close/",
        views.close_satisfied,
        name="close_satisfied",
    ),
    path("disruptions/", public_views.public_list, name="public_list"),
    path(
        "disruptions/feed/<str:language>.atom",
        feeds.DisruptionAtomFeed(),
        name="atom_feed",
    ),
    path("disruptions/feed/<str:language>.json", feeds.json_feed, name="json_feed"),
    path("disruptions/<str:key>/", public_views.public_detail, name="public_detail"),
    path("disruptions/<str:key>/claim/", public_views.claim, name="claim"),
]
