"""The pages staff reach from the bookings list: decline with a reason, move, a booking taken by phone, the export.

Each is behind the admin's login and checks its own permission.
"""

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_POST

from clinic.clock import clinic_today

from ..availability import open_times_by_day
from ..calendar import when_label
from ..export import write_bookings_csv
from ..models import Booking, InvalidTransition
from ..services import TimeNotOpen, TimeTaken, book_assessment, move_booking
from .actions import STATUS_CHANGES, change_status, decline_each
from .forms import DeclineForm, MoveForm, PhoneBookingForm

# Why staff cannot have the time they chose, next to the time.
TIME_REFUSALS = {
    TimeTaken: _("That time was just taken. Choose another time."),
    TimeNotOpen: _("That time is not open for booking. Choose another time."),
}


def at_the_chosen_time(form, book):
    """`book()` (a booking or a move to the form's time) and its result; None, with why on the form, if the time is gone."""
    try:
        return book()
    except (TimeTaken, TimeNotOpen) as refusal:
        form.add_error("starts_at", TIME_REFUSALS[type(refusal)])
        return None


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
            route("<int:booking_id>/move/", self.move_view, "move"),
            *(route(f"<int:booking_id>/{key}/", status_view, key, key=key) for key in STATUS_CHANGES),
        ] + super().get_urls()

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

    def change_status_view(self, request, booking_id, key):
        booking = self.booking_to_change(request, booking_id)
        change_status(self, request, [booking], key)
        return redirect(self.page_url("change", booking.pk))

    def decline_view(self, request, booking_id):
        booking = self.booking_to_change(request, booking_id)
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

    def move_view(self, request, booking_id):
        booking = self.booking_to_change(request, booking_id)
        if not booking.is_active:
            self.message_user(
                request, _("%(reference)s: only a requested or confirmed booking can be moved.") % {"reference": booking},
                messages.WARNING,
            )
            return redirect(self.page_url("change", booking.pk))
        form = MoveForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                moved = at_the_chosen_time(form, lambda: move_booking(booking, form.cleaned_data["starts_at"]))
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
        form.offer(open_times_by_day(for_staff=True))  # after any attempt, so the list is as it is now
        return self.render_page(
            request,
            "move.html",
            _("Move %(reference)s to another time") % {"reference": booking},
            booking=booking,
            description=describe(booking),
            adminform=helpers.AdminForm(form, [(None, {"fields": ["starts_at"]})], {}),
            has_open_times=bool(form.fields["starts_at"].choices),
            back_url=self.page_url("change", booking.pk),
        )

    def add_view(self, request, form_url="", extra_context=None):
        """A booking taken by phone or at the desk: the same open times, rules and emails as online."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PhoneBookingForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            booking = at_the_chosen_time(form, lambda: book_assessment(
                **form.booking_details(),
                source=Booking.Source.PHONE,
                consent_method=Booking.Consent.PHONE,
                consent_recorded_by=request.user,
            ))
            if booking:
                self.log_addition(request, booking, [{"added": {}}])
                self.message_user(
                    request,
                    _("Booked %(reference)s for %(when)s with %(practitioner)s. The patient is emailed; "
                      "confirm it below when the clinic is ready to.")
                    % {"reference": booking, "when": when_label(booking.starts_at),
                       "practitioner": booking.practitioner},
                    messages.SUCCESS,
                )
                return redirect(self.page_url("change", booking.pk))
        form.offer(open_times_by_day(for_staff=True))  # after any attempt, so the list is as it is now
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
        return self.render_page(
            request,
            "phone_booking.html",
            _("Enter a booking taken by phone or at the desk"),
            adminform=adminform,
            errors=helpers.AdminErrorList(form, []),
            back_url=self.page_url("changelist"),
        )

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
