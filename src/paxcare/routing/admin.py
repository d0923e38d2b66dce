"""Administrators edit departments, agents and which department owns each category."""

from django.contrib import admin

from paxcare.routing.models import Agent, CategoryRoute, Department


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_zh", "calendar", "supervisor"]
    search_fields = ["code", "name_en", "name_zh"]
    list_select_related = ["calendar", "supervisor"]
    autocomplete_fields = ["supervisor"]

    def get_readonly_fields(self, request, obj=None):
        # Codes are referred to by routes, imports and reports.
        return ["code"] if obj is not None else []


@admin.register(CategoryRoute)
class CategoryRouteAdmin(admin.ModelAdmin):
    list_display = ["category", "department"]
    list_editable = ["department"]
    list_filter = ["department"]
    search_fields = ["category__code", "category__name_en", "category__name_zh"]
    list_select_related = ["category", "department"]
    ordering = ["category__position", "category__code"]


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "role",
        "is_available",
        "sees_all_departments",
        "approval_limit",
        "approval_currency",
    ]
    list_filter = ["role", "is_available", "sees_all_departments", "departments"]
    list_editable = ["is_available"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user"]
    filter_horizontal = ["departments"]
    autocomplete_fields = ["user"]
    fields = [
        "user",
        "role",
        "departments",
        "sees_all_departments",
        "is_available",
        "approval_limit",
        "approval_currency",
        "skills",
        "languages",
    ]
