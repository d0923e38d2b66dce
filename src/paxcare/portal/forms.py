"""Forms of the passenger portal, and the pieces the console's forms share.

The forms check only the shape of what was typed; the services judge the content
and their field errors are put back next to the fields (``show_service_errors``).
"""

from datetime import date

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from paxcare.cases.attachments import ALLOWED_TYPES, check_uploads
from paxcare.cases.services import MAX_BODY_CHARS
from paxcare.errors import InvalidInput
from paxcare.intake.drafts import MAX_DESCRIPTION_CHARS, CaseDraft
from paxcare.triage.models import Kind
from paxcare.years import CODE as YEAR_CODE
from paxcare.years import FIRST_YEAR, LAST_YEAR, year_fault

ACCEPTED_FILES = ".pdf,.jpg,.jpeg,.png,.gif,.webp,.txt," + ",".join(ALLOWED_TYPES)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to five files, checked by their bytes; cleans to a list of CheckedFile."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Attachments"))
        kwargs.setdefault(
            "help_text",
            _(
                "Up to 5 files: receipts, photos, documents "
                "(PDF, JPEG, PNG, GIF, WebP, text)."
            ),
        )
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ACCEPTED_FILES)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data]
        uploads = [
            super(AttachmentsField, self).clean(u, initial) for u in uploads if u
        ]
        if self.required and not uploads:
            raise forms.ValidationError(
                self.error_messages["required"], code="required"
            )
        checked, errors = check_uploads(uploads)
        if errors:
            raise forms.ValidationError([error.message for error in errors])
        return checked


def show_service_errors(form: forms.Form, error: InvalidInput) -> None:
    """Put a service's field errors next to the form's fields."""
    for field_error in error.fields:
        field = field_error.field if field_error.field in form.fields else None
        form.add_error(field, field_error.message)


def within_years(day: date) -> None:
    """Refuse a day outside the years PaxCare works with, as the API does."""
    fault = year_fault(day)
    if fault is not None:
        raise forms.ValidationError(fault, code=YEAR_CODE)


class YearsDateField(forms.DateField):
    """A date in the years PaxCare works with; the browser's picker knows them too."""

    default_validators = [within_years]
    widget = forms.DateInput(
        attrs={
            "type": "date",
            "min": f"{FIRST_YEAR}-01-01",
            "max": f"{LAST_YEAR}-12-31",
        },
        format="%Y-%m-%d",
    )


TOO_LONG = _(
    "This is too long: at most %(limit_value)d characters, and it has "
    "%(show_value)d. Only the first %(limit_value)d are shown below."
)


class BoundedCharField(forms.CharField):
    """Text of at most ``max_length`` characters that never echoes more back.

    A form shown again with its errors puts the posted text back in the page; a
    text of megabytes would come back whole. It comes back cut at the limit, and
    the error says it was too long.
    """

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(max_length=max_length, **kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, MaxLengthValidator)
        ] + [MaxLengthValidator(max_length, message=TOO_LONG)]

    def prepare_value(self, value):
        if isinstance(value, str) and len(value) > self.max_length:
            return value[: self.max_length]
        return super().prepare_value(value)


def _text(label, max_length: int, **kwargs) -> forms.CharField:
    return BoundedCharField(
        label=label, max_length=max_length, required=False, **kwargs
    )


class CaseDetailsForm(forms.Form):
    """What a passenger tells about a problem: the text, the trip and the contact."""

    kind = forms.ChoiceField(label=_("What would you like?"), choices=Kind.choices)
    subject = _text(_("Subject"), 300, help_text=_("Optional: a few words."))
    description = BoundedCharField(
        label=_("What happened?"),
        max_length=MAX_DESCRIPTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": MAX_DESCRIPTION_CHARS}),
    )
    booking_reference = _text(
        _("Booking reference"), 20, help_text=_("Six letters and digits, e.g. K7M3PX.")
    )
    ticket_number = _text(
        _("E-ticket number"), 20, help_text=_("13 digits, e.g. 999-1234567890.")
    )
    flight_number = _text(_("Flight number"), 12, help_text=_("e.g. CA981"))
    flight_date = YearsDateField(label=_("Flight date"), required=False)
    airport = _text(_("Airport"), 10, help_text=_("Three-letter code, e.g. PEK."))
    passenger_name = _text(_("Your name"), 200)
    email = forms.CharField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput, required=False
    )
    phone = _text(
        _("Phone"), 30, help_text=_("With the country code, e.g. +86 138 0013 8000.")
    )

    def to_draft(self, channel: str, **extra) -> CaseDraft:
        """Return the cleaned fields as a CaseDraft for intake."""
        data = self.cleaned_data
        return CaseDraft(
            channel=channel,
            kind=data["kind"],
            subject=data["subject"],
            description=data["description"],
            booking_reference=data["booking_reference"],
            ticket_number=data["ticket_number"],
            flight_number=data["flight_number"],
            flight_date=data["flight_date"],
            airport=data["airport"],
            passenger_name=data["passenger_name"],
            email=data["email"],
            phone=data["phone"],
            **extra,
        )


class ComplaintForm(CaseDetailsForm):
    """The portal's complaint and claim form."""

    attachments = AttachmentsField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = Kind.COMPLAINT
        self.fields["email"].required = True
        self.fields["email"].help_text = _(
            "We write to you here; you need it to track the case."
        )


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("Case number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"placeholder": "PX-XXXX-XXXX", "autocomplete": "off"}
        ),
    )
    email = forms.CharField(label=_("E-mail"), max_length=254, widget=forms.EmailInput)


class PassengerReplyForm(forms.Form):
    body = BoundedCharField(
        label=_("Your message"),
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_BODY_CHARS}),
    )
    attachments = AttachmentsField()
