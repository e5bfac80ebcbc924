"""The bookings in the admin: the clinic's agenda, each booking's page and what can be done to it."""

import re
import unicodedata
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Lower, Replace
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from clinic.clock import clinic_date
from clinic.forms import OLD_MOBILE_PREFIX, MexicanOrUSPhoneField

from ..models import Booking, OutgoingEmail
from ..services import closes_without_email
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
from .calendar_view import CalendarPages, patient_confirmed
from .filters import AgendaDateFilter, UnsentEmailFilter
from .history import readable_history
from .patient_record import PatientRecordPages
from .staff_pages import BookingPages, describe

# Only digits and the punctuation people put in phone numbers: "664 123 4567", "(619) 555-0142".
PHONE_LIKE = re.compile(r"^[\d\s()+.\-]+$")


# The accented letters of Spanish names, in both cases, each with its plain
# letter. SQLite's lower() folds only ASCII and PostgreSQL may have no unaccent
# extension, so the database folds these one by one, the same on both.
ACCENTED = {"á": "a", "é": "e", "í": "i", "ó": "o", "ú": "u", "ü": "u", "ñ": "n", "à": "a", "è": "e", "ç": "c"}


def accent_folded(field):
    """`field` lowercased and without Spanish accents, as a database expression."""
    expression = F(field)
    for accented, plain in ACCENTED.items():
        expression = Replace(expression, Value(accented), Value(plain))
        expression = Replace(expression, Value(accented.upper()), Value(plain))
    return Lower(expression)


def folded_term(text):
    """`text` as accent_folded() leaves a column: "MARÍA" -> "maria"."""
    # lower(), not casefold(): the database lowers "ß" to itself, casefold() to "ss".
    decomposed = unicodedata.normalize("NFD", text.lower())
    return unicodedata.normalize("NFC", "".join(char for char in decomposed if not unicodedata.combining(char)))


def unquote_search_word(word):
    """A word of the search as the admin's own search reads it: "'María López'" is one word."""
    if word[0] in "\"'" and word[0] == word[-1]:
        return unescape_string_literal(word)
    return word


def phone_matches(term):
    """The bookings whose phone is `term`, or contains the digits typed so far."""
    bare = OLD_MOBILE_PREFIX.sub("", term.strip())
    matches = Q()
    for typed in {term, bare}:
        digits = re.sub(r"\D", "", typed)
        if len(digits) >= 4:
            matches |= Q(phone__contains=digits)
        try:
            matches |= Q(phone=MexicanOrUSPhoneField().clean(typed))
        except ValidationError:  # not a whole number, just some of its digits
            pass
    return matches


