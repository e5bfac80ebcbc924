"""The emails bookings cause: what became of each, and "send again" for those that failed for good."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clinic.admin import DeliveryAdmin

from ..models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(DeliveryAdmin):
    list_display = ["kind", "booking_reference", "state", "attempts", "last_error", "created_at", "sent_at"]
    list_select_related = ["booking"]
    search_fields = ["booking__reference"]
    fields = ["booking_reference", "kind", *DeliveryAdmin.delivery_fields, "overtaken_at"]

    @admin.display(description=_("booking"), ordering="booking__reference")
    def booking_reference(self, email):
        url = reverse("admin:booking_booking_change", args=[email.booking_id], current_app=self.admin_site.name)
        return format_html('<a href="{}">{}</a>', url, email.booking.reference)
