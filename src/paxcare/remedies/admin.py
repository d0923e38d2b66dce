"""Administrators edit the rule data: carriers, goodwill, rates and playbooks.

Offers and the ledger are read-only here: they change only through the services,
which write the case's timeline.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from paxcare.remedies.models import (
    Carrier,
    ExchangeRate,
    GoodwillRule,
    LedgerEntry,
    OfferKind,
    Playbook,
    PlaybookStep,
    RemedyOffer,
)


class CarrierForm(forms.ModelForm):
    class Meta:
        model = Carrier
        fields = ["code", "name", "country", "appr_size"]
        help_texts = {
            "code": _("The IATA code, e.g. CA; overrides the shipped registry."),
            "country": _("ISO 3166 code of the country that licensed the carrier."),
        }

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        if not 2 <= len(code) <= 3 or not code.isalnum():
            raise forms.ValidationError(_("Give an IATA airline code."))
        return code

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise forms.ValidationError(_("Give an ISO 3166 country code."))
        return country


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    form = CarrierForm
    list_display = ["code", "name", "country", "appr_size", "updated_at"]
    search_fields = ["code", "name"]


class GoodwillRuleForm(forms.ModelForm):
    class Meta:
        model = GoodwillRule
        fields = [
            "event_type",
            "min_delay_minutes",
            "max_delay_minutes",
            "cabin",
            "kind",
            "amount",
            "currency",
            "miles",
            "note_en",
            "note_zh",
            "effective_from",
            "effective_until",
            "is_active",
        ]
        help_texts = {
            "min_delay_minutes": _(
                "Flights: lateness at the final destination; delayed bags: time "
                "from arrival to delivery."
            ),
            "max_delay_minutes": _("Blank: no upper end."),
            "cabin": _("Blank: every cabin."),
            "effective_until": _("The last day in force; blank: until changed."),
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        kind, amount = cleaned.get("kind"), cleaned.get("amount")
        currency = (cleaned.get("currency") or "").upper()
        cleaned["currency"] = currency
        if kind == OfferKind.MILES:
            if not cleaned.get("miles"):
                self.add_error("miles", _("Give the number of miles."))
        elif amount is None or len(currency) != 3 or not currency.isalpha():
            self.add_error("amount", _("Give the amount and its ISO 4217 currency."))
        low, high = cleaned.get("min_delay_minutes"), cleaned.get("max_delay_minutes")
        if high is not None and low is not None and high <= low:
            self.add_error("max_delay_minutes", _("Must be above the band's start."))
        start, end = cleaned.get("effective_from"), cleaned.get("effective_until")
        if start and end and end < start:
            self.add_error("effective_until", _("Must not be before the start."))
        return cleaned


@admin.register(GoodwillRule)
class GoodwillRuleAdmin(admin.ModelAdmin):
    form = GoodwillRuleForm
    list_display = [
        "event_type",
        "min_delay_minutes",
        "max_delay_minutes",
        "cabin",
        "kind",
        "amount",
        "currency",
        "miles",
        "effective_from",
        "effective_until",
        "is_active",
    ]
    list_filter = ["event_type", "kind", "is_active"]


class ExchangeRateForm(forms.ModelForm):
    class Meta:
        model = ExchangeRate
        fields = ["base", "quote", "rate", "effective_from"]
        help_texts = {"rate": _("How many units of the second currency one unit buys.")}

    def _currency(self, name: str) -> str:
        value = self.cleaned_data[name].strip().upper()
        if len(value) != 3 or not value.isalpha():
            raise forms.ValidationError(_("Give an ISO 4217 currency code."))
        return value

    def clean_base(self) -> str:
        return self._currency("base")

    def clean_quote(self) -> str:
        return self._currency("quote")

    def clean_rate(self):
        rate = self.cleaned_data["rate"]
        if rate <= 0:
            raise forms.ValidationError(_("A rate is above zero."))
        return rate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    form = ExchangeRateForm
    list_display = ["base", "quote", "rate", "effective_from"]
    list_filter = ["base", "quote"]
    date_hierarchy = "effective_from"


class PlaybookStepInline(admin.TabularInline):
    model = PlaybookStep
    extra = 1
    fields = [
        "position",
        "code",
        "title_en",
        "title_zh",
        "required",
        "help_en",
        "help_zh",
    ]


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    list_display = ["category", "name_en", "name_zh", "is_active"]
    list_filter = ["is_active"]
    inlines = [PlaybookStepInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RemedyOffer)
class RemedyOfferAdmin(ReadOnlyAdmin):
    list_display = ["pk", "case", "kind", "amount", "currency", "miles", "state"]
    list_filter = ["state", "kind"]
    search_fields = ["case__number"]
    list_select_related = ["case"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "offer", "state", "kind", "amount", "currency"]
    list_filter = ["state", "kind", "regime"]
    date_hierarchy = "occurred_at"
