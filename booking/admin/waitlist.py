"""The waitlist for Reception, read only: who waits for which days, and what they were sent."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.clock import clinic_today

from ..calendar import when_label
from ..models import WaitlistEmail, WaitlistEntry


class WaitingFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("waiting", _("Waiting")), *WaitlistEntry.Closed.choices]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.waiting(clinic_today())
        if self.value() in WaitlistEntry.Closed.values:
            return queryset.filter(closed_why=self.value())
        return queryset


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WaitlistEmailInline(ReadOnlyMixin, admin.TabularInline):
    model = WaitlistEmail
    fields = ["kind", "time_offered", "state", "created_at", "sent_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("emails sent")

    @admin.display(description=_("time offered"))
    def time_offered(self, email):
        return when_label(email.starts_at) if email.starts_at else "—"

    @admin.display(description=_("state"))
    def state(self, email):
        return email.state


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["patient_name", "first_day", "last_day", "state", "times_offered", "created_at"]
    list_filter = [WaitingFilter]
    search_fields = ["patient_name", "phone", "email"]
    date_hierarchy = "first_day"
    fields = ["patient_name", "phone", "email", "first_day", "last_day", "reason", "language", "state",
              "created_at", "consent_given_at", "privacy_notice", "booking"]
    readonly_fields = fields
    inlines = [WaitlistEmailInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            offered=Count("emails", filter=Q(emails__kind=WaitlistEmail.Kind.TIME_OPENED))
        ).select_related("privacy_notice", "booking")

    @admin.display(description=_("state"))
    def state(self, entry):
        if entry.is_waiting(clinic_today()):
            return _("Waiting")
        if entry.closed_why:
            return f"{entry.get_closed_why_display()} · {timezone.localtime(entry.closed_at):%Y-%m-%d}"
        return WaitlistEntry.Closed.EXPIRED.label

    @admin.display(description=_("times offered"), ordering="offered")
    def times_offered(self, entry):
        return entry.offered
