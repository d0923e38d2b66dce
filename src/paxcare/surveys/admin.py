from django.contrib import admin

from paxcare.surveys.models import FollowUp, Survey, SurveyReason


@admin.register(SurveyReason)
class SurveyReasonAdmin(admin.ModelAdmin):
    list_display = ("code", "label_en", "label_zh", "rank", "is_active")
    list_editable = ("label_en", "label_zh", "rank", "is_active")
    ordering = ("rank", "code")


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = (
        "case",
        "source",
        "invited_at",
        "answered_at",
        "rating",
        "recommend",
    )
    list_filter = ("source", "rating")
    exclude = ("nonce",)
    readonly_fields = [f.name for f in Survey._meta.fields if f.name != "nonce"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ("case", "department", "supervisor", "opened_at", "closed_at")
    list_filter = ("department",)
    readonly_fields = [f.name for f in FollowUp._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
