"""Passengers and their bookings, to read in the admin: they change through cases."""

from django.contrib import admin

from paxcare.crm.models import Booking, FlightSegment, Passenger


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewing only: no adding, changing or deleting from the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class BookingInline(admin.TabularInline):
    model = Booking
    fields = ["record_locator", "ticket_numbers", "created_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class FlightSegmentInline(BookingInline):
    model = FlightSegment
    fields = [
        "position",
        "carrier",
        "flight_number",
        "flight_date",
        "origin",
        "destination",
        "cabin",
    ]
    readonly_fields = fields
    show_change_link = False


@admin.register(Passenger)
class PassengerAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "email", "phone", "language", "loyalty_tier"]
    list_filter = ["language", "consent_contact", "email_bouncing"]
    search_fields = ["full_name", "email", "phone", "social_handle", "loyalty_number"]
    inlines = [BookingInline]


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["record_locator", "passenger", "created_at"]
    search_fields = ["record_locator", "passenger__full_name", "passenger__email"]
    list_select_related = ["passenger"]
    inlines = [FlightSegmentInline]
