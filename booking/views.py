"""The booking flow: choose a time, your details, what brings you, check and book.

Answers are kept in the session between steps, so the flow works without
JavaScript, a patient can go back and change anything, and nothing they typed
is lost when a step has an error or their time is taken.
"""

import secrets
import time
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, translate_url
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from phonenumber_field.phonenumber import PhoneNumber

from clinic import throttle
from clinic.clock import CLINIC_TZ, clinic_date, clinic_today
from clinic.models import Clinic
from clinic.sessions import recalled, remember_briefly
from privacy.models import PrivacyNotice

from . import availability
from .calendar import WHAT_TO_BRING, booking_ics
from .emails import whatsapp_url
from .forms import SOMETHING_ELSE, ChooseTimeForm, ConsentForm, DetailsForm, ReasonForm
from .models import Booking, BookingSettings
from .services import TimeNotOpen, TimeTaken, book_assessment, cancel_booking

DRAFT = "booking_draft"
LAST_BOOKING = "booking_last"
# A person needs longer than this to pick a time and fill in three steps.
MINIMUM_SECONDS_TO_BOOK = 8


def _draft(request):
    return request.session.get(DRAFT, {})


def _save_draft(request, draft):
    request.session[DRAFT] = draft


def _next_step(draft):
    if "starts_at" not in draft:
        return reverse("booking:start")
    if "email" not in draft:
        return reverse("booking:details")
    if "reason" not in draft:
        return reverse("booking:reason")
    return reverse("booking:check")


def _parse_time(value):
    """An aware datetime from what a browser sent, or None for anything else."""
    try:
        parsed = parse_datetime(str(value)[:40])
    except ValueError:
        return None
    return parsed if parsed and parsed.tzinfo else None


def _chosen_time(draft):
    starts_at = _parse_time(draft.get("starts_at", ""))
    return timezone.localtime(starts_at, CLINIC_TZ) if starts_at else None


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


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def choose_time(request):
    draft = _draft(request)
    days = availability.open_times_by_day()
    chosen = _chosen_time(draft)
    if request.method == "POST":
        # The nearest-times buttons send a time without its day.
        posted_time = _parse_time(request.POST.get("starts_at", ""))
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
        draft["starts_at"] = form.cleaned_data["starts_at"].starts_at.isoformat()
        draft.setdefault("started", time.time())
        _save_draft(request, draft)
        return redirect(_next_step(draft))

    taken = request.session.pop("booking_time_taken", None)
    nearest = []
    if taken:
        taken_at = _parse_time(taken)
        nearest = availability.nearest_open_times(taken_at) if taken_at else []
    return render(
        request,
        "booking/choose_time.html",
        {
            "form": form,
            "day": day,
            "times_by_part": _parts_of_day(days.get(day, [])),
            "weeks": _weeks(days, clinic_today()),
            "chosen": chosen,
            "taken": bool(taken),
            "nearest": nearest,
            "step": 1,
        },
        status=400 if request.method == "POST" else 200,
    )


LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
TYPED = "typed"  # what was typed on a step but not yet sent, kept across a change of language


def _switch_language(request, draft, fields):
    """Keep what the patient typed on this step, then show the same step in the other language."""
    language = request.POST["switch_language"]
    typed = draft.setdefault(TYPED, {})
    typed.update({name: request.POST.get(name, "")[:2000] for name in fields})
    _save_draft(request, draft)
    return redirect(translate_url(request.path, language))


