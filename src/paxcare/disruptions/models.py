"""Flights, what went wrong with them, who was on board, and the cases that followed.

A Flight is one operated leg (number, local date of departure, origin). When it is
delayed, cancelled, diverted or rescheduled enough to matter it gets one Disruption,
which keeps its history as numbered revisions: a corrected event (a delay that
grows, a delay that becomes a cancellation) is a new version of the same
disruption, not a second one. The manifest lists the passengers on the flight;
each one the disruption reached is an AffectedPassenger, tied to one case.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from paxcare.crm.models import Language
from paxcare.remedies.engine.types import Cause


class FlightStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    ON_TIME = "on_time", _("on time")
    DELAYED = "delayed", _("delayed")
    CANCELLED = "cancelled", _("cancelled")
    DIVERTED = "diverted", _("diverted")
    RESCHEDULED = "rescheduled", _("schedule changed")


class DisruptionKind(models.TextChoices):
    DELAY = "delay", _("delay")
    CANCELLATION = "cancellation", _("cancellation")
    DIVERSION = "diversion", _("diversion")
    SCHEDULE_CHANGE = "schedule_change", _("schedule change")


CAUSE_CHOICES = [(cause.value, cause.value) for cause in Cause]


class Cabin(models.TextChoices):
    ECONOMY = "economy", _("economy")
    PREMIUM_ECONOMY = "premium_economy", _("premium economy")
    BUSINESS = "business", _("business")
    FIRST = "first", _("first")


class Flight(models.Model):
    """One operated leg, with its schedule and what actually happened."""

    carrier = models.CharField(_("operating carrier"), max_length=3)
    # Country of the carrier's operating licence, for carriers the remedies
    # registry does not know (regional US carriers, for instance).
    carrier_country = models.CharField(_("carrier country"), max_length=2, blank=True)
    flight_number = models.CharField(_("flight number"), max_length=8)
    flight_date = models.DateField(_("flight date"))
    origin = models.CharField(_("origin"), max_length=3)
    destination = models.CharField(_("destination"), max_length=3)
    scheduled_departure = models.DateTimeField(_("scheduled departure"))
    scheduled_arrival = models.DateTimeField(_("scheduled arrival"))
    estimated_departure = models.DateTimeField(null=True, blank=True)
    estimated_arrival = models.DateTimeField(null=True, blank=True)
    actual_departure = models.DateTimeField(null=True, blank=True)
    actual_arrival = models.DateTimeField(null=True, blank=True)
    diverted_to = models.CharField(_("diverted to"), max_length=3, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=FlightStatus.choices,
        default=FlightStatus.SCHEDULED,
    )
    delay_code = models.CharField(_("IATA delay code"), max_length=2, blank=True)
    cause = models.CharField(
        _("cause class"), max_length=40, choices=CAUSE_CHOICES, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("flight")
        verbose_name_plural = _("flights")
        ordering = ["flight_date", "scheduled_departure", "flight_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["flight_number", "flight_date", "origin"],
                name="disruptions_one_flight_per_leg",
            )
        ]
        indexes = [
            models.Index(
                fields=["origin", "destination", "scheduled_departure"],
                name="disruptions_flight_route",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.flight_number} {self.flight_date} {self.origin}-{self.destination}"
        )

    @property
    def public_key(self) -> str:
        """Return the flight's name in public addresses: ``UA1545-20130101-EWR``."""
        return f"{self.flight_number}-{self.flight_date:%Y%m%d}-{self.origin}"


class Disruption(models.Model):
    """What went wrong with one flight; corrections raise its version."""

    flight = models.OneToOneField(
        Flight, on_delete=models.CASCADE, related_name="disruption"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DisruptionKind.choices)
    version = models.PositiveIntegerField(default=1)
    # SHA-256 of the normalised event last applied: the same event again is a no-op.
    fingerprint = models.CharField(max_length=64)
    issued_at = models.DateTimeField(null=True, blank=True)
    arrival_delay_minutes = models.IntegerField(null=True, blank=True)
    notified_at = models.DateTimeField(_("passengers told"), null=True, blank=True)
    # Whether the latest version still calls for care (a delay may shrink below it).
    qualifies = models.BooleanField(default=True)
    public_entitlements = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=20, default="api")
    opened_at = models.DateTimeField(_("opened"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("disruption")
        verbose_name_plural = _("disruptions")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["-updated_at"], name="disruptions_updated")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.flight}"


