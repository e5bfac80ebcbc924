"""The clinic's booking rules in the admin: the settings, practitioners, opening hours and closures."""

from datetime import datetime, time, timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Min
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clinic.clock import CLINIC_TZ

from ..calendar import when_label
from ..models import Booking, BookingSettings, Closure, OpeningHours
from ..waitlist import OpeningsWatch
from .widgets import IsoDatesMixin


@admin.register(BookingSettings)
class BookingSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "review_requests", "assessment_minutes", "minimum_notice_hours", "horizon_days",
                    "max_future_bookings", "cancellation_cutoff_hours"]
    fieldsets = [
        (_("Online booking"), {"fields": ["review_requests", "review_within_hours", "max_future_bookings",
                                          "minimum_notice_hours", "horizon_days"]}),
        (_("Assessments"), {"fields": ["assessment_minutes"]}),
        (_("Cancelling and reminders"), {"fields": ["cancellation_cutoff_hours", "reminder_lead_hours"]}),
        (_("Records"), {"fields": ["retention_months"]}),
        (_("Where the clinic is told"), {"fields": ["notification_email"]}),
    ]

    def has_add_permission(self, request):
        return not BookingSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["weekday", "opens", "closes"]
    list_filter = ["weekday"]


def bookings_during(closure):
    """The requested and confirmed bookings on the closure's days: everyone's, or only its practitioner's."""
    starts = datetime.combine(closure.first_day, time.min, CLINIC_TZ)
    ends = datetime.combine(closure.last_day + timedelta(days=1), time.min, CLINIC_TZ)
    bookings = Booking.objects.active().filter(starts_at__lt=ends, ends_at__gt=starts).select_related("practitioner")
    if closure.practitioner_id is not None:
        bookings = bookings.filter(practitioner_id=closure.practitioner_id)
    return bookings.order_by("starts_at", "pk")


@admin.register(Closure)
class ClosureAdmin(IsoDatesMixin, admin.ModelAdmin):
    list_display = ["first_day", "last_day", "practitioner", "reason"]
    list_filter = ["practitioner"]
    list_select_related = ["practitioner"]
    date_hierarchy = "first_day"

    # A closure deleted, shortened, moved or narrowed to one practitioner can open times: the waitlist hears of them.

    def save_model(self, request, obj, form, change):
        old = Closure.objects.filter(pk=obj.pk).first() if change else None
        watch = OpeningsWatch(old.first_day, old.last_day) if old else None
        super().save_model(request, obj, form, change)
        if watch:
            watch.changed()

    def delete_model(self, request, obj):
        watch = OpeningsWatch(obj.first_day, obj.last_day)
        super().delete_model(request, obj)
        watch.changed()

    def delete_queryset(self, request, queryset):
        days = queryset.aggregate(first=Min("first_day"), last=Max("last_day"))
        watch = OpeningsWatch(days["first"], days["last"]) if days["first"] else None
        super().delete_queryset(request, queryset)
        if watch:
            watch.changed()

    def get_urls(self):
        return [
            path(
                "<int:closure_id>/bookings/",
                self.admin_site.admin_view(self.bookings_view),
                name="booking_closure_bookings",
            ),
        ] + super().get_urls()

    def response_add(self, request, obj, post_url_continue=None):
        return self.bookings_to_rearrange(request, obj) or super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        return self.bookings_to_rearrange(request, obj) or super().response_change(request, obj)

    def bookings_to_rearrange(self, request, closure):
        """On to the bookings the closure falls on, if any: the patients still expect to come."""
        count = bookings_during(closure).count()
        if not count:
            return None
        self.message_user(
            request,
            ngettext(
                "%(count)s booking falls on these days. Move or cancel it: the patient still expects to come.",
                "%(count)s bookings fall on these days. Move or cancel each: the patients still expect to come.",
                count,
            ) % {"count": count},
            messages.WARNING,
        )
        return redirect(reverse("admin:booking_closure_bookings", args=[closure.pk], current_app=self.admin_site.name))

    def bookings_view(self, request, closure_id):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        closure = self.get_object(request, str(closure_id))
        if closure is None:
            raise Http404
        booking_admin = self.admin_site._registry.get(Booking)
        can_change = booking_admin is not None and booking_admin.has_change_permission(request)

        def link(name, booking):
            return reverse(f"admin:booking_booking_{name}", args=[booking.pk], current_app=self.admin_site.name)

        rows = [
            {
                "booking": booking,
                "when": when_label(booking.starts_at),
                "booking_url": link("change", booking) if can_change else "",
                "move_url": link("move", booking) if can_change else "",
                "cancel_url": link("cancel", booking) if can_change else "",
            }
            for booking in bookings_during(closure)
        ]
        return TemplateResponse(
            request,
            "admin/booking/closure/bookings.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Bookings on the days of this closure"),
                "closure": closure,
                "rows": rows,
                "closure_url": reverse(
                    "admin:booking_closure_change", args=[closure.pk], current_app=self.admin_site.name
                ),
            },
        )
