"""Forms of the insight pages: the shape of what people ask; services do the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from paxcare.console.forms import PeriodForm
from paxcare.insights.breakdowns import DIMENSIONS
from paxcare.insights.drivers import MAX_UPLOAD_BYTES
from paxcare.insights.kpis import YearOutOfRange
from paxcare.insights.reports import ReportPeriod, parse_period


class InsightPeriodForm(PeriodForm):
    """The dashboard's period: whole local days, the last 30 when left empty."""


def dimension_choices() -> list[tuple[str, str]]:
    from paxcare.insights.breakdowns import dimension_titles

    titles = dimension_titles()
    return [(key, titles[key]) for key in DIMENSIONS]


class BreakdownForm(PeriodForm):
    by = forms.ChoiceField(label=_("By"), choices=dimension_choices, required=False)


class FollowUpCloseForm(forms.Form):
    outcome = forms.CharField(
        label=_("What was done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )


class DriverUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Survey answers (CSV)"),
        help_text=_(
            "One answer per row: the 14 service items rated 0-5 (0 = not applicable) "
            "and the overall verdict in a column named satisfaction."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("At most %(n)d MB.") % {"n": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Report"),
        choices=[("month", _("monthly")), ("week", _("weekly"))],
    )
    period = forms.CharField(
        label=_("Month or week"),
        max_length=10,
        help_text=_("A month as 2026-11, a week as 2026-W47."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("zh-hans", "简体中文"), ("en", "English")],
    )
    output = forms.ChoiceField(
        label=_("As"), choices=[("html", _("web page")), ("pdf", "PDF")]
    )

    def clean(self):
        data = super().clean()
        kind, value = data.get("kind"), data.get("period")
        if kind and value:
            try:
                data["period"] = parse_period(kind, value.strip())
            except YearOutOfRange as error:
                self.add_error("period", str(error))
            except ValueError:
                self.add_error(
                    "period", _("Write a month as 2026-11 or a week as 2026-W47.")
                )
        return data

    def report_period(self) -> ReportPeriod:
        return self.cleaned_data["period"]
