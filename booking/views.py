"""The booking flow: choose a time, your details, what brings you, check and book.

The answers live in the session between steps (booking.draft.BookingDraft).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, translate_url
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from phonenumber_field.phonenumber import PhoneNumber

from clinic import throttle
from clinic.clock import CLINIC_TZ, clinic_date, clinic_today
from clinic.models import Clinic
from privacy.models import PrivacyNotice

from . import availability
from .calendar import WHAT_TO_BRING, booking_ics
from .draft import BookingDraft, parse_time
from .emails import whatsapp_url
from .forms import ChooseTimeForm, ConsentForm, DetailsForm, ReasonForm
from .models import Booking, BookingSettings
from .services import TimeNotOpen, TimeTaken, book_assessment, cancel_booking


def booking_flow(view):
    """A page of the flow: never cached, GET or POST only, and what the patient typed kept out of error reports."""
    return never_cache(sensitive_post_parameters()(require_http_methods(["GET", "POST"])(view)))


def _parse_day(value):
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def _weeks(days, today):
    """Days grouped by week, each week labelled the way people say it."""
    weeks = []
    this_monday = today - timedelta(days=today.weekday())
    for day, times in days.items():
        monday = day - timedelta(days=day.weekday())
        if not weeks or weeks[-1]["monday"] != monday:
            if monday == this_monday:
                label = _("This week")
            elif monday == this_monday + timedelta(days=7):
                label = _("Next week")
            else:
                label = _("Week of %(date)s") % {"date": _day_month(monday)}
            weeks.append({"monday": monday, "label": label, "days": []})
        weeks[-1]["days"].append({"day": day, "count": len(times)})
    return weeks


def _day_month(day):
    return clinic_date(day, "day_month")


def _parts_of_day(times):
    """Times split into morning, afternoon and evening, each numbered for its radio's id."""
    parts = {"morning": [], "afternoon": [], "evening": []}
    for index, open_time in enumerate(times):
        hour = open_time.starts_at.hour
        parts["morning" if hour < 12 else "afternoon" if hour < 17 else "evening"].append((index, open_time))
    labels = {"morning": _("Morning"), "afternoon": _("Afternoon"), "evening": _("Evening")}
    return [(labels[name], times) for name, times in parts.items() if times]


@booking_flow
def choose_time(request):
    draft = BookingDraft(request)
    days = availability.open_times_by_day()
    chosen = draft.starts_at
    if request.method == "POST":
        # The nearest-times buttons send a time without its day.
        posted_time = parse_time(request.POST.get("starts_at", ""))
        day_value = request.POST.get("day") or (
            timezone.localtime(posted_time, CLINIC_TZ).date().isoformat() if posted_time else ""
        )
    else:
        day_value = request.GET.get("day")
    day = _parse_day(day_value)
    if day_value and day not in days:
        messages.error(request, _("There are no open times on that day. Choose another day."))
        day = None
    if day is None and request.method == "GET" and chosen and chosen.date() in days and "day" not in request.GET:
        day = chosen.date()

    form = ChooseTimeForm(
        request.POST if request.method == "POST" else None,
        open_times=days.get(day, []),
        initial={"starts_at": chosen.isoformat() if chosen else None},
    )
    if request.method == "POST" and day and form.is_valid():
        draft.choose_time(form.cleaned_data["starts_at"].starts_at)
        return redirect(draft.next_step)

    taken_at = draft.pop_time_taken()
    return render(
        request,
        "booking/choose_time.html",
        {
            "form": form,
            "day": day,
            "times_by_part": _parts_of_day(days.get(day, [])),
            "weeks": _weeks(days, clinic_today()),
            "chosen": chosen,
            "taken": taken_at is not None,
            "nearest": availability.nearest_open_times(taken_at) if taken_at else [],
            "step": 1,
        },
        status=400 if request.method == "POST" else 200,
    )


@dataclass(frozen=True)
class FormStep:
    """A step of the flow that is one form: what it asks, where it is shown, and its number."""

    form_class: type
    fields: tuple
    template: str
    number: int


FORM_STEPS = {
    "details": FormStep(DetailsForm, ("patient_name", "phone", "email"), "booking/details.html", 2),
    "reason": FormStep(ReasonForm, ("reason", "note"), "booking/reason.html", 3),
}
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


@booking_flow
def form_step(request, step):
    """Your details, or what brings you: the answers are kept, then on to the next step not yet answered."""
    step = FORM_STEPS[step]
    draft = BookingDraft(request)
    if not draft.has_time:
        return redirect("booking:start")
    if request.method == "POST" and request.POST.get("switch_language") in LANGUAGE_CODES:
        # Keep what the patient typed on this step, then show the same step in the other language.
        draft.keep_typed({name: request.POST.get(name, "")[:2000] for name in step.fields})
        return redirect(translate_url(request.path, request.POST["switch_language"]))
    if request.method == "POST":
        form = step.form_class(request.POST)
        if form.is_valid():
            draft.answer({name: form.cleaned_data[name] for name in step.fields})
            return redirect(draft.next_step)
        if getattr(form, "is_spam", False):  # only the details form has the spam trap
            return render(request, "booking/refused.html", status=400)
    else:
        form = step.form_class(initial=draft.initial(step.fields))
    return render(
        request,
        step.template,
        {"form": form, "step": step.number, "chosen": draft.starts_at, "language_switch_form": "booking-step"},
        status=400 if request.method == "POST" else 200,
    )


