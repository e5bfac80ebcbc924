"""The pages staff reach from the bookings list: decline, cancel, move, a booking taken by phone, the export.

Each is behind the admin's login and checks its own permission. The buttons
on a booking's page submit that page's form to these pages, so what staff
typed there (a note, a corrected phone) is saved before the button acts.
"""

from datetime import date

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_POST

from clinic.clock import CLINIC_TZ, clinic_today

from ..availability import open_times_by_day
from ..calendar import when_label
from ..export import write_bookings_csv
from ..models import Booking, InvalidTransition
from ..patients import PatientRecord
from ..services import (
    TimeNotOpen,
    TimeTaken,
    book_assessment,
    closes_without_email,
    move_booking,
)
from .actions import STATUS_CHANGES, cancel_each, change_status, decline_each
from .forms import (
    CancelForm,
    DeclineForm,
    MoveForm,
    PhoneBookingForm,
    SlotField,
    parse_moment,
    slot_value,
)

# Why staff cannot have the time they chose, next to the time.
TIME_REFUSALS = {
    TimeTaken: _("That time was just taken. Choose another time."),
    TimeNotOpen: _("That time is not open for booking. Choose another time."),
}
# The name of every button on a booking's page: it posts the page's form, typed changes and all.
FROM_THE_BOOKING_PAGE = "_from_booking_page"
# Written only by the pages that change a booking's status, which email the patient; never typed on its page.
STATUS_RECORD = ["decline_reason", "cancelled_at", "cancelled_by", "cancellation_reason", "cancelled_late"]


def at_the_chosen_time(form, book):
    """`book()` (a booking or a move to the form's time) and its result; None, with why on the form, if the time is gone."""
    try:
        return book()
    except (TimeTaken, TimeNotOpen) as refusal:
        form.add_error("slot", TIME_REFUSALS[type(refusal)])
        return None


def day_of(value):
    """The clinic date a posted time with its practitioner falls on, or None."""
    slot = SlotField.parse(value)
    return timezone.localtime(slot[0], CLINIC_TZ).date() if slot else None


def parse_day(value):
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def known_patient(form):
    """The record of whoever's phone or email was typed, if they have booked before; shown beside the form."""
    data = form.data if form.is_bound else form.initial
    return PatientRecord.of_typed(data.get("phone", ""), data.get("email", ""))


def describe(booking):
    """E.g. "RTR-ABCDE · Tuesday 2 March 2027, 10:00 (Tijuana time) · María López · Requested"."""
    return " · ".join(
        [booking.reference, when_label(booking.starts_at), booking.patient_name, booking.get_status_display()]
    )


