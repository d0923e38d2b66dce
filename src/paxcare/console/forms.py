"""Forms of the agents' console. Services judge the content; forms the shape."""

from django import forms
from django.utils.translation import gettext_lazy as _

from paxcare.cases.lifecycle import Status
from paxcare.cases.models import Channel
from paxcare.cases.services import MAX_BODY_CHARS
from paxcare.crm.models import Language
from paxcare.portal.forms import AttachmentsField, CaseDetailsForm, within_years
from paxcare.triage.models import Category, Kind, Priority

RISKS = [
    ("ok", _("on track")),
    ("warning", _("close to breach")),
    ("breached", _("breached")),
]


_ANY = _("any")


def _blank(choices, label=_ANY) -> list:
    return [("", label), *choices]


class CategoryChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        queryset = Category.objects.filter(is_active=True)
        super().__init__(queryset=queryset, to_field_name="code", **kwargs)

    def label_from_instance(self, obj: Category) -> str:
        return obj.name


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=_blank(Status.choices, _("to do")), required=False
    )
    category = CategoryChoiceField(
        label=_("Category"), required=False, empty_label=_("any")
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=_blank(Channel.choices), required=False
    )
    risk = forms.ChoiceField(label=_("SLA risk"), choices=_blank(RISKS), required=False)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply to the passenger"),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MAX_BODY_CHARS}),
    )
    new_status = forms.ChoiceField(
        label=_("Then set the status to"),
        choices=[
            ("", _("keep it (a new case becomes open)")),
            (Status.PENDING, Status.PENDING.label),
            (Status.RESOLVED, Status.RESOLVED.label),
        ],
        required=False,
    )
    attachments = AttachmentsField()


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"),
        help_text=_("Only staff see notes."),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_BODY_CHARS}),
    )


class CategoryForm(forms.Form):
    category = CategoryChoiceField(label=_("Category"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)


class AssigneeForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=None, required=False, empty_label=_("nobody")
    )

    def __init__(self, *args, agents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents
        self.fields["assignee"].label_from_instance = lambda user: (
            user.get_full_name() or user.get_username()
        )


class PhoneCaseForm(CaseDetailsForm):
    """An agent logs a passenger's call."""

    category = CategoryChoiceField(
        label=_("Category"),
        required=False,
        empty_label=_("let the classifier decide"),
    )
    language = forms.ChoiceField(
        label=_("Language of the call"),
        choices=_blank(Language.choices, _("detect")),
        required=False,
    )

    field_order = ["passenger_name", "phone", "email", "language", "kind", "category"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = True
        self.fields["kind"].label = _("Kind")
        self.fields["description"].label = _("What the passenger said")
        self.fields["passenger_name"].label = _("Passenger's name")

    def to_draft(self, channel: str, **extra):
        category = self.cleaned_data["category"]
        return super().to_draft(
            channel,
            category=category.code if category else "",
            language=self.cleaned_data["language"],
            **extra,
        )


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"),
        required=False,
        validators=[within_years],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To (inclusive)"),
        required=False,
        validators=[within_years],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error(
                "end", _("The end of the period is before its start: swap them.")
            )
        return cleaned
