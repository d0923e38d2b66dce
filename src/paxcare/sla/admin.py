"""Administrators edit calendars and policies; clocks are read-only history."""

from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from paxcare.sla.calendar import country_days, parse_hours
from paxcare.sla.models import BusinessCalendar, Clock, SlaPolicy
from paxcare.triage.models import Category


class BusinessCalendarForm(forms.ModelForm):
    class Meta:
        model = BusinessCalendar
        fields = [
            "code",
            "name",
            "time_zone",
            "working_hours",
            "holiday_country",
            "extra_holidays",
            "extra_workdays",
            "always_open",
        ]
        help_texts = {
            "working_hours": _(
                'ISO weekday to intervals, e.g. {"1": [["09:00", "12:00"], '
                '["13:00", "18:00"]]}; 1 is Monday, 7 is Sunday.'
            ),
            "holiday_country": _(
                "A country code of the holidays package, e.g. CN (includes China's "
                "adjusted working days); blank for none."
            ),
            "extra_holidays": _('A list of dates, e.g. ["2025-12-31"].'),
            "extra_workdays": _('A list of dates, e.g. ["2025-12-27"].'),
        }

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"]
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise forms.ValidationError(_("Unknown time zone.")) from error
        return value

    def clean_working_hours(self) -> dict:
        value = self.cleaned_data["working_hours"]
        try:
            parse_hours(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        return value

    def clean_holiday_country(self) -> str:
        value = self.cleaned_data["holiday_country"].upper()
        if value:
            try:
                country_days(value, 2025)
            except ValueError as error:
                raise forms.ValidationError(
                    _("Unknown holiday country: %(code)r.") % {"code": value}
                ) from error
        return value

    def clean_extra_holidays(self) -> list:
        return _checked_dates(self.cleaned_data["extra_holidays"])

    def clean_extra_workdays(self) -> list:
        return _checked_dates(self.cleaned_data["extra_workdays"])

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("always_open") and cleaned.get("working_hours") == {}:
            self.add_error(
                "working_hours",
                _("A calendar needs working hours unless it is open around the clock."),
            )
        return cleaned


def _checked_dates(values) -> list:
    if not isinstance(values, list):
        raise forms.ValidationError(_("Give a list of dates."))
    try:
        return sorted(date.fromisoformat(str(value)).isoformat() for value in values)
    except ValueError as error:
        raise forms.ValidationError(_("Dates must look like 2025-10-01.")) from error


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    form = BusinessCalendarForm
    list_display = ["code", "name", "time_zone", "holiday_country", "always_open"]
    search_fields = ["code", "name"]


class SlaPolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "name_zh",
            "category",
            "kind",
            "priority",
            "channel",
            "first_response_minutes",
            "first_response_business_hours",
            "resolution_minutes",
            "resolution_business_hours",
            "warn_before_minutes",
            "rank",
            "is_active",
        ]
        help_texts = {
            "category": _(
                'An exact category code, or a prefix ending in "." such as "flight."; '
                "blank matches every category."
            ),
            "rank": _("Breaks ties between equally specific policies: lower wins."),
            "warn_before_minutes": _("Capped at half the target."),
        }

    def clean_category(self) -> str:
        value = self.cleaned_data["category"].strip()
        if not value:
            return value
        codes = Category.objects.values_list("code", flat=True)
        if value.endswith("."):
            if not codes.filter(code__startswith=value).exists():
                raise forms.ValidationError(_("No category code starts with this."))
        elif not codes.filter(code=value).exists():
            raise forms.ValidationError(_("Unknown category code."))
        return value


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = SlaPolicyForm
    list_display = [
        "name",
        "name_zh",
        "category",
        "kind",
        "priority",
        "channel",
        "first_response_minutes",
        "resolution_minutes",
        "rank",
        "is_active",
    ]
    list_filter = ["is_active", "kind", "priority"]
    search_fields = ["name", "name_zh", "category"]


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "state", "due_at", "paused_minutes", "breached_at"]
    list_filter = ["kind", "state"]
    search_fields = ["case__number"]
    list_select_related = ["case"]
    date_hierarchy = "due_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