class DisruptionRevision(models.Model):
    """One version of a disruption as it was received. Never changed afterwards."""

    disruption = models.ForeignKey(
        Disruption, on_delete=models.CASCADE, related_name="revisions"
    )
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=DisruptionKind.choices)
    data = models.JSONField()
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["disruption", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["disruption", "version"], name="disruptions_one_revision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.disruption_id} v{self.version}"


class ManifestEntry(models.Model):
    """One passenger booked on a flight, as the reservation system lists them."""

    flight = models.ForeignKey(
        Flight, on_delete=models.CASCADE, related_name="manifest"
    )
    passenger_name = models.CharField(_("name"), max_length=200)
    # The name in capitals with single spaces: one passenger per name and booking.
    name_key = models.CharField(max_length=200)
    booking_reference = models.CharField(_("booking reference"), max_length=6)
    ticket_number = models.CharField(_("e-ticket number"), max_length=14, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone (E.164)"), max_length=20, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ENGLISH
    )
    fare_amount = models.DecimalField(
        _("one-way fare"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    fare_currency = models.CharField(_("fare currency"), max_length=3, blank=True)
    cabin = models.CharField(
        _("cabin"), max_length=20, choices=Cabin.choices, blank=True
    )
    # Later flights of the same booking: [{"carrier", "flight_number", "origin",
    # "destination", "scheduled_departure", "scheduled_arrival"}], ISO times.
    onward = models.JSONField(_("onward connections"), default=list, blank=True)
    rebooked_flight = models.CharField(_("rebooked on"), max_length=8, blank=True)
    rebooked_departure = models.DateTimeField(null=True, blank=True)
    # Arrival at the final destination of the booking on the new itinerary.
    rebooked_arrival = models.DateTimeField(null=True, blank=True)
    rebooking_accepted = models.BooleanField(
        _("passenger accepted the rebooking"), null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("manifest entry")
        verbose_name_plural = _("manifest entries")
        ordering = ["flight", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["flight", "booking_reference", "name_key"],
                name="disruptions_one_entry_per_passenger",
            )
        ]
        indexes = [
            models.Index(fields=["booking_reference"], name="disruptions_entry_pnr"),
            # A complaint that names no flight finds its passenger by contact
            # (complaints.py); without these it reads every entry.
            models.Index(fields=["email"], name="disruptions_entry_email"),
            models.Index(fields=["phone"], name="disruptions_entry_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.booking_reference} on {self.flight_id}"


class Assessment(models.Model):
    """The remedies engine's full answer for one group of like passengers.

    Passengers of one flight with the same fare, cabin and onward journey get the
    same answer, so it is kept once per group and version, with its explanations.
    """

    disruption = models.ForeignKey(
        Disruption, on_delete=models.CASCADE, related_name="assessments"
    )
    version = models.PositiveIntegerField()
    signature = models.CharField(max_length=64)
    request = models.JSONField()
    result = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["disruption", "version", "signature"],
                name="disruptions_one_assessment_per_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.disruption_id} v{self.version} {self.signature[:8]}"


class AffectedPassenger(models.Model):
    """A passenger the disruption reached: their case and what they are owed."""

    disruption = models.ForeignKey(
        Disruption, on_delete=models.CASCADE, related_name="affected"
    )
    entry = models.OneToOneField(
        ManifestEntry, on_delete=models.CASCADE, related_name="affected"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="disruption_links"
    )
    # True: the disruption opened the case; False: it joined the passenger's own.
    opened_case = models.BooleanField(default=True)
    version = models.PositiveIntegerField()
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # [{"regime", "kind", "code", "amount", "currency", "cumulative"}]
    entitlements = models.JSONField(default=list, blank=True)
    # [{"type": "meal"|"hotel"|"calls"|"rebooking"|"refund", ...}]
    care = models.JSONField(default=list, blank=True)
    # [{"amount", "currency", "form", "reference", "at", "by", "offer"}]: each
    # gesture given, with the id of its remedy offer (none before gestures were
    # offers).
    goodwill = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("affected passenger")
        verbose_name_plural = _("affected passengers")
        ordering = ["disruption", "id"]

    def __str__(self) -> str:
        return f"{self.disruption_id}: case {self.case_id}"
