import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Callable
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from clinic.clock import CLINIC_TZ, clinic_today
from clinic.forms import MexicanOrUSPhoneField
from privacy.models import DataRequest

from .admin_erasure import DataRequestAdmin
from .admin_forms import DeclineForm, MoveForm, PhoneBookingForm
from .availability import open_times_by_day
from .calendar import when_label
from .export import write_bookings_csv
from .models import (
    Booking,
    BookingSettings,
    Closure,
    InvalidTransition,
    OpeningHours,
    OutgoingEmail,
    Practitioner,
)
from .services import (
    TimeNotOpen,
    TimeTaken,
    book_assessment,
    cancel_booking,
    confirm_booking,
    decline_booking,
    mark_attended,
    mark_no_show,
    move_booking,
)


class OutgoingEmailInline(admin.TabularInline):
    model = OutgoingEmail
    extra = 0
    can_delete = False
    fields = ["kind", "created_at", "sent_at", "attempts", "last_error", "next_attempt_at", "overtaken_at"]
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
            return queryset.filter(emails__sent_at__isnull=True, emails__overtaken_at__isnull=True).distinct()
        return queryset


def clinic_midnight(day):
    """The start of `day` on the clinic's clock (the clocks change at 02:00, so midnight always exists)."""
    return datetime.combine(day, time.min, tzinfo=CLINIC_TZ)


class AgendaDateFilter(admin.SimpleListFilter):
    """When a booking is, by the clinic's calendar.

    With no choice the list shows upcoming bookings, from the start of today so
    that this morning's can still be marked attended; a search looks at every
    date, so a patient's past bookings are found too.
    """

    title = _("date")
    parameter_name = "when"
    UPCOMING, ALL = "upcoming", "all"

    def __init__(self, request, params, model, model_admin):
        self.default = self.ALL if request.GET.get(SEARCH_VAR) else self.UPCOMING
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [
            (self.UPCOMING, _("Upcoming")),
            ("today", _("Today")),
            ("week", _("This week")),
            ("next7", _("Next 7 days")),
            ("past", _("Past")),
            (self.ALL, _("Any date")),
        ]

    def value(self):
        return super().value() or self.default

    def choices(self, changelist):
        choices = super().choices(changelist)
        next(choices)  # the stock "All" stands for the default here, which is listed under its own name
        yield from choices

    def queryset(self, request, queryset):
        today = clinic_today()
        monday = today - timedelta(days=today.weekday())
        periods = {
            self.UPCOMING: (today, None),
            "today": (today, today + timedelta(days=1)),
            "week": (monday, monday + timedelta(days=7)),
            "next7": (today, today + timedelta(days=7)),
            "past": (None, today),
        }
        if self.value() not in periods:
            return queryset
        first, after_last = periods[self.value()]
        if first:
            queryset = queryset.filter(starts_at__gte=clinic_midnight(first))
        if after_last:
            queryset = queryset.filter(starts_at__lt=clinic_midnight(after_last))
        return queryset


# Only digits and the punctuation people put in phone numbers: "664 123 4567", "(619) 555-0142".
PHONE_LIKE = re.compile(r"^[\d\s()+.\-]+$")


@dataclass(frozen=True)
class StatusChange:
    """A change staff make with one click, on the booking's page or to the selected bookings."""

    status: str
    apply: Callable
    label: str
    done: str
    # Attended or not can only be known once the assessment has started.
    after_start: bool = False


STATUS_CHANGES = {
    "confirm": StatusChange(
        Booking.Status.CONFIRMED,
        confirm_booking,
        _("Confirm"),
        ngettext_lazy(
            "Confirmed %(count)s booking; the patient is emailed.",
            "Confirmed %(count)s bookings; the patients are emailed.",
            "count",
        ),
    ),
    "cancel": StatusChange(
        Booking.Status.CANCELLED,
        cancel_booking,
        _("Cancel booking"),
        ngettext_lazy(
            "Cancelled %(count)s booking; the patient is emailed.",
            "Cancelled %(count)s bookings; the patients are emailed.",
            "count",
        ),
    ),
    "attended": StatusChange(
        Booking.Status.ATTENDED,
        mark_attended,
        _("Mark attended"),
        ngettext_lazy("Marked %(count)s booking attended.", "Marked %(count)s bookings attended.", "count"),
        after_start=True,
    ),
    "no_show": StatusChange(
        Booking.Status.NO_SHOW,
        mark_no_show,
        _("Mark did not attend"),
        ngettext_lazy(
            "Marked %(count)s booking as did not attend.", "Marked %(count)s bookings as did not attend.", "count"
        ),
        after_start=True,
    ),
}
DECLINED = ngettext_lazy(
    "Declined %(count)s request; the patient is emailed.", "Declined %(count)s requests; the patients are emailed.", "count"
)