class OutgoingEmailInline(admin.TabularInline):
    model = OutgoingEmail
    extra = 0
    can_delete = False
    fields = ["kind", "created_at", "sent_at", "attempts", "last_error", "next_attempt_at", "failed_at", "overtaken_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(CalendarPages, PatientRecordPages, BookingPages, SimpleHistoryAdmin):
    # What fits at 1280 px beside the admin's menu and the filters without
    # scrolling sideways: the reason, phone and reference ride under the name,
    # which opens the booking, and emails still to go out under the status.
    list_display = ["local_time", "patient", "status_and_emails", "practitioner", "reminder_sent"]
    list_display_links = ["patient"]
    list_filter = [AgendaDateFilter, "status", "practitioner", "reason", UnsentEmailFilter]
    search_fields = ["reference", "patient_name", "phone", "email"]
    search_help_text = _("Search by name, phone (in any format), email or reference.")
    list_select_related = ["practitioner", "condition"]
    ordering = ["starts_at"]
    inlines = [OutgoingEmailInline]
    actions = [confirm, decline, cancel, move, mark_attended, mark_no_show, export_csv]
    object_history_template = "admin/booking/booking/object_history.html"
    readonly_fields = [
        "reference", "status", "patient_confirmed_at", "practitioner", "starts_at", "ends_at", "price", "source", "reason",
        "consent_given_at", "consent_method", "consent_recorded_by", "privacy_notice", "created_at", "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "status", "patient_confirmed_at", "starts_at", "ends_at", "practitioner", "price", "source"]}),
        (_("Patient"), {"fields": ["patient_name", "phone", "email", "language", "reason", "condition", "note"]}),
        (_("Consent"), {"fields": ["consent_given_at", "consent_method", "consent_recorded_by", "privacy_notice"]}),
        (_("Decision"), {"fields": ["decline_reason", "cancelled_by", "cancellation_reason", "cancelled_at", "cancelled_late"]}),
        (pgettext_lazy("booking", "History"), {"fields": ["created_at", "updated_at"]}),
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
        """Find a phone however it is typed, and a name or email whatever its accents: "Maria Lopez" finds "María López"."""
        term = search_term.strip()
        if PHONE_LIKE.match(term) and len(re.sub(r"\D", "", term)) >= 4:
            return queryset.filter(phone_matches(term)), False
        words = [unquote_search_word(word) for word in smart_split(term)]
        words = [folded_term(word) for word in words if word]
        if not words:
            return queryset, False
        queryset = queryset.annotate(
            folded_patient_name=accent_folded("patient_name"), folded_email=accent_folded("email")
        )
        for word in words:
            queryset = queryset.filter(
                Q(folded_patient_name__contains=word) | Q(folded_email__contains=word) | Q(reference__icontains=word)
            )
        return queryset, False

    def revert_disabled(self, request, obj=None):
        return True  # the history is a record; status changes go through the buttons, which email the patient

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        pass  # readable_history() says what changed, in words; simple-history's own list of stored values is unused

    def render_history_view(self, request, template, context, **kwargs):
        context["entries"] = readable_history(context["page_obj"], self.model)
        return super().render_history_view(request, template, context, **kwargs)

    @admin.display(description=_("time (Tijuana)"), ordering="starts_at")
    def local_time(self, booking):
        # "Wed, Dec 2, 3:00 pm" / "mié 2 dic, 15:00 h": the day, short, for a column the agenda reads at a glance.
        return clinic_date(booking.starts_at, "short_day_time")

    @admin.display(description=_("patient"), ordering="patient_name")
    def patient(self, booking):
        phone = booking.phone.as_international if booking.phone else ""
        return format_html(
            "{}<br><small>{}</small><br><small>{} · {}</small>",
            booking.patient_name, booking.reason_label, phone, booking.reference,
        )

    @admin.display(description=_("status"), ordering="status")
    def status_and_emails(self, booking):
        notes = [patient_confirmed(booking, with_time=True)] if booking.patient_confirmed_at else []
        if booking.unsent_emails:
            notes.append(ngettext(
                "%(count)d email not sent", "%(count)d emails not sent", booking.unsent_emails
            ) % {"count": booking.unsent_emails})
        if not notes:
            return booking.get_status_display()
        return format_html(
            "{}{}", booking.get_status_display(), format_html_join("", "<br><small>{}</small>", ((note,) for note in notes))
        )

    @admin.display(description=_("reminder sent"), boolean=True)
    def reminder_sent(self, booking):
        # A moved booking's old reminder was for another time: it counts as not sent.
        return booking.reminded_for is not None and booking.reminded_for == booking.starts_at

    def front_page_context(self, request):
        """How many requests wait to be confirmed: one COUNT query, for staff who see bookings."""
        if not self.has_view_or_change_permission(request):
            return {}
        changelist = reverse("admin:booking_booking_changelist", current_app=self.admin_site.name)
        return {
            # A request whose time has passed can no longer be confirmed: it waits to be closed, not confirmed.
            "requests_waiting": Booking.objects.filter(
                status=Booking.Status.REQUESTED, starts_at__gt=timezone.now()
            ).count(),
            "requests_waiting_url": changelist + "?" + urlencode(
                {"status__exact": Booking.Status.REQUESTED, AgendaDateFilter.parameter_name: AgendaDateFilter.ALL}
            ),
            "todays_bookings_url": changelist + "?" + urlencode({AgendaDateFilter.parameter_name: "today"}),
            **self.calendar_link_context(request),
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
            if closes_without_email(booking):
                buttons.append({"label": _("Close without emailing…"), "url": self.page_url("cancel", booking.pk)})
            else:
                buttons.append(post("cancel"))
        buttons.extend(post(key) for key in ("attended", "no_show") if booking.can_change_to(STATUS_CHANGES[key].status, now))
        return buttons
