from django.urls import path

from paxcare.console import case_views, views

app_name = "console"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("", views.queue, {"queue": "mine"}, name="queue"),
    path("department/", views.queue, {"queue": "department"}, name="department_queue"),
    path("triage/", views.queue, {"queue": "triage"}, name="triage_queue"),
    path("all/", views.queue, {"queue": "all"}, name="all_cases"),
    path("phone/", views.phone_case, name="phone"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("cases/<str:number>/", case_views.case_page, name="case"),
    path(
        "cases/<str:number>/attachments/<int:attachment_id>/",
        case_views.attachment,
        name="attachment",
    ),
    path("cases/<str:number>/reply/", case_views.reply, name="reply"),
    path("cases/<str:number>/note/", case_views.note, name="note"),
    path("cases/<str:number>/category/", case_views.category, name="category"),
    path("cases/<str:number>/priority/", case_views.priority, name="priority"),
    path("cases/<str:number>/status/", case_views.status, name="status"),
    path("cases/<str:number>/assignee/", case_views.assignee, name="assignee"),
]
