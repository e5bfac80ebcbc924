"""The actions on the bookings list, and the status changes they share with the buttons on a booking's page.

Each action gets the BookingAdmin as `modeladmin`, as Django's actions do, for its messages, log and pages.
"""

from dataclasses import dataclass
from typing import Callable

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .. import services
from ..models import Booking, InvalidTransition
from .forms import CancelForm, DeclineForm


@dataclass(frozen=True)
class StatusChange:
    """A change staff make with one click, on the booking's page or to the selected bookings."""

    status: str
    apply: Callable
    label: str
    done: str


STATUS_CHANGES = {
    "confirm": StatusChange(
        Booking.Status.CONFIRMED,
        services.confirm_booking,
        _("Confirm"),
        ngettext_lazy(
            "Confirmed %(count)s booking; the patient is emailed.",
            "Confirmed %(count)s bookings; the patients are emailed.",
            "count",
        ),
    ),
    # Not one click: the button and the action open the page that asks who cancels and why (cancel_each).
    "cancel": StatusChange(
        Booking.Status.CANCELLED,
        services.cancel_booking,
        _("Cancel booking…"),
        ngettext_lazy(
            "Cancelled %(count)s booking; the patient is emailed.",
            "Cancelled %(count)s bookings; the patients are emailed.",
            "count",
        ),
    ),
    "attended": StatusChange(
        Booking.Status.ATTENDED,
        services.mark_attended,
        _("Mark attended"),
        ngettext_lazy("Marked %(count)s booking attended.", "Marked %(count)s bookings attended.", "count"),
    ),
    "no_show": StatusChange(
        Booking.Status.NO_SHOW,
        services.mark_no_show,
        _("Mark did not attend"),
        ngettext_lazy(
            "Marked %(count)s booking as did not attend.", "Marked %(count)s bookings as did not attend.", "count"
        ),
    ),
}
CANCELLED_WITHOUT_EMAIL = ngettext_lazy(
    "Cancelled %(count)s booking of a patient without email: tell them by phone or WhatsApp.",
    "Cancelled %(count)s bookings of patients without email: tell them by phone or WhatsApp.",
    "count",
)
CLOSED = ngettext_lazy(
    "Closed %(count)s request whose time had passed, without emailing the patient.",
    "Closed %(count)s requests whose time had passed, without emailing the patients.",
    "count",
)
DECLINED = ngettext_lazy(
    "Declined %(count)s request; the patient is emailed.", "Declined %(count)s requests; the patients are emailed.", "count"
)


def change_each(modeladmin, request, bookings, apply, done_message, log_message):
    """`apply(booking)` to each booking; a refused one gets a warning of its own, never an error page."""
    changed = 0
    for booking in bookings:
        try:
            apply(booking)
        except InvalidTransition as refusal:
            modeladmin.message_user(request, f"{booking.reference}: {refusal}", messages.WARNING)
        else:
            changed += 1
            modeladmin.log_change(request, booking, str(log_message))
    if changed:
        modeladmin.message_user(request, done_message % {"count": changed}, messages.SUCCESS)


def change_status(modeladmin, request, bookings, key):
    """Make the STATUS_CHANGES[key] change to each booking."""
    change = STATUS_CHANGES[key]
    change_each(modeladmin, request, bookings, change.apply, change.done, change.label)


def decline_each(modeladmin, request, bookings, reason):
    """Decline each request, telling every patient the same reason."""
    change_each(modeladmin, request, bookings, lambda booking: services.decline_booking(booking, reason), DECLINED, _("Declined"))


def cancel_each(modeladmin, request, bookings, cancelled_by, reason):
    """Cancel each booking with the same record of who and why; a request whose time has passed is closed unemailed."""
    done = {"emailed": 0, "no_email": 0, "closed": 0}
    for booking in bookings:
        closing = services.closes_without_email(booking)
        try:
            cancelled = services.cancel_booking(
                booking, cancelled_by=Booking.CancelledBy.CLINIC if closing else cancelled_by, reason=reason
            )
        except InvalidTransition as refusal:
            modeladmin.message_user(request, f"{booking.reference}: {refusal}", messages.WARNING)
            continue
        modeladmin.log_change(request, cancelled, str(_("Closed without emailing") if closing else _("Cancelled")))
        done["closed" if closing else "emailed" if cancelled.email else "no_email"] += 1
    for key, message in (("emailed", STATUS_CHANGES["cancel"].done), ("no_email", CANCELLED_WITHOUT_EMAIL),
                         ("closed", CLOSED)):
        if done[key]:
            modeladmin.message_user(request, message % {"count": done[key]}, messages.SUCCESS)


@admin.action(description=_("Confirm selected requests"), permissions=["change"])
def confirm(modeladmin, request, queryset):
    change_status(modeladmin, request, queryset, "confirm")


@admin.action(description=_("Decline selected requests…"), permissions=["change"])
def decline(modeladmin, request, queryset):
    """Ask for the reason on a page of its own, then decline them all with it."""
    bookings = list(queryset)
    if "apply" in request.POST:
        form = DeclineForm(request.POST)
        if form.is_valid():
            decline_each(modeladmin, request, bookings, form.cleaned_data["reason"])
            return None
    else:
        form = DeclineForm()
    return modeladmin.decline_page(request, bookings, form, bulk=True)


@admin.action(description=_("Cancel selected bookings…"), permissions=["change"])
def cancel(modeladmin, request, queryset):
    """Ask who cancels and why on a page of its own, then cancel them all with it."""
    bookings = list(queryset)
    closing = all(services.closes_without_email(booking) for booking in bookings)
    if "apply" in request.POST:
        form = CancelForm(request.POST, closing=closing)
        if form.is_valid():
            cancelled_by = form.cleaned_data.get("cancelled_by", Booking.CancelledBy.CLINIC)
            cancel_each(modeladmin, request, bookings, cancelled_by, form.cleaned_data["reason"])
            return None
    else:
        form = CancelForm(closing=closing)
    return modeladmin.cancel_page(request, bookings, form, bulk=True)


@admin.action(description=_("Move the selected booking to another time…"), permissions=["change"])
def move(modeladmin, request, queryset):
    bookings = list(queryset[:2])
    if len(bookings) != 1:
        modeladmin.message_user(request, _("Select one booking to move at a time."), messages.WARNING)
        return None
    return redirect(modeladmin.page_url("move", bookings[0].pk))


@admin.action(description=_("Mark selected bookings attended"), permissions=["change"])
def mark_attended(modeladmin, request, queryset):
    change_status(modeladmin, request, queryset, "attended")


@admin.action(description=_("Mark selected bookings as did not attend"), permissions=["change"])
def mark_no_show(modeladmin, request, queryset):
    change_status(modeladmin, request, queryset, "no_show")


@admin.action(description=_("Export selected bookings as CSV"), permissions=["view"])
def export_csv(modeladmin, request, queryset):
    return modeladmin.csv_response(queryset)
