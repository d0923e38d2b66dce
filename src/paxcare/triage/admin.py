"""Administrators edit the taxonomy's names and order; codes stay as they are.

A category's code is what imports, reports, routes and SLA policies refer to, so it
is set once, when the category is added, and a category is retired (``active`` off)
rather than deleted. Classifier versions are listed with their scores; an
administrator activates one, or goes back to the model PaxCare ships.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from paxcare.triage.models import Category, ClassifierVersion
from paxcare.triage.services import activate_classifier, use_shipped_classifier


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_zh", "position", "is_active"]
    list_editable = ["name_en", "name_zh", "position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_en", "name_zh"]
    fields = ["code", "name_en", "name_zh", "position", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ClassifierVersion)
class ClassifierVersionAdmin(admin.ModelAdmin):
    list_display = [
        "label",
        "created_at",
        "trained_on",
        "n_examples",
        "macro_f1",
        "is_active",
    ]
    list_filter = ["is_active"]
    fields = ["label", "created_at", "trained_on", "n_examples", "metrics", "is_active"]
    readonly_fields = fields
    actions = ["activate", "use_shipped_default"]

    @admin.display(description=_("macro F1"))
    def macro_f1(self, version: ClassifierVersion) -> str:
        value = (version.metrics or {}).get("macro_f1")
        return f"{value:.3f}" if isinstance(value, int | float) else "—"

    def has_add_permission(self, request) -> bool:
        # Versions come from ``paxcare train-classifier``, not from a form.
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or not obj.is_active

    @admin.action(description=_("Activate the selected version"))
    def activate(self, request, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(
                request, _("Select exactly one version to activate."), messages.ERROR
            )
            return
        version = queryset.get()
        activate_classifier(version, actor=request.user)
        self.message_user(
            request,
            _("%(label)s now classifies new cases.") % {"label": version.label},
        )

    @admin.action(description=_("Go back to the model PaxCare ships"))
    def use_shipped_default(self, request, queryset) -> None:
        # Whatever is selected: the action is about the active version, if any.
        use_shipped_classifier(actor=request.user)
        self.message_user(
            request, _("The model PaxCare ships now classifies new cases.")
        )
