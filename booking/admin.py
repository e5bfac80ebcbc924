from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Booking, BookingSettings, Closure, InvalidTransition, OpeningHours, OutgoingEmail, Practitioner
from .services import cancel_booking, confirm_booking, decline_booking


class OutgoingEmailInline(admin.TabularInline):
    model = OutgoingEmail
    extra = 0
    can_delete = False
    fields = ["kind", "created_at", "sent_at", "attempts", "last_error", "next_attempt_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class UnsentEmailFilter(admin.SimpleListFilter):
    title = _("emails")
    parameter_name = "emails"

    def lookups(self, request, model_admin):
        return [("unsent", _("Not sent yet"))]

    def queryset(self, request, queryset):
        if self.value() == "unsent":
            return queryset.filter(emails__sent_at__isnull=True).distinct()
        return queryset


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["reference", "local_time", "status", "practitioner", "patient_name", "reason", "emails_waiting"]
    list_filter = ["status", UnsentEmailFilter, "starts_at", "practitioner"]
    search_fields = ["reference", "patient_name", "phone", "email"]
    list_select_related = ["practitioner", "condition"]
    date_hierarchy = "starts_at"
    ordering = ["starts_at"]
    inlines = [OutgoingEmailInline]
    actions = ["confirm", "decline", "cancel"]
    readonly_fields = [
        "reference", "status", "practitioner", "starts_at", "ends_at", "price", "source", "language",
        "consent_given_at", "privacy_notice", "created_at", "updated_at", "sequence",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "status", "starts_at", "ends_at", "practitioner", "price", "source"]}),
        (_("Patient"), {"fields": ["patient_name", "phone", "email", "language", "condition", "note"]}),
        (_("Consent"), {"fields": ["consent_given_at", "privacy_notice"]}),
        (_("Decision"), {"fields": ["decline_reason"]}),
        (_("History"), {"fields": ["created_at", "updated_at", "sequence"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            unsent_emails=Count("emails", filter=Q(emails__sent_at__isnull=True))
        )

    def has_add_permission(self, request):
        return False  # bookings come through the booking form, which applies every rule

    @admin.display(description=_("time (Tijuana)"), ordering="starts_at")
    def local_time(self, booking):
        return timezone.localtime(booking.starts_at).strftime("%a %d %b %Y, %H:%M")

    @admin.display(description=_("reason"))
    def reason(self, booking):
        return booking.reason_label

    @admin.display(description=_("emails not sent"), ordering="unsent_emails")
    def emails_waiting(self, booking):
        return booking.unsent_emails or ""

    def _apply(self, request, queryset, change, done_message):
        changed = 0
        for booking in queryset:
            try:
                change(booking)
                changed += 1
            except InvalidTransition as refusal:
                self.message_user(request, f"{booking.reference}: {refusal}", messages.WARNING)
        if changed:
            self.message_user(request, done_message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Confirm selected bookings"), permissions=["change"])
    def confirm(self, request, queryset):
        self._apply(request, queryset, confirm_booking, _("Confirmed %(count)s booking(s); the patients are emailed."))

    @admin.action(description=_("Decline selected bookings"), permissions=["change"])
    def decline(self, request, queryset):
        self._apply(request, queryset, decline_booking, _("Declined %(count)s booking(s); the patients are emailed."))

    @admin.action(description=_("Cancel selected bookings"), permissions=["change"])
    def cancel(self, request, queryset):
        self._apply(request, queryset, cancel_booking, _("Cancelled %(count)s booking(s); the patients are emailed."))


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


# The privacy notice and patients' data requests are administered in their own module.
from . import privacy_admin  # noqa: E402,F401
