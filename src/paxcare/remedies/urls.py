from django.urls import path

from paxcare.remedies import views

app_name = "remedies"

urlpatterns = [
    path("console/remedies/", views.console_home, name="console_home"),
    path("console/cases/<str:number>/remedies/facts/", views.facts, name="facts"),
    path(
        "console/cases/<str:number>/remedies/steps/<int:step_id>/",
        views.step,
        name="step",
    ),
    path("console/cases/<str:number>/remedies/offers/", views.propose, name="propose"),
    path(
        "console/cases/<str:number>/remedies/offers/<int:offer_id>/<slug:action>/",
        views.offer_action,
        name="offer_action",
    ),
    path(
        "track/<str:number>/offers/<int:offer_id>/accept/",
        views.accept,
        name="accept",
    ),
    path(
        "track/<str:number>/offers/<int:offer_id>/decline/",
        views.decline,
        name="decline",
    ),
    path("passenger-rights/", views.rights, name="rights"),
]
