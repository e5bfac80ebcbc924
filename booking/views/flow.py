"""The booking flow: choose a time, your details, what brings you, check and book.

The answers live in the session between steps (booking.draft.BookingDraft).
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from phonenumber_field.phonenumber import PhoneNumber

from clinic import throttle
from clinic.clock import CLINIC_TZ, clinic_today
from privacy.models import PrivacyNotice
from team.models import Practitioner

from .. import availability
from ..draft import BookingDraft, parse_time
from ..forms import ChooseTimeForm, ConsentForm, DetailsForm, ReasonForm
from ..models import Booking, BookingSettings
from ..review import confirm_by_label
from ..seed import patient_facing_name
from ..services import TimeNotOpen, TimeTaken, TooManyHeld, book_assessment
from .days import calendar_weeks, parse_day, parts_of_day, weekday_names
from .manage import booking_context


def booking_flow(view):
    """A page of the flow: never cached, GET or POST only, and what the patient typed kept out of error reports."""
    return never_cache(sensitive_post_parameters()(require_http_methods(["GET", "POST"])(view)))


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
    day = parse_day(day_value)
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
    weeks = []
    if day is None and days:
        # Only the list of days tells full days from closed ones: the times if nobody had booked.
        weeks = calendar_weeks(days, clinic_today(), would_be_open=availability.open_times_by_day(ignore_bookings=True))
    return render(
        request,
        "booking/choose_time.html",
        {
            "form": form,
            "day": day,
            "times_by_part": parts_of_day(days.get(day, [])),
            "weeks": weeks,
            "weekdays": weekday_names(weeks[0]["monday"]) if weeks else [],
            "first_open_time": next(iter(days.values()))[0] if days else None,
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


def _check_page(request, draft, form, too_many_held=False):
    privacy_notice = PrivacyNotice.current()
    if request.method == "GET":
        # The consent is to the notice this page links to, even if a newer one is published meanwhile.
        draft.show_privacy_notice(privacy_notice)
    rules = BookingSettings.load()
    return render(
        request,
        "booking/check.html",
        {
            "form": form,
            "draft": draft.answers,
            "chosen": draft.starts_at,
            "reason": draft.reason,
            "phone": PhoneNumber.from_string(draft.answers["phone"]).as_international,
            "privacy_notice": privacy_notice,
            "length": rules.assessment_minutes,
            "reviewing": rules.review_requests,
            # What the patient would be promised if they sent the request now.
            "confirm_by": confirm_by_label(timezone.now(), draft.starts_at, rules.review_within_hours)
            if rules.review_requests else "",
            "practitioner_name": _likely_practitioner_name(draft.starts_at),
            "too_many_held": too_many_held,
            "step": 4,
        },
        status=400 if request.method == "POST" else 200,
    )


def _likely_practitioner_name(starts_at):
    """Who the patient would see: the first practitioner free at `starts_at`, as booking would choose; or ""."""
    open_time = availability.is_open(starts_at)
    if open_time is None or not open_time.free_practitioner_ids:
        return ""
    practitioner = Practitioner.objects.filter(pk=open_time.free_practitioner_ids[0]).first()
    return patient_facing_name(practitioner) if practitioner else ""


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
        if BookingSettings.load().review_requests:
            form.add_error(None, _("Please check your answers, then select “Send request” again."))
        else:
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
            reason=draft.reason,
            note=draft.answers.get("note", ""),
            language=request.LANGUAGE_CODE,
            privacy_notice=privacy_notice,
            client_address=address,
        )
    except TooManyHeld as error:
        form.add_error(None, error.message)
        return _check_page(request, draft, form, too_many_held=True)
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
    booking = (
        Booking.objects.filter(pk=BookingDraft(request).last_booking_id)
        .select_related("condition", "practitioner").first()
    )
    if booking is None:
        return redirect("booking:start")
    return render(request, "booking/confirmation.html", booking_context(booking))


