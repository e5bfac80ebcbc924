"""The clinic's booking rules in the admin: the settings, practitioners, opening hours and closures."""

from django.contrib import admin

from ..models import BookingSettings, Closure, OpeningHours, Practitioner


@admin.register(BookingSettings)
class BookingSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "assessment_minutes", "minimum_notice_hours", "horizon_days", "cancellation_cutoff_hours"]

    def has_add_permission(self, request):
        return not BookingSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ["name", "takes_assessments", "position"]
    list_editable = ["takes_assessments", "position"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["weekday", "opens", "closes"]
    list_filter = ["weekday"]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["first_day", "last_day", "reason"]
    date_hierarchy = "first_day"