def _step_view(request, form_class, fields, template, step):
    draft = _draft(request)
    if "starts_at" not in draft:
        return redirect("booking:start")
    if request.method == "POST" and request.POST.get("switch_language") in LANGUAGE_CODES:
        return _switch_language(request, draft, fields)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            if form.cleaned_data.get("website"):
                return render(request, "booking/refused.html", status=400)
            draft.update({name: form.cleaned_data[name] for name in fields})
            for name in fields:
                draft.get(TYPED, {}).pop(name, None)
            _save_draft(request, draft)
            return redirect(_next_step(draft))
    else:
        answers = {name: draft[name] for name in fields if name in draft}
        answers.update({name: value for name, value in draft.get(TYPED, {}).items() if name in fields})
        form = form_class(initial=answers)
    return render(
        request,
        template,
        {"form": form, "step": step, "chosen": _chosen_time(draft), "language_switch_form": "booking-step"},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def your_details(request):
    return _step_view(request, DetailsForm, ["patient_name", "phone", "email"], "booking/details.html", step=2)


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def reason(request):
    return _step_view(request, ReasonForm, ["reason", "note"], "booking/reason.html", step=3)


def _condition_for(draft):
    form = ReasonForm({"reason": draft.get("reason"), "note": draft.get("note", "")})
    return form.condition if form.is_valid() else None, form.is_valid()


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def check_answers(request):
    draft = _draft(request)
    if request.method == "POST" and request.POST.get("submission") and request.POST.get("submission") != draft.get("submission"):
        # A form sent twice (a double tap, or the back button): the first one counted.
        if recalled(request, LAST_BOOKING):
            return redirect("booking:confirmation")
        return redirect("booking:start")
    if _next_step(draft) != reverse("booking:check"):
        return redirect(_next_step(draft))
    condition, reason_ok = _condition_for(draft)
    if not reason_ok:
        draft.pop("reason", None)
        _save_draft(request, draft)
        messages.error(request, _("Choose what brings you to the clinic again: the list has changed."))
        return redirect("booking:reason")
    draft.setdefault("submission", secrets.token_urlsafe(16))
    privacy_notice = PrivacyNotice.current()
    if request.method == "GET":
        # The consent is to the notice this page links to, even if a newer one is published meanwhile.
        draft["privacy_notice"] = privacy_notice.pk if privacy_notice else None
    _save_draft(request, draft)

    form = ConsentForm(request.POST or None, initial={"submission": draft["submission"]})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            outcome = _book(request, draft, condition)
            if isinstance(outcome, HttpResponse):
                return outcome
            form.add_error(None, outcome)
    return render(
        request,
        "booking/check.html",
        {
            "form": form,
            "draft": draft,
            "chosen": _chosen_time(draft),
            "condition": condition,
            "something_else": draft.get("reason") == SOMETHING_ELSE,
            "phone": PhoneNumber.from_string(draft["phone"]).as_international,
            "privacy_notice": privacy_notice,
            "length": BookingSettings.load().assessment_minutes,
            "step": 4,
        },
        status=status,
    )


def _book(request, draft, condition):
    """Book from a complete draft: a redirect on success or when the time is gone, else a message."""
    address = throttle.client_address(request)
    contacts = (draft["phone"], draft["email"])
    if throttle.is_limited("address", address) or throttle.is_limited("contact", *contacts):
        return render(request, "booking/too_many.html", status=429)
    privacy_notice = PrivacyNotice.objects.filter(pk=draft.get("privacy_notice")).first()
    if privacy_notice is None:
        return _("Online booking is paused while the clinic updates its privacy notice. Please call or message us.")
    if time.time() - draft.get("started", 0) < MINIMUM_SECONDS_TO_BOOK:
        return _("Please check your answers, then select “Book assessment” again.")
    throttle.count("address", address)
    starts_at = _chosen_time(draft)
    try:
        booking = book_assessment(
            starts_at=starts_at,
            patient_name=draft["patient_name"],
            phone=draft["phone"],
            email=draft["email"],
            condition=condition,
            note=draft.get("note", ""),
            language=request.LANGUAGE_CODE,
            privacy_notice=privacy_notice,
        )
    except (TimeTaken, TimeNotOpen) as error:
        draft.pop("starts_at")
        draft.pop("submission", None)
        _save_draft(request, draft)
        request.session["booking_time_taken"] = starts_at.isoformat()
        if isinstance(error, TimeTaken):
            messages.error(request, _("That time was just taken. Choose another time: your details are kept."))
        else:
            messages.error(request, _("That time can no longer be booked online. Choose another time: your details are kept."))
        return redirect(reverse("booking:start") + f"?day={starts_at.date().isoformat()}")
    throttle.count("contact", *contacts)
    request.session.pop(DRAFT, None)
    remember_briefly(request, LAST_BOOKING, booking.pk)
    return redirect("booking:confirmation")


@never_cache
def confirmation(request):
    booking = Booking.objects.filter(pk=recalled(request, LAST_BOOKING)).select_related("condition").first()
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
        cancel_booking(booking)
        messages.success(request, _("Your assessment is cancelled. We have emailed you to confirm."))
        return redirect(booking.get_manage_url())
    return _private(render(request, "booking/cancel.html", context))


def calendar_file(request, token):
    booking = _booking_by_token(token)
    response = HttpResponse(booking_ics(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="assessment-{booking.reference}.ics"'
    return _private(response)
