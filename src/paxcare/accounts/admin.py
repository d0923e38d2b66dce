"""Admin for API tokens: issue (the secret is shown once), list, revoke; and the admin
sign-in, which counts wrong passwords like the console's."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from paxcare.accounts.forms import AdminLoginForm
from paxcare.accounts.models import ApiToken
from paxcare.accounts.services import revoke_tokens

admin.site.login_form = AdminLoginForm


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "key_prefix",
        "user",
        "name",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "name", "key_prefix")
    list_select_related = ("user",)
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name", "expires_at")
        return (
            "user",
            "name",
            "key_prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "user",
            "key_prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        )

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, secret = ApiToken.issue(
            obj.user, name=obj.name, expires_at=obj.expires_at
        )
        obj.pk, obj.key_prefix, obj.key_hash = (
            token.pk,
            token.key_prefix,
            token.key_hash,
        )
        obj.created_at = token.created_at
        messages.warning(
            request,
            _("The new token is %(secret)s. Copy it now: it is not shown again.")
            % {"secret": secret},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        count = revoke_tokens(queryset)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
        )
