from django.urls import path

from paxcare.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("csv/<str:name>/", views.chart_csv, name="chart_csv"),
    path("breakdown/", views.breakdown, name="breakdown"),
    path("alerts/", views.alert_list, name="alerts"),
    path(
        "alerts/<int:alert_id>/seen/", views.acknowledge_alert, name="acknowledge_alert"
    ),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path(
        "follow-ups/<int:follow_up_id>/close/",
        views.close_follow_up,
        name="close_follow_up",
    ),
    path("drivers/", views.driver_page, name="drivers"),
    path("reports/", views.report_page, name="reports"),
]
