from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    CHINESE = "zh-hans", _("Simplified Chinese")


class Passenger(models.Model):
    """A person who flies, or tried to: the owner of cases and bookings."""

    full_name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    phone = models.CharField(_("phone (E.164)"), max_length=20, blank=True)
    social_handle = models.CharField(_("social handle"), max_length=120, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ENGLISH
    )
    loyalty_number = models.CharField(_("loyalty number"), max_length=30, blank=True)
    loyalty_tier = models.CharField(_("loyalty tier"), max_length=30, blank=True)
    consent_contact = models.BooleanField(
        _("may be contacted about cases"), default=True
    )
    consent_marketing = models.BooleanField(_("accepts marketing"), default=False)
    email_bouncing = models.BooleanField(_("e-mail bounces"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("passenger")
        verbose_name_plural = _("passengers")
        indexes = [
            models.Index(fields=["phone"], name="crm_passenger_phone"),
            models.Index(fields=["social_handle"], name="crm_passenger_handle"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or self.social_handle or f"#{self.pk}"


class Booking(models.Model):
    """A reservation, identified by its record locator (PNR)."""

    passenger = models.ForeignKey(
        Passenger, on_delete=models.CASCADE, related_name="bookings"
    )
    record_locator = models.CharField(
        _("booking reference"), max_length=6, db_index=True
    )
    ticket_numbers = models.JSONField(_("e-ticket numbers"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["passenger", "record_locator"], name="crm_booking_unique_pnr"
            )
        ]

    def __str__(self) -> str:
        return self.record_locator


class FlightSegment(models.Model):
    """One flight of a booking, in itinerary order."""

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="segments"
    )
    position = models.PositiveSmallIntegerField(default=0)
    carrier = models.CharField(max_length=3)
    flight_number = models.CharField(max_length=8)
    flight_date = models.DateField()
    origin = models.CharField(max_length=3)
    destination = models.CharField(max_length=3)
    scheduled_departure = models.DateTimeField(null=True, blank=True)
    scheduled_arrival = models.DateTimeField(null=True, blank=True)
    cabin = models.CharField(max_length=20, blank=True)
    fare_amount = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    fare_currency = models.CharField(max_length=3, blank=True)

    class Meta:
        ordering = ["booking", "position"]
        verbose_name = _("flight segment")
        verbose_name_plural = _("flight segments")

    def __str__(self) -> str:
        return (
            f"{self.flight_number} {self.flight_date} {self.origin}-{self.destination}"
        )