def describe(booking):
    """E.g. "RTR-ABCDE · Tuesday 2 March 2027, 10:00 (Tijuana time) · María López · Requested"."""
    return " · ".join(
        [booking.reference, when_label(booking.starts_at), booking.patient_name, booking.get_status_display()]
    )


@admin.register(Booking)
class BookingAdmin(SimpleHistoryAdmin):
    list_display = [
        "local_time", "status", "patient_name", "phone_number", "reason", "practitioner", "reference", "emails_waiting",
    ]
    list_filter = [AgendaDateFilter, "status", "practitioner", UnsentEmailFilter]
    search_fields = ["reference", "patient_name", "phone", "email"]
    search_help_text = _("Search by name, phone (in any format), email or reference.")
    list_select_related = ["practitioner", "condition"]
    ordering = ["starts_at"]
    inlines = [OutgoingEmailInline]
    actions = ["confirm", "decline", "cancel", "move", "mark_attended", "mark_no_show", "export_csv"]
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

    # The front page of the admin.

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

    # Status changes, shared by the buttons on a booking's page and the actions on the list.

    def _apply(self, request, bookings, apply, done_message, log_message, after_start=False):
        """`apply(booking)` to each booking; a refused one gets a warning of its own, never an error page."""
        changed = 0
        now = timezone.now()
        for booking in bookings:
            try:
                if after_start and booking.starts_at > now:
                    raise InvalidTransition(_("The assessment has not started yet."))
                apply(booking)
            except InvalidTransition as refusal:
                self.message_user(request, f"{booking.reference}: {refusal}", messages.WARNING)
            else:
                changed += 1
                self.log_change(request, booking, str(log_message))
        if changed:
            self.message_user(request, done_message % {"count": changed}, messages.SUCCESS)

    def _change_status(self, request, bookings, key):
        change = STATUS_CHANGES[key]
        self._apply(request, bookings, change.apply, change.done, change.label, after_start=change.after_start)

    def _decline(self, request, bookings, reason):
        self._apply(request, bookings, lambda booking: decline_booking(booking, reason), DECLINED, _("Declined"))

    @admin.action(description=_("Confirm selected requests"), permissions=["change"])
    def confirm(self, request, queryset):
        self._change_status(request, queryset, "confirm")

    @admin.action(description=_("Decline selected requests…"), permissions=["change"])
    def decline(self, request, queryset):
        bookings = list(queryset)
        if "apply" in request.POST:
            form = DeclineForm(request.POST)
            if form.is_valid():
                self._decline(request, bookings, form.cleaned_data["reason"])
                return None
        else:
            form = DeclineForm()
        return self._render_decline(request, bookings, form, bulk=True)

    @admin.action(description=_("Cancel selected bookings"), permissions=["change"])
    def cancel(self, request, queryset):
        self._change_status(request, queryset, "cancel")

    @admin.action(description=_("Move the selected booking to another time…"), permissions=["change"])
    def move(self, request, queryset):
        bookings = list(queryset[:2])
        if len(bookings) != 1:
            self.message_user(request, _("Select one booking to move at a time."), messages.WARNING)
            return None
        return redirect(self._url("move", bookings[0].pk))

    @admin.action(description=_("Mark selected bookings attended"), permissions=["change"])
    def mark_attended(self, request, queryset):
        self._change_status(request, queryset, "attended")

    @admin.action(description=_("Mark selected bookings as did not attend"), permissions=["change"])
    def mark_no_show(self, request, queryset):
        self._change_status(request, queryset, "no_show")

    @admin.action(description=_("Export selected bookings as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return self._csv_response(queryset)

    # Custom pages, each behind the admin's login and its own permission check.

    def get_urls(self):
        def route(pattern, view, name, **kwargs):
            return path(pattern, self.admin_site.admin_view(view), kwargs, name=f"booking_booking_{name}")

        status_view = require_POST(self.change_status_view)
        return [
            route("export/", self.export_view, "export"),
            route("<int:booking_id>/decline/", self.decline_view, "decline"),
            route("<int:booking_id>/move/", self.move_view, "move"),
            *(route(f"<int:booking_id>/{key}/", status_view, key, key=key) for key in STATUS_CHANGES),
        ] + super().get_urls()

    def _url(self, name, *args):
        return reverse(f"admin:booking_booking_{name}", args=args, current_app=self.admin_site.name)

    def _booking_to_change(self, request, booking_id):
        if not self.has_change_permission(request):
            raise PermissionDenied
        booking = self.get_object(request, str(booking_id))
        if booking is None:
            raise Http404
        if not self.has_change_permission(request, booking):
            raise PermissionDenied
        return booking

    def _page(self, request, template, title, **context):
        return TemplateResponse(
            request,
            f"admin/booking/booking/{template}",
            {**self.admin_site.each_context(request), "opts": self.opts, "title": title, "media": self.media,
             **context},
        )

    def change_status_view(self, request, booking_id, key):
        booking = self._booking_to_change(request, booking_id)
        self._change_status(request, [booking], key)
        return redirect(self._url("change", booking.pk))

    def decline_view(self, request, booking_id):
        booking = self._booking_to_change(request, booking_id)
        if not booking.can_change_to(Booking.Status.DECLINED):
            self.message_user(
                request, _("%(reference)s is not a request waiting to be confirmed.") % {"reference": booking},
                messages.WARNING,
            )
            return redirect(self._url("change", booking.pk))
        if request.method == "POST":
            form = DeclineForm(request.POST)
            if form.is_valid():
                self._decline(request, [booking], form.cleaned_data["reason"])
                return redirect(self._url("change", booking.pk))
        else:
            form = DeclineForm()
        return self._render_decline(request, [booking], form, bulk=False)

    def _render_decline(self, request, bookings, form, bulk):
        return self._page(
            request,
            "decline.html",
            ngettext_lazy("Decline a request", "Decline %(count)s requests", "count") % {"count": len(bookings)},
            bookings=bookings,
            descriptions=[describe(booking) for booking in bookings],
            adminform=helpers.AdminForm(form, [(None, {"fields": ["reason"]})], {}),
            bulk=bulk,
            action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
            back_url=self._url("changelist") if bulk else self._url("change", bookings[0].pk),
        )

    def move_view(self, request, booking_id):
        booking = self._booking_to_change(request, booking_id)
        if not booking.is_active:
            self.message_user(
                request, _("%(reference)s: only a requested or confirmed booking can be moved.") % {"reference": booking},
                messages.WARNING,
            )
            return redirect(self._url("change", booking.pk))
        if request.method == "POST":
            form = MoveForm(request.POST, open_times_by_day=open_times_by_day(for_staff=True))
            if form.is_valid():
                try:
                    moved = move_booking(booking, form.cleaned_data["starts_at"])
                except TimeTaken:
                    form.add_error("starts_at", _("That time was just taken. Choose another time."))
                except TimeNotOpen:
                    form.add_error("starts_at", _("That time is not open for booking. Choose another time."))
                except InvalidTransition as refusal:
                    self.message_user(request, f"{booking.reference}: {refusal}", messages.WARNING)
                    return redirect(self._url("change", booking.pk))
                else:
                    self.log_change(request, moved, str(_("Moved to %(when)s") % {"when": when_label(moved.starts_at)}))
                    self.message_user(
                        request,
                        _("Moved %(reference)s to %(when)s with %(practitioner)s; the patient is emailed.")
                        % {"reference": moved, "when": when_label(moved.starts_at), "practitioner": moved.practitioner},
                        messages.SUCCESS,
                    )
                    return redirect(self._url("change", booking.pk))
                form.offer(open_times_by_day(for_staff=True))  # the list as it is now
        else:
            form = MoveForm(open_times_by_day=open_times_by_day(for_staff=True))
        return self._page(
            request,
            "move.html",
            _("Move %(reference)s to another time") % {"reference": booking},
            booking=booking,
            description=describe(booking),
            adminform=helpers.AdminForm(form, [(None, {"fields": ["starts_at"]})], {}),
            has_open_times=bool(form.fields["starts_at"].choices),
            back_url=self._url("change", booking.pk),
        )

    def add_view(self, request, form_url="", extra_context=None):
        """A booking taken by phone or at the desk: the same open times, rules and emails as online."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = PhoneBookingForm(request.POST, open_times_by_day=open_times_by_day(for_staff=True))
            if form.is_valid():
                try:
                    booking = book_assessment(
                        **form.booking_details(),
                        source=Booking.Source.PHONE,
                        consent_method=Booking.Consent.PHONE,
                        consent_recorded_by=request.user,
                    )
                except TimeTaken:
                    form.add_error("starts_at", _("That time was just taken. Choose another time."))
                except TimeNotOpen:
                    form.add_error("starts_at", _("That time is not open for booking. Choose another time."))
                else:
                    self.log_addition(request, booking, [{"added": {}}])
                    self.message_user(
                        request,
                        _("Booked %(reference)s for %(when)s with %(practitioner)s. The patient is emailed; "
                          "confirm it below when the clinic is ready to.")
                        % {"reference": booking, "when": when_label(booking.starts_at),
                           "practitioner": booking.practitioner},
                        messages.SUCCESS,
                    )
                    return redirect(self._url("change", booking.pk))
                form.offer(open_times_by_day(for_staff=True))  # the list as it is now
        else:
            form = PhoneBookingForm(open_times_by_day=open_times_by_day(for_staff=True))
        adminform = helpers.AdminForm(
            form,
            [
                (_("When"), {"fields": ["starts_at"]}),
                (_("Patient"), {"fields": ["patient_name", "phone", "email", "language"]}),
                (_("Reason"), {"fields": ["reason", "note"]}),
                (_("Consent"), {"fields": ["consent"]}),
            ],
            {},
        )
        return self._page(
            request,
            "phone_booking.html",
            _("Enter a booking taken by phone or at the desk"),
            adminform=adminform,
            errors=helpers.AdminErrorList(form, []),
            back_url=self._url("changelist"),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        booking = self.get_object(request, unquote(object_id))
        context = {}
        if booking is not None and self.has_change_permission(request, booking):
            context = {"booking_summary": describe(booking), "booking_buttons": self._buttons(booking)}
        return super().change_view(request, object_id, form_url, {**context, **(extra_context or {})})

    def _buttons(self, booking):
        """What can be done to the booking now: a POST button, or a link to a page that asks for more."""

        def post(key):
            return {"label": STATUS_CHANGES[key].label, "url": self._url(key, booking.pk), "post": True}

        buttons = []
        if booking.can_change_to(Booking.Status.CONFIRMED):
            buttons.append(post("confirm"))
        if booking.can_change_to(Booking.Status.DECLINED):
            buttons.append({"label": _("Decline…"), "url": self._url("decline", booking.pk)})
        if booking.is_active:
            buttons.append({"label": _("Move to another time…"), "url": self._url("move", booking.pk)})
        if booking.can_change_to(Booking.Status.CANCELLED):
            buttons.append(post("cancel"))
        if booking.starts_at <= timezone.now():
            buttons.extend(post(key) for key in ("attended", "no_show") if booking.can_change_to(STATUS_CHANGES[key].status))
        return buttons

    # The bookings as a spreadsheet.

    def export_view(self, request):
        """The bookings the list shows, with its filters, search and order, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            self.message_user(request, _("Those filters cannot be exported; choose them again."), messages.ERROR)
            return redirect(self._url("changelist"))
        return self._csv_response(changelist.queryset)

    def _csv_response(self, bookings):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="bookings-{clinic_today():%Y-%m-%d}.csv"'
        write_bookings_csv(bookings.select_related("practitioner", "condition"), response)
        return response


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


# Deleting a patient's data from their request: privacy's admin, with the bookings' part of the job.
admin.site.unregister(DataRequest)
admin.site.register(DataRequest, DataRequestAdmin)
