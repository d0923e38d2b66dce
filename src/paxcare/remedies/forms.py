"""Forms of the remedies panel and the portal's offer answers.

Agents type times as the clocks at the airport showed them; the forms turn them
into aware times with each airport's own time zone (``airportsdata``): a flight's
departure at its origin, its arrival at its destination, the event's arrival and
the bag's delivery at the final destination, other event times at the origin of
the disrupted flight. Services judge the content; forms check the shape.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from paxcare.money import MAX_MILES, is_currency
from paxcare.remedies.engine.facts import zone
from paxcare.remedies.engine.reference import airport
from paxcare.remedies.facts import local
from paxcare.remedies.models import (
    Cabin,
    CaseFacts,
    CaseSegment,
    CauseKind,
    EventKind,
    ExpenseKind,
    OfferKind,
)
from paxcare.remedies.names import REGIMES
from paxcare.remedies.offers import currency_fault
from paxcare.years import CODE as YEAR_CODE
from paxcare.years import year_fault

CARRIER = re.compile(r"^[A-Za-z0-9]{2}[A-Za-z]?$")
FLIGHT = re.compile(r"^[A-Za-z0-9]{2}\d{1,4}[A-Za-z]?$")
PIR = re.compile(r"^[A-Za-z]{3}[A-Za-z0-9]{2}\d{5,6}$")
# Named as every page names them, in the page's language.
REGIME_CHOICES = [("", "—"), *REGIMES.items()]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class LocalDateTimeField(forms.Field):
    """A wall-clock time without a zone; the form places it at an airport."""

    widget = LocalDateTimeInput
    default_error_messages = {
        "invalid": _("Enter a date and time, e.g. 2026-05-04 10:00.")
    }

    def to_python(self, value: Any) -> datetime | None:
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        text = str(value).strip()
        if len(text) >= 16 and text[10] in "T ":
            try:
                return datetime.fromisoformat(text).replace(tzinfo=None)
            except ValueError:
                pass
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and (fault := year_fault(value)) is not None:
            raise forms.ValidationError(fault, code=YEAR_CODE)


def _at(moment: datetime | None, code: str) -> datetime | None:
    """Place a wall-clock time at airport ``code``."""
    if moment is None:
        return None
    return moment.replace(tzinfo=zone(airport(code).tz))


def _wall(moment: datetime | None, code: str) -> datetime | None:
    shown = local(moment, code)
    return shown.replace(tzinfo=None) if shown else None


# What the amount columns hold (``DecimalField(max_digits=12, decimal_places=2)``).
AMOUNT = {"min_value": 0, "max_digits": 12, "decimal_places": 2}


def _currency(value: str) -> str:
    value = (value or "").strip().upper()
    if value and not is_currency(value):
        raise forms.ValidationError(_("Give an ISO 4217 code, e.g. EUR."))
    return value


class SegmentForm(forms.Form):
    marketing_carrier = forms.CharField(label=_("Carrier"), max_length=3)
    operating_carrier = forms.CharField(
        label=_("Operated by"), max_length=3, required=False
    )
    flight_number = forms.CharField(label=_("Flight number"), max_length=8)
    origin = forms.CharField(label=pgettext_lazy("airport", "From"), max_length=3)
    destination = forms.CharField(label=pgettext_lazy("airport", "To"), max_length=3)
    scheduled_departure = LocalDateTimeField(label=_("Scheduled departure (local)"))
    scheduled_arrival = LocalDateTimeField(label=_("Scheduled arrival (local)"))

    def _code(self, name: str, pattern: re.Pattern, message) -> str:
        value = (self.cleaned_data.get(name) or "").strip().upper()
        if value and not pattern.match(value):
            raise forms.ValidationError(message)
        return value

    def clean_marketing_carrier(self) -> str:
        return self._code("marketing_carrier", CARRIER, _("Give an IATA airline code."))

    def clean_operating_carrier(self) -> str:
        return self._code("operating_carrier", CARRIER, _("Give an IATA airline code."))

    def clean_flight_number(self) -> str:
        return self._code(
            "flight_number", FLIGHT, _("Give a flight number like CA981.")
        )

    def clean_origin(self) -> str:
        return self._airport("origin")

    def clean_destination(self) -> str:
        return self._airport("destination")

    def _airport(self, name: str) -> str:
        code = (self.cleaned_data.get(name) or "").strip().upper()
        if airport(code) is None:
            raise forms.ValidationError(_("Not a known IATA airport code."))
        return code

    def segment(self) -> dict[str, Any]:
        """Return the ``CaseSegment`` fields, times placed at their airports."""
        data = self.cleaned_data
        return {
            "marketing_carrier": data["marketing_carrier"],
            "operating_carrier": data["operating_carrier"],
            "flight_number": data["flight_number"],
            "origin": data["origin"],
            "destination": data["destination"],
            "scheduled_departure": _at(data["scheduled_departure"], data["origin"]),
            "scheduled_arrival": _at(data["scheduled_arrival"], data["destination"]),
        }


class BaseSegmentFormSet(forms.BaseFormSet):
    def filled(self) -> list[SegmentForm]:
        """Return the flights given, in order: blank extra rows and deleted ones out."""
        return [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


SegmentFormSet = forms.formset_factory(
    SegmentForm,
    formset=BaseSegmentFormSet,
    extra=1,
    min_num=1,
    max_num=6,
    validate_min=True,
    validate_max=True,
    can_delete=True,
)


def segment_initial(segments: list[CaseSegment]) -> list[dict[str, Any]]:
    return [
        {
            "marketing_carrier": s.marketing_carrier,
            "operating_carrier": s.operating_carrier,
            "flight_number": s.flight_number,
            "origin": s.origin,
            "destination": s.destination,
            "scheduled_departure": _wall(s.scheduled_departure, s.origin),
            "scheduled_arrival": _wall(s.scheduled_arrival, s.destination),
        }
        for s in segments
    ]


# Event times and the airport whose clock they are read on.
AT_FINAL = ("actual_arrival", "rerouted_arrival", "bag_delivered_at", "complained_at")
AT_ORIGIN = ("actual_departure", "notified_at", "rerouted_departure")
MONEY = (
    ("segment_fare_amount", "segment_fare_currency"),
    ("fare_amount", "fare_currency"),
    ("bag_fee_amount", "bag_fee_currency"),
)


class CaseFactsForm(forms.Form):
    event_type = forms.ChoiceField(label=_("What happened"), choices=EventKind.choices)
    cause = forms.ChoiceField(
        label=_("Cause"),
        choices=[("", _("not known"))] + CauseKind.choices,
        required=False,
        help_text=_("A cause not known counts as within the carrier's control."),
    )
    disrupted_position = forms.IntegerField(
        label=_("Disrupted flight (1 = first)"),
        min_value=1,
        max_value=6,
        required=False,
    )
    actual_departure = LocalDateTimeField(
        label=_("Actual departure (local)"), required=False
    )
    actual_arrival = LocalDateTimeField(
        label=_("Actual arrival at the final destination (local)"), required=False
    )
    notified_at = LocalDateTimeField(
        label=_("Passenger told of the cancellation (local)"), required=False
    )
    rerouted_departure = LocalDateTimeField(
        label=_("New flight departs (local)"), required=False
    )
    rerouted_arrival = LocalDateTimeField(
        label=_("New flight arrives at the final destination (local)"), required=False
    )
    voluntary = forms.BooleanField(
        label=_("Gave up the seat voluntarily"), required=False
    )
    from_cabin = forms.ChoiceField(
        label=_("Booked cabin"), choices=[("", "—")] + Cabin.choices, required=False
    )
    to_cabin = forms.ChoiceField(
        label=_("Cabin flown"), choices=[("", "—")] + Cabin.choices, required=False
    )
    segment_fare_amount = forms.DecimalField(
        label=_("Fare of the downgraded flight"), required=False, **AMOUNT
    )
    segment_fare_currency = forms.CharField(
        label=_("Currency"), max_length=3, required=False
    )
    fare_amount = forms.DecimalField(label=_("One-way fare"), required=False, **AMOUNT)
    fare_currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    cabin = forms.ChoiceField(
        label=_("Cabin"), choices=[("", "—")] + Cabin.choices, required=False
    )
    pir_reference = forms.CharField(
        label=_("Baggage file (PIR)"), max_length=12, required=False
    )
    bag_delivered_at = LocalDateTimeField(
        label=_("Bag delivered (local)"), required=False
    )
    complained_at = LocalDateTimeField(
        label=_("Written complaint received (local)"), required=False
    )
    bag_fee_amount = forms.DecimalField(label=_("Bag fee"), required=False, **AMOUNT)
    bag_fee_currency = forms.CharField(
        label=_("Currency"), max_length=3, required=False
    )
    bag_weight_kg = forms.DecimalField(
        label=_("Bag weight (kg)"),
        min_value=Decimal("0.1"),
        max_digits=6,
        decimal_places=1,
        required=False,
    )

    def clean_pir_reference(self) -> str:
        value = (self.cleaned_data.get("pir_reference") or "").strip().upper()
        if value and not PIR.match(value):
            raise forms.ValidationError(
                _("A baggage file is station, airline and 5-6 digits: PEKCA12345.")
            )
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for amount, currency in MONEY:
            try:
                cleaned[currency] = _currency(cleaned.get(currency, ""))
            except forms.ValidationError as error:
                self.add_error(currency, error)
                continue
            if (cleaned.get(amount) is None) != (not cleaned[currency]):
                self.add_error(amount, _("Give the amount and its currency together."))
        return cleaned

    def facts(self, segments: list[dict[str, Any]]) -> dict[str, Any]:
        """Return the ``CaseFacts`` fields, times placed at their airports."""
        data = dict(self.cleaned_data)
        final = segments[-1]["destination"]
        position = data.get("disrupted_position")
        index = position - 1 if position and position <= len(segments) else 0
        if data["event_type"].startswith("baggage_") and not position:
            index = len(segments) - 1
        origin = segments[index]["origin"]
        for name in AT_FINAL:
            data[name] = _at(data[name], final)
        for name in AT_ORIGIN:
            data[name] = _at(data[name], origin)
        return data


def facts_initial(facts: CaseFacts, segments: list[CaseSegment]) -> dict[str, Any]:
    final = segments[-1].destination
    position = facts.disrupted_position
    index = position - 1 if position and position <= len(segments) else 0
    if facts.event_type.startswith("baggage_") and not position:
        index = len(segments) - 1
    origin = segments[index].origin
    initial = {
        name: getattr(facts, name)
        for name in CaseFactsForm.base_fields
        if name not in AT_FINAL + AT_ORIGIN
    }
    initial.update({name: _wall(getattr(facts, name), final) for name in AT_FINAL})
    initial.update({name: _wall(getattr(facts, name), origin) for name in AT_ORIGIN})
    return initial


class OfferForm(forms.Form):
    kind = forms.ChoiceField(label=_("Remedy"), choices=OfferKind.choices)
    amount = forms.DecimalField(
        label=_("Amount"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        required=False,
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    miles = forms.IntegerField(
        label=_("Miles"), min_value=1, max_value=MAX_MILES, required=False
    )
    expense = forms.ChoiceField(
        label=_("Expense"), choices=[("", "—")] + ExpenseKind.choices, required=False
    )
    description = forms.CharField(
        label=_("Terms shown to the passenger"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    regime = forms.ChoiceField(
        label=_("Pays the entitlement of"), choices=REGIME_CHOICES, required=False
    )
    entitlement_code = forms.CharField(
        max_length=60, required=False, widget=forms.HiddenInput
    )
    goodwill_rule = forms.IntegerField(required=False, widget=forms.HiddenInput)
    instead_of_money = forms.BooleanField(
        label=_("Offered instead of money owed (the passenger must consent)"),
        required=False,
    )
    receipts = forms.MultipleChoiceField(
        label=_("Receipts"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, attachments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receipts"].choices = [
            (str(a.pk), a.original_name) for a in attachments
        ]

    def clean_currency(self) -> str:
        code = _currency(self.cleaned_data.get("currency", ""))
        # The form checks what the service checks, so the fault shows on its field.
        fault = currency_fault(code, timezone.localdate()) if code else None
        if fault is not None:
            raise forms.ValidationError(fault.message, code=fault.code)
        return code


class StepForm(forms.Form):
    done = forms.BooleanField(required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class PayForm(forms.Form):
    reference = forms.CharField(
        label=_("Payment, voucher or ticket reference"), max_length=100
    )


class AcceptForm(forms.Form):
    consent = forms.BooleanField(
        label=_(
            "I agree to receive this instead of the money I am owed, and I know I "
            "may ask for the money instead."
        ),
        required=False,
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
