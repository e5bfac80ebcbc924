"""The bookings in the admin: the clinic's agenda, each booking's page and what can be done to it."""

import re
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from clinic.clock import CLINIC_TZ
from clinic.forms import MexicanOrUSPhoneField

from ..models import Booking, OutgoingEmail
from .actions import (
    STATUS_CHANGES,
    cancel,
    confirm,
    decline,
    export_csv,
    mark_attended,
    mark_no_show,
    move,
)
from .filters import AgendaDateFilter, UnsentEmailFilter
from .staff_pages import BookingPages, describe

# Only digits and the punctuation people put in phone numbers: "664 123 4567", "(619) 555-0142".
PHONE_LIKE = re.compile(r"^[\d\s()+.\-]+$")


class OutgoingEmailInline(admin.TabularInline):
    model = OutgoingEmail
    extra = 0
    can_delete = False
    fields = ["kind", "created_at", "sent_at", "attempts", "last_error", "next_attempt_at", "failed_at", "overtaken_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(BookingPages, SimpleHistoryAdmin):
    list_display = [
        "local_time", "status", "patient_name", "phone_number", "reason", "practitioner", "reference", "emails_waiting",
    ]
    list_filter = [AgendaDateFilter, "status", "practitioner", UnsentEmailFilter]
    search_fields = ["reference", "patient_name", "phone", "email"]
    search_help_text = _("Search by name, phone (in any format), email or reference.")
    list_select_related = ["practitioner", "condition"]
    ordering = ["starts_at"]
    inlines = [OutgoingEmailInline]
    actions = [confirm, decline, cancel, move, mark_attended, mark_no_show, export_csv]
    history_list_display = ["status", "starts_at"]
    readonly_fields = [
        "reference", "status", "practitioner", "starts_at", "ends_at", "price", "source",
        "consent_given_at", "consent_method", "consent_recorded_by", "privacy_notice", "created_at", "updated_at",
        "sequence",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "status", "starts_at", "ends_at", "practitioner", "price", "source"]}),
        (_("Patient"), {"fields": ["patient_name", "phone", "email", "language", "condition", "note"]}),
        (_("Consent"), {"fields": ["consent_given_at", "consent_method", "consent_recorded_by", "privacy_notice"]}),
        (_("Decision"), {"fields": ["decline_reason"]}),
        (pgettext_lazy("booking", "History"), {"fields": ["created_at", "updated_at", "sequence"]}),
    ]

    class Media:
        css = {"all": ["css/booking_admin.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            unsent_emails=Count("emails", filter=Q(emails__sent_at__isnull=True, emails__overtaken_at__isnull=True))
        )

    def get_ordering(self, request):
        # Looking back, the most recent first; otherwise the agenda reads forwards.
        return ["-starts_at"] if request.GET.get(AgendaDateFilter.parameter_name) == "past" else self.ordering

    def get_search_results(self, request, queryset, search_term):
        """Find a phone number however it is typed: "664 123 4567" finds +526641234567."""
        term = search_term.strip()
        digits = re.sub(r"\D", "", term)
        if PHONE_LIKE.match(term) and len(digits) >= 4:
            matches = Q(phone__contains=digits)
            try:
                matches |= Q(phone=MexicanOrUSPhoneField().clean(term))
            except ValidationError:  # not a whole number, just some of its digits
                pass
            return queryset.filter(matches), False
        return super().get_search_results(request, queryset, search_term)

    def revert_disabled(self, request, obj=None):
        return True  # the history is a record; status changes go through the buttons, which email the patient

    @admin.display(description=_("time (Tijuana)"), ordering="starts_at")
    def local_time(self, booking):
        return timezone.localtime(booking.starts_at, CLINIC_TZ).strftime("%a %d %b %Y, %H:%M")

    @admin.display(description=_("phone"), ordering="phone")
    def phone_number(self, booking):
        return booking.phone.as_international if booking.phone else ""

    @admin.display(description=_("reason"))
    def reason(self, booking):
        return booking.reason_label

    @admin.display(description=_("emails not sent"), ordering="unsent_emails")
    def emails_waiting(self, booking):
        return booking.unsent_emails or ""

    def front_page_context(self, request):
        """How many requests wait to be confirmed: one COUNT query, for staff who see bookings."""
        if not self.has_view_or_change_permission(request):
            return {}
        changelist = reverse("admin:booking_booking_changelist", current_app=self.admin_site.name)
        return {
            "requests_waiting": Booking.objects.filter(status=Booking.Status.REQUESTED).count(),
            "requests_waiting_url": changelist + "?" + urlencode(
                {"status__exact": Booking.Status.REQUESTED, AgendaDateFilter.parameter_name: AgendaDateFilter.ALL}
            ),
            "todays_bookings_url": changelist + "?" + urlencode({AgendaDateFilter.parameter_name: "today"}),
            "can_add_booking": self.has_add_permission(request),
            "add_booking_url": reverse("admin:booking_booking_add", current_app=self.admin_site.name),
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        booking = self.get_object(request, unquote(object_id))
        context = {}
        if booking is not None and self.has_change_permission(request, booking):
            context = {"booking_summary": describe(booking), "booking_buttons": self.buttons(booking)}
        return super().change_view(request, object_id, form_url, {**context, **(extra_context or {})})

    def buttons(self, booking):
        """What can be done to the booking now: a POST button, or a link to a page that asks for more."""

        def post(key):
            return {"label": STATUS_CHANGES[key].label, "url": self.page_url(key, booking.pk), "post": True}

        now = timezone.now()
        buttons = []
        if booking.can_change_to(Booking.Status.CONFIRMED):
            buttons.append(post("confirm"))
        if booking.can_change_to(Booking.Status.DECLINED):
            buttons.append({"label": _("Decline…"), "url": self.page_url("decline", booking.pk)})
        if booking.is_active:
            buttons.append({"label": _("Move to another time…"), "url": self.page_url("move", booking.pk)})
        if booking.can_change_to(Booking.Status.CANCELLED):
            buttons.append(post("cancel"))
        buttons.extend(post(key) for key in ("attended", "no_show") if booking.can_change_to(STATUS_CHANGES[key].status, now))
        return buttons