@booking_flow
def check_answers(request):
    draft = BookingDraft(request)
    if request.method == "POST" and draft.is_sent_again(request.POST.get("submission")):
        return redirect("booking:confirmation" if draft.last_booking_id else "booking:start")
    if not draft.is_complete:
        return redirect(draft.next_step)
    if not draft.reason_is_offered:
        draft.forget("reason")
        messages.error(request, _("Choose what brings you to the clinic again: the list has changed."))
        return redirect("booking:reason")
    form = ConsentForm(request.POST or None, initial={"submission": draft.submission()})
    if request.method == "POST" and form.is_valid():
        return _book(request, draft, form)
    return _check_page(request, draft, form)


def _check_page(request, draft, form):
    privacy_notice = PrivacyNotice.current()
    if request.method == "GET":
        # The consent is to the notice this page links to, even if a newer one is published meanwhile.
        draft.show_privacy_notice(privacy_notice)
    return render(
        request,
        "booking/check.html",
        {
            "form": form,
            "draft": draft.answers,
            "chosen": draft.starts_at,
            "condition": draft.condition,
            "something_else": draft.something_else,
            "phone": PhoneNumber.from_string(draft.answers["phone"]).as_international,
            "privacy_notice": privacy_notice,
            "length": BookingSettings.load().assessment_minutes,
            "step": 4,
        },
        status=400 if request.method == "POST" else 200,
    )


def _book(request, draft, form):
    """Book from a complete draft, answering with the page that follows: confirmation, another time, or why not."""
    address = throttle.client_address(request)
    contacts = (draft.answers["phone"], draft.answers["email"])
    if throttle.is_limited("address", address) or throttle.is_limited("contact", *contacts):
        return render(request, "booking/too_many.html", status=429)
    privacy_notice = draft.privacy_notice
    if privacy_notice is None:
        form.add_error(
            None, _("Online booking is paused while the clinic updates its privacy notice. Please call or message us.")
        )
        return _check_page(request, draft, form)
    if draft.was_sent_too_soon():
        form.add_error(None, _("Please check your answers, then select “Book assessment” again."))
        return _check_page(request, draft, form)
    throttle.count("address", address)
    starts_at = draft.starts_at
    try:
        booking = book_assessment(
            starts_at=starts_at,
            patient_name=draft.answers["patient_name"],
            phone=draft.answers["phone"],
            email=draft.answers["email"],
            condition=draft.condition,
            note=draft.answers.get("note", ""),
            language=request.LANGUAGE_CODE,
            privacy_notice=privacy_notice,
        )
    except (TimeTaken, TimeNotOpen) as error:
        draft.time_was_taken()
        if isinstance(error, TimeTaken):
            messages.error(request, _("That time was just taken. Choose another time: your details are kept."))
        else:
            messages.error(request, _("That time can no longer be booked online. Choose another time: your details are kept."))
        return redirect(reverse("booking:start") + f"?day={starts_at.date().isoformat()}")
    throttle.count("contact", *contacts)
    draft.booked(booking)
    return redirect("booking:confirmation")


@never_cache
def confirmation(request):
    booking = Booking.objects.filter(pk=BookingDraft(request).last_booking_id).select_related("condition").first()
    if booking is None:
        return redirect("booking:start")
    return render(request, "booking/confirmation.html", _booking_context(booking))


def _booking_context(booking):
    clinic = Clinic.load()
    return {
        "booking": booking,
        "clinic": clinic,
        "starts_at": timezone.localtime(booking.starts_at, CLINIC_TZ),
        "rules": BookingSettings.load(),
        "can_cancel": booking.can_be_cancelled_online(),
        "whatsapp_link": whatsapp_url(booking, clinic),
        "what_to_bring": WHAT_TO_BRING,
    }


def _private(response):
    """Pages behind a private link: never cached, never indexed."""
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _booking_by_token(token):
    if len(token) > 64:
        raise Http404
    return get_object_or_404(Booking.objects.select_related("condition"), token=token)


def manage(request, token):
    booking = _booking_by_token(token)
    return _private(render(request, "booking/manage.html", _booking_context(booking)))


@require_http_methods(["GET", "POST"])
def cancel(request, token):
    booking = _booking_by_token(token)
    context = _booking_context(booking)
    if not context["can_cancel"]:
        return _private(render(request, "booking/manage.html", context, status=409 if request.method == "POST" else 200))
    if request.method == "POST":
        cancel_booking(booking, cancelled_by=Booking.CancelledBy.PATIENT)
        messages.success(request, _("Your assessment is cancelled. We have emailed you to confirm."))
        return redirect(booking.get_manage_url())
    return _private(render(request, "booking/cancel.html", context))


def calendar_file(request, token):
    booking = _booking_by_token(token)
    response = HttpResponse(booking_ics(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="assessment-{booking.reference}.ics"'
    return _private(response)
