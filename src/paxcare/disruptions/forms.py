"""Forms of the disruption pages: supervisors' actions and the passengers' claim."""

import uuid
from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from paxcare.cases.services import MAX_BODY_CHARS
from paxcare.disruptions.actions import MILES, whole_amount_message
from paxcare.intake.drafts import MAX_DESCRIPTION_CHARS
from paxcare.money import amount_fault, is_currency

CURRENCY = RegexValidator(
    r"^[A-Za-z]{3}$", _("Give the currency as three letters (ISO 4217), e.g. USD.")
)


class MessageAllForm(forms.Form):
    body = forms.CharField(
        label=_("Message to every passenger"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_BODY_CHARS,
    )


class GoodwillForm(forms.Form):
    FORMS = [
        ("voucher", _("travel voucher")),
        (MILES, _("miles")),
        ("cash", _("cash")),
    ]

    amount = forms.DecimalField(
        label=_("Amount per passenger"),
        help_text=_("For miles, the number of miles."),
        min_value=Decimal("0.01"),
        max_value=Decimal("100000"),
        decimal_places=2,
    )
    currency = forms.CharField(
        label=_("Currency"),
        help_text=_("Not needed for miles."),
        max_length=3,
        validators=[CURRENCY],
        initial="USD",
        required=False,
    )
    form = forms.ChoiceField(label=_("Form"), choices=FORMS)
    # The same form sent twice gives the gesture once.
    reference = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("reference", uuid.uuid4())
        super().__init__(*args, **kwargs)

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].upper()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("form") == MILES:
            amount = data.get("amount")
            if amount is not None and amount != amount.to_integral_value():
                self.add_error("amount", _("Give a whole number of miles."))
            # Miles are miles: a currency sent along is not recorded.
            data["currency"] = ""
            return data
        currency = data.get("currency")
        if currency == "" and "currency" not in self.errors:
            self.add_error("currency", _("Give the currency of the amount."))
        elif currency and not is_currency(currency):
            self.add_error(
                "currency", _("Unknown currency: give an ISO 4217 code, e.g. USD.")
            )
        amount = data.get("amount")
        fault = amount_fault(amount, currency) if amount is not None else None
        if currency and fault == "finer_than_currency":
            self.add_error("amount", whole_amount_message(currency))
        return data


class GoodwillDecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusing (optional)"), max_length=300, required=False
    )


class CloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Close the cases of passengers who accepted their rebooking"),
        required=True,
    )


class ClaimForm(forms.Form):
    booking_reference = forms.CharField(
        label=_("Booking reference"),
        max_length=6,
        min_length=6,
        help_text=_("Six letters and digits, on your ticket."),
    )
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("The e-mail address on your booking.")
    )
    message = forms.CharField(
        label=_("Your claim or question"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_DESCRIPTION_CHARS,
    )

    def clean_booking_reference(self) -> str:
        return self.cleaned_data["booking_reference"].strip().upper()
