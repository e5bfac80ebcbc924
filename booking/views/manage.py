"""The patient's own booking, behind its private link: see it, move it, cancel it, add it to a calendar, answer its reminder."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinic.clock import CLINIC_TZ, clinic_date
from clinic.models import Clinic

from .. import availability
from ..calendar import WHAT_TO_BRING, booking_ics, calendar_filename, is_withdrawn
from ..draft import parse_time
from ..emails import whatsapp_url
from ..forms import ChooseTimeForm
from ..models import Booking, BookingSettings, InvalidTransition
from ..review import answer_by_label
from ..seed import patient_facing_name
from ..services import (
    TimeNotOpen,
    TimeTaken,
    TooLateToChange,
    cancel_booking,
    move_booking,
    record_patient_coming,
)
from .days import days_by_week, parse_day, parts_of_day


def booking_context(booking):
    clinic = Clinic.load()
    rules = BookingSettings.load()
    return {
        "booking": booking,
        "clinic": clinic,
        "starts_at": timezone.localtime(booking.starts_at, CLINIC_TZ),
        "rules": rules,
        "can_cancel": booking.can_be_cancelled_online(rules=rules),
        "whatsapp_link": whatsapp_url(booking, clinic),
        "what_to_bring": WHAT_TO_BRING,
        "practitioner_name": patient_facing_name(booking.practitioner),
        # The firm time a request is answered by; a booking that is not a request has none.
        "confirm_by": answer_by_label(booking)
        if booking.status == Booking.Status.REQUESTED and booking.starts_at > timezone.now() else "",
        "show_price": not is_withdrawn(booking),
    }


def _private(response):
    """Pages behind a private link: never cached, never indexed."""
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _booking_by_token(token):
    if len(token) > 64:
        raise Http404
    return get_object_or_404(Booking.objects.select_related("condition", "practitioner"), token=token)


def manage(request, token):
    booking = _booking_by_token(token)
    return _private(render(request, "booking/manage.html", booking_context(booking)))


@require_http_methods(["GET", "POST"])
def cancel(request, token):
    booking = _booking_by_token(token)
    context = booking_context(booking)
    if not context["can_cancel"]:
        return _private(render(request, "booking/manage.html", context, status=409 if request.method == "POST" else 200))
    if request.method == "POST":
        try:
            cancel_booking(booking, cancelled_by=Booking.CancelledBy.PATIENT, online=True)
        except InvalidTransition:
            return redirect(booking.get_manage_url())  # cancelled a moment ago, from another tab or a double tap
        messages.success(request, _("Your assessment is cancelled. We have emailed you to confirm."))
        return redirect(booking.get_manage_url())
    return _private(render(request, "booking/cancel.html", context))


def calendar_file(request, token):
    booking = _booking_by_token(token)
    response = HttpResponse(booking_ics(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{calendar_filename(booking)}"'
    return _private(response)


# Moving a booking to another time, and answering the reminder: both behind the private link.


def _times_to_move_to(booking):
    """The open times a patient can book online, by clinic day, without the time they already hold."""
    days = {}
    for day, times in availability.open_times_by_day().items():
        others = [open_time for open_time in times if open_time.starts_at != booking.starts_at]
        if others:
            days[day] = others
    return days


def _too_late_to_move(request, context):
    """The manage page, which says to call or message: the booking can no longer be changed online."""
    return _private(render(request, "booking/manage.html", context, status=409 if request.method == "POST" else 200))


def _check_url(booking, starts_at):
    return reverse("booking:move_check", kwargs={"token": booking.token}) + "?" + urlencode(
        {"starts_at": starts_at.isoformat()}
    )


def _move_url(booking, day=None):
    url = reverse("booking:move", kwargs={"token": booking.token})
    return f"{url}?day={day.isoformat()}" if day else url


@require_http_methods(["GET", "POST"])
def move(request, token):
    """Choose a day, then a time, to move the assessment to; then on to the check page."""
    booking = _booking_by_token(token)
    context = booking_context(booking)
    if not context["can_cancel"]:
        return _too_late_to_move(request, context)
    days = _times_to_move_to(booking)
    day_value = request.POST.get("day") if request.method == "POST" else request.GET.get("day")
    day = parse_day(day_value)
    if day_value and day not in days:
        messages.error(request, _("There are no open times on that day. Choose another day."))
        day = None
    form = ChooseTimeForm(request.POST if request.method == "POST" else None, open_times=days.get(day, []))
    if request.method == "POST" and day and form.is_valid():
        return redirect(_check_url(booking, form.cleaned_data["starts_at"].starts_at))
    return _private(render(request, "booking/move_time.html", {
        **context,
        "form": form,
        "day": day,
        "times_by_part": parts_of_day(days.get(day, [])),
        "weeks": days_by_week(days),
    }, status=400 if request.method == "POST" else 200))


@require_http_methods(["GET", "POST"])
def move_check(request, token):
    """"Move your assessment from … to …?", and the move itself, by POST."""
    booking = _booking_by_token(token)
    context = booking_context(booking)
    if not context["can_cancel"]:
        return _too_late_to_move(request, context)
    source = request.POST if request.method == "POST" else request.GET
    starts_at = parse_time(source.get("starts_at", ""))
    old_time = context["starts_at"]
    if starts_at is None or starts_at == booking.starts_at:
        messages.error(request, _("Choose the new time for your assessment."))
        return redirect(_move_url(booking))
    new_time = timezone.localtime(starts_at, CLINIC_TZ)
    if request.method == "POST":
        try:
            moved = move_booking(booking, starts_at, by_patient=True)
        except TooLateToChange:
            return _too_late_to_move(request, booking_context(Booking.objects.get(pk=booking.pk)))
        except InvalidTransition:
            return redirect(booking.get_manage_url())
        except (TimeTaken, TimeNotOpen) as error:
            still = {"old": clinic_date(old_time, "day_time")}
            if isinstance(error, TimeTaken):
                message = _("That time was just taken. Your assessment is still on %(old)s. Choose another time.")
            else:
                message = _("That time can no longer be booked online. Your assessment is still on %(old)s. Choose another time.")
            messages.error(request, message % still)
            return redirect(_move_url(booking, new_time.date()))
        messages.success(request, _("Your assessment is moved to %(new)s (Tijuana time). We have emailed you the new time.") % {
            "new": clinic_date(timezone.localtime(moved.starts_at, CLINIC_TZ), "day_time")
        })
        return redirect(moved.get_manage_url())
    if availability.is_open(starts_at) is None:
        messages.error(request, _("That time is no longer open. Choose another time."))
        return redirect(_move_url(booking, new_time.date()))
    return _private(render(request, "booking/move_check.html", {**context, "new_time": new_time}))


@require_http_methods(["GET", "POST"])
def reply(request, token):
    """The reminder's answers: "I'll be there", recorded by POST, or "I need to change", a link to the move page."""
    booking = _booking_by_token(token)
    context = booking_context(booking)
    can_reply = booking.status == Booking.Status.CONFIRMED and booking.starts_at > timezone.now()
    if request.method == "POST":
        if not can_reply:
            return _private(render(request, "booking/manage.html", context, status=409))
        try:
            record_patient_coming(booking)
        except InvalidTransition:  # cancelled or moved on between the page and the button
            return redirect(booking.get_manage_url())
        messages.success(request, _("Thank you. We look forward to seeing you on %(when)s (Tijuana time).") % {
            "when": clinic_date(context["starts_at"], "day_time")
        })
        return redirect(booking.get_manage_url())
    if not can_reply:
        return redirect(booking.get_manage_url())
    return _private(render(request, "booking/reply.html", context))