class BookingPages:
    """The BookingAdmin's own pages, beside the stock list and change form."""

    def get_urls(self):
        def route(pattern, view, name, **kwargs):
            return path(pattern, self.admin_site.admin_view(view), kwargs, name=f"booking_booking_{name}")

        status_view = require_POST(self.change_status_view)
        return [
            route("export/", self.export_view, "export"),
            route("<int:booking_id>/decline/", self.decline_view, "decline"),
            route("<int:booking_id>/cancel/", self.cancel_view, "cancel"),
            route("<int:booking_id>/move/", self.move_view, "move"),
            *(route(f"<int:booking_id>/{key}/", status_view, key, key=key)
              for key in STATUS_CHANGES if key != "cancel"),  # cancelling asks first: cancel_view
        ] + super().get_urls()

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *STATUS_RECORD]

    def page_url(self, name, *args):
        return reverse(f"admin:booking_booking_{name}", args=args, current_app=self.admin_site.name)

    def booking_to_change(self, request, booking_id):
        if not self.has_change_permission(request):
            raise PermissionDenied
        booking = self.get_object(request, str(booking_id))
        if booking is None:
            raise Http404
        if not self.has_change_permission(request, booking):
            raise PermissionDenied
        return booking

    def render_page(self, request, template, title, **context):
        return TemplateResponse(
            request,
            f"admin/booking/booking/{template}",
            {**self.admin_site.each_context(request), "opts": self.opts, "title": title, "media": self.media,
             **context},
        )

    def save_what_was_typed(self, request, booking):
        """Save the booking page's form, posted by one of its buttons: None once saved, else the page and its errors."""
        form = self.get_form(request, booking, change=True)(request.POST, request.FILES, instance=booking)
        if not form.is_valid():
            self.message_user(
                request, _("Nothing was done yet: correct the errors below, then press the button again."),
                messages.ERROR,
            )
            return self.change_view(request, str(booking.pk), form_url=self.page_url("change", booking.pk))
        if form.has_changed():
            booking = form.save(commit=False)
            # Only what was typed: the status and its record are changed by the button, under a row lock.
            booking.save(update_fields=[*form.changed_data, "updated_at"])
            self.log_change(request, booking, self.construct_change_message(request, form, []))
            self.message_user(
                request,
                _("Saved your changes to %(fields)s.")
                % {"fields": ", ".join(str(form.fields[name].label) for name in form.changed_data)},
                messages.SUCCESS,
            )
        return None

    def from_the_booking_page(self, request, booking, then):
        """Save what was typed on the booking's page, then go to `then` (the page the button leads to)."""
        return self.save_what_was_typed(request, booking) or redirect(then)

    def change_status_view(self, request, booking_id, key):
        booking = self.booking_to_change(request, booking_id)
        if FROM_THE_BOOKING_PAGE in request.POST:
            refused = self.save_what_was_typed(request, booking)
            if refused:
                return refused
            booking.refresh_from_db()
        change_status(self, request, [booking], key)
        return redirect(self.page_url("change", booking.pk))

    def decline_view(self, request, booking_id):
        booking = self.booking_to_change(request, booking_id)
        if FROM_THE_BOOKING_PAGE in request.POST:
            return self.from_the_booking_page(request, booking, self.page_url("decline", booking.pk))
        if not booking.can_change_to(Booking.Status.DECLINED):
            self.message_user(
                request, _("%(reference)s is not a request waiting to be confirmed.") % {"reference": booking},
                messages.WARNING,
            )
            return redirect(self.page_url("change", booking.pk))
        if request.method == "POST":
            form = DeclineForm(request.POST)
            if form.is_valid():
                decline_each(self, request, [booking], form.cleaned_data["reason"])
                return redirect(self.page_url("change", booking.pk))
        else:
            form = DeclineForm()
        return self.decline_page(request, [booking], form, bulk=False)

    def decline_page(self, request, bookings, form, bulk):
        """The reason to give, for one booking (from its page) or the selected ones (the list's action)."""
        return self.render_page(
            request,
            "decline.html",
            ngettext_lazy("Decline a request", "Decline %(count)s requests", "count") % {"count": len(bookings)},
            bookings=bookings,
            descriptions=[describe(booking) for booking in bookings],
            adminform=helpers.AdminForm(form, [(None, {"fields": ["reason"]})], {}),
            bulk=bulk,
            action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
            back_url=self.page_url("changelist") if bulk else self.page_url("change", bookings[0].pk),
        )

    def cancel_view(self, request, booking_id):
        booking = self.booking_to_change(request, booking_id)
        if FROM_THE_BOOKING_PAGE in request.POST:
            return self.from_the_booking_page(request, booking, self.page_url("cancel", booking.pk))
        if not booking.can_change_to(Booking.Status.CANCELLED):
            self.message_user(
                request, _("%(reference)s cannot be cancelled: it is %(status)s.")
                % {"reference": booking, "status": booking.get_status_display().lower()},
                messages.WARNING,
            )
            return redirect(self.page_url("change", booking.pk))
        closing = closes_without_email(booking)
        # A bare POST (a "Cancel booking" button elsewhere, e.g. a closure's list) asks; only this page's form answers.
        if request.method == "POST" and ("reason" in request.POST or "cancelled_by" in request.POST):
            form = CancelForm(request.POST, closing=closing)
            if form.is_valid():
                cancelled_by = form.cleaned_data.get("cancelled_by", Booking.CancelledBy.CLINIC)
                cancel_each(self, request, [booking], cancelled_by, form.cleaned_data["reason"])
                return redirect(self.page_url("change", booking.pk))
        else:
            form = CancelForm(closing=closing)
        return self.cancel_page(request, [booking], form, bulk=False)

    def cancel_page(self, request, bookings, form, bulk):
        """Who cancels and why, for one booking (from its page) or the selected ones (the list's action)."""
        rows = []
        for booking in bookings:
            if closes_without_email(booking):
                what = _("its time has passed: closed without emailing the patient")
            elif booking.email:
                what = _("the patient is emailed")
            else:
                what = _("no email: tell the patient by phone or WhatsApp")
            rows.append(f"{describe(booking)} ({what})")
        closing = "cancelled_by" not in form.fields
        if closing:
            title = ngettext_lazy("Close a request", "Close %(count)s requests", "count")
        else:
            title = ngettext_lazy("Cancel a booking", "Cancel %(count)s bookings", "count")
        return self.render_page(
            request,
            "cancel.html",
            title % {"count": len(bookings)},
            booking=None if bulk else bookings[0],
            bookings=bookings,
            descriptions=rows,
            closing=closing,
            adminform=helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}),
            bulk=bulk,
            action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
            back_url=self.page_url("changelist") if bulk else self.page_url("change", bookings[0].pk),
        )

    def move_view(self, request, booking_id):
        booking = self.booking_to_change(request, booking_id)
        if FROM_THE_BOOKING_PAGE in request.POST:
            return self.from_the_booking_page(request, booking, self.page_url("move", booking.pk))
        if not booking.is_active:
            self.message_user(
                request, _("%(reference)s: only a requested or confirmed booking can be moved.") % {"reference": booking},
                messages.WARNING,
            )
            return redirect(self.page_url("change", booking.pk))
        form = MoveForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            starts_at, practitioner = form.cleaned_data["slot"]
            try:
                moved = at_the_chosen_time(form, lambda: move_booking(booking, starts_at, practitioner=practitioner))
            except InvalidTransition as refusal:
                self.message_user(request, f"{booking.reference}: {refusal}", messages.WARNING)
                return redirect(self.page_url("change", booking.pk))
            if moved:
                self.log_change(request, moved, str(_("Moved to %(when)s") % {"when": when_label(moved.starts_at)}))
                self.message_user(
                    request,
                    _("Moved %(reference)s to %(when)s with %(practitioner)s; the patient is emailed.")
                    % {"reference": moved, "when": when_label(moved.starts_at), "practitioner": moved.practitioner},
                    messages.SUCCESS,
                )
                return redirect(self.page_url("change", booking.pk))
        # After any attempt, so the list is as it is now; never the time the booking already has.
        form.offer(open_times_by_day(for_staff=True), leave_out=booking.starts_at)
        return self.render_page(
            request,
            "move.html",
            _("Move %(reference)s to another time") % {"reference": booking},
            booking=booking,
            description=describe(booking),
            now_with=_("Now with %(practitioner)s.") % {"practitioner": booking.practitioner},
            adminform=helpers.AdminForm(form, [(None, {"fields": ["slot"]})], {}),
            has_open_times=bool(form.fields["slot"].choices),
            back_url=self.page_url("change", booking.pk),
        )

    def add_view(self, request, form_url="", extra_context=None):
        """A booking taken by phone or at the desk: the same open times and rules as online, confirmed at once.

        The day is chosen first, then one of its times with a practitioner free
        at it. Changing the day posts the form without booking, so what was
        typed stays. ?practitioner=<id>&starts_at=<ISO 8601> (the calendar's
        free times) choose that time and its day to begin with.
        """
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "show_times" not in request.POST:
            data = request.POST.copy()
            day = day_of(data.get("slot"))
            if day:
                data["day"] = day.isoformat()  # the day shown is always the chosen time's
            form = PhoneBookingForm(data)
            if form.is_valid():
                booking = at_the_chosen_time(form, lambda: book_assessment(
                    **form.booking_details(),
                    source=Booking.Source.PHONE,
                    consent_method=Booking.Consent.PHONE,
                    consent_recorded_by=request.user,
                ))
                if booking:
                    return self.booked(request, booking)
            day = day or parse_day(data.get("day"))
        elif request.method == "POST":
            typed = {name: value for name, value in request.POST.items() if name in PhoneBookingForm.base_fields}
            form = PhoneBookingForm(initial=typed)
            day = parse_day(typed.get("day"))
        else:
            form, day = self.phone_booking_from_link(request)
        days = open_times_by_day(for_staff=True)  # after any attempt, so the list is as it is now
        if day not in days:
            day = next(iter(days), None)
        if not form.is_bound:
            form.initial["day"] = day.isoformat() if day else ""
        form.offer(days, day)
        self.warn_if_the_linked_time_is_gone(request, form)
        adminform = helpers.AdminForm(
            form,
            [
                (None, {"fields": ["slot"]}),
                (_("Patient"), {"fields": ["patient_name", "phone", "email", "language"]}),
                (_("Reason"), {"fields": ["reason", "condition", "note"]}),
                (_("Consent"), {"fields": ["consent"]}),
            ],
            {},
        )
        return self.render_page(
            request,
            "phone_booking.html",
            _("Enter a booking taken by phone or at the desk"),
            known_patient=known_patient(form),
            adminform=adminform,
            day_field=form["day"],
            has_open_times=bool(days),
            errors=helpers.AdminErrorList(form, []),
            back_url=self.page_url("changelist"),
        )

    def phone_booking_from_link(self, request):
        """A fresh form, with the time and practitioner of ?practitioner=&starts_at= (or the ?day=) chosen."""
        starts_at = parse_moment(request.GET.get("starts_at"))
        practitioner_id = request.GET.get("practitioner", "")
        initial = {}
        day = parse_day(request.GET.get("day"))
        patient_id = request.GET.get("patient", "")
        earlier = Booking.objects.filter(pk=patient_id, anonymised_at__isnull=True).first() if patient_id.isdigit() else None
        if earlier is not None:  # "Book again" from a patient record: their details, typed once before
            initial.update(patient_name=earlier.patient_name, phone=str(earlier.phone), email=earlier.email,
                           language=earlier.language)
        if starts_at:
            day = timezone.localtime(starts_at, CLINIC_TZ).date()
            if practitioner_id.isdigit():
                initial["slot"] = slot_value(starts_at, practitioner_id)
        return PhoneBookingForm(initial=initial), day

    def warn_if_the_linked_time_is_gone(self, request, form):
        slot = form.initial.get("slot")
        offered = {value for _day, times in form.fields["slot"].choices for value, _label in times}
        if slot and not form.is_bound and slot not in offered:
            self.message_user(
                request, _("That time is no longer free with that practitioner. Choose another time."),
                messages.WARNING,
            )

    def booked(self, request, booking):
        self.log_addition(request, booking, [{"added": {}}])
        details = {"reference": booking, "when": when_label(booking.starts_at), "practitioner": booking.practitioner}
        if booking.email:
            message = _("Booked and confirmed %(reference)s for %(when)s with %(practitioner)s; "
                        "the patient is emailed the confirmation.")
        else:
            message = _("Booked and confirmed %(reference)s for %(when)s with %(practitioner)s. The patient has no "
                        "email: give them the time and the reference by phone or WhatsApp.")
        self.message_user(request, message % details, messages.SUCCESS)
        return redirect(self.page_url("change", booking.pk))

    def export_view(self, request):
        """The bookings the list shows, with its filters, search and order, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            self.message_user(request, _("Those filters cannot be exported; choose them again."), messages.ERROR)
            return redirect(self.page_url("changelist"))
        return self.csv_response(changelist.queryset)

    def csv_response(self, bookings):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="bookings-{clinic_today():%Y-%m-%d}.csv"'
        write_bookings_csv(bookings.select_related("practitioner", "condition"), response)
        return response
