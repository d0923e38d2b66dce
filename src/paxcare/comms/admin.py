"""Administrators edit notification templates (with a preview); the rest is history."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from paxcare.comms.inbound import refile
from paxcare.comms.models import (
    ContactFlag,
    InboundMail,
    InboundStatus,
    Notification,
    Template,
)
from paxcare.comms.rendering import (
    check_template_source,
    render_sources,
    sample_context,
)
from paxcare.comms.tagging import tagged_subject


class TemplateForm(forms.ModelForm):
    class Meta:
        model = Template
        fields = ["purpose", "language", "subject", "body", "short_text", "is_active"]
        help_texts = {
            "body": _(
                "Django template syntax, e.g. {{ case_number }}, {{ passenger_name }}, "
                "{{ answer_due }}, {{ reply_text }}; the preview below shows the "
                "saved version with sample values."
            ),
            "short_text": _("For SMS and messaging; blank uses the subject."),
        }

    def clean(self):
        cleaned = super().clean()
        for name in ("subject", "body", "short_text"):
            error = check_template_source(cleaned.get(name) or "")
            if error:
                self.add_error(name, _("Template error: %(error)s") % {"error": error})
        return cleaned


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    form = TemplateForm
    list_display = ["purpose", "language", "subject", "is_active", "updated_at"]
    list_filter = ["purpose", "language", "is_active"]
    readonly_fields = ["preview"]

    @admin.display(description=_("preview"))
    def preview(self, obj: Template) -> str:
        if obj is None or obj.pk is None:
            return _("Save the template to see a preview.")
        rendered = render_sources(
            (obj.subject, obj.body, obj.short_text),
            sample_context(obj.language),
            obj.language,
            purpose=obj.purpose,
        )
        return format_html(
            '<div class="comms-preview"><p><strong>{}</strong></p>'
            '<pre style="white-space: pre-wrap">{}</pre>'
            "<p><em>{}</em> {}</p></div>",
            tagged_subject("PX-7K3M-9QD4", rendered.subject),
            rendered.body,
            _("SMS:"),
            rendered.short_text,
        )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["case", "purpose", "channel", "status", "attempts", "created_at"]
    list_filter = ["status", "purpose", "channel"]
    search_fields = ["case__number"]
    list_select_related = ["case"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    list_display = ["received_at", "status", "reason", "case", "size_bytes"]
    list_filter = ["status", "source"]
    search_fields = ["case__number", "mail_id"]
    list_select_related = ["case"]
    readonly_fields = [f.name for f in InboundMail._meta.fields]
    actions = ["refile_failed"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(
        description=_("File the selected failed mails again"), permissions=["change"]
    )
    def refile_failed(self, request, queryset) -> None:
        failed = queryset.filter(status=InboundStatus.FAILED).order_by("pk")
        outcomes = refile(list(failed))
        still = sum(1 for _m, f in outcomes if f.status == InboundStatus.FAILED)
        self.message_user(
            request,
            _(
                "Tried %(total)d failed mail(s) again: %(done)d dealt with, "
                "%(failed)d still failed."
            )
            % {"total": len(outcomes), "done": len(outcomes) - still, "failed": still},
            messages.SUCCESS if not still else messages.WARNING,
        )


@admin.register(ContactFlag)
class ContactFlagAdmin(admin.ModelAdmin):
    """Deleting a row unblocks the address (after the passenger corrected it)."""

    list_display = ["address", "channel", "reason", "flagged_at"]
    list_filter = ["channel", "reason"]
    search_fields = ["address"]
    readonly_fields = ["flagged_at"]
