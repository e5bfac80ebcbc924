"""The waitlist's pages: join it, see your place or leave it, and book a time that opened (race-safe, through book_assessment)."""

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from clinic import throttle
from clinic.clock import CLINIC_TZ, clinic_today
from clinic.sessions import recalled, remember_briefly
from privacy.models import PrivacyNotice

from .. import availability, waitlist
from ..draft import BookingDraft
from ..forms import ConsentForm, WaitlistForm
from ..models import BookingSettings, WaitlistEntry
from ..services import TimeNotOpen, TimeTaken, TooManyHeld, book_assessment
from .manage import _private

JOINED_KEY = "waitlist_joined"


def waitlist_page(view):
    """Never cached, GET or POST only, and what the patient typed kept out of error reports."""
    return never_cache(sensitive_post_parameters()(require_http_methods(["GET", "POST"])(view)))


def _days_open_to_joining():
    """The first and last day a patient can wait for: today to the end of the booking horizon."""
    today = clinic_today()
    return today, today + timedelta(days=BookingSettings.load().horizon_days)


def _day_from(value, first_day, last_day):
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if first_day <= day <= last_day else None


@waitlist_page
def join(request):
    first_day, last_day = _days_open_to_joining()
    address = throttle.client_address(request)
    if request.method == "POST":
        if throttle.is_limited("address", address):
            return render(request, "booking/too_many.html", status=429)
        form = WaitlistForm(request.POST, first_day=first_day, last_day=last_day)
        notice = _notice_shown(request.POST.get("notice"))
        if notice is None:
            form.add_error(None, _("Online booking is paused while the clinic updates its privacy notice. "
                                   "Please call or message us."))
        if form.is_valid():
            throttle.count("address", address)
            entry = waitlist.join(
                **{name: form.cleaned_data[name] for name in ("patient_name", "phone", "email", "first_day", "last_day")},
                reason=form.cleaned_data["reason"],
                language=request.LANGUAGE_CODE,
                privacy_notice=notice,
            )
            remember_briefly(request, JOINED_KEY, entry.pk)
            return redirect("booking:waitlist_joined")
        if form.is_spam:
            return render(request, "booking/refused.html", status=400)
    else:
        # What the patient already told the booking flow, and the day they were looking at.
        initial = BookingDraft(request).initial(("patient_name", "phone", "email"))
        day = _day_from(request.GET.get("day"), first_day, last_day)
        if day:
            initial.update(first_day=day, last_day=day)
        form = WaitlistForm(initial=initial, first_day=first_day, last_day=last_day)
    return render(
        request,
        "booking/waitlist_join.html",
        {"form": form, "privacy_notice": PrivacyNotice.current(), "last_day": last_day},
        status=400 if request.method == "POST" else 200,
    )


def _notice_shown(version):
    """The published notice the form showed (its version posted with it), else the current one."""
    shown = PrivacyNotice.objects.published().filter(version=version).first() if str(version).isdigit() else None
    return shown or PrivacyNotice.current()


@never_cache
def joined(request):
    entry = WaitlistEntry.objects.filter(pk=recalled(request, JOINED_KEY)).first()
    if entry is None:
        return redirect("booking:waitlist_join")
    return render(request, "booking/waitlist_joined.html", {"entry": entry, "days": waitlist.days_label(entry)})


def _entry_by_token(token):
    if len(token) > 64:
        raise Http404
    return get_object_or_404(WaitlistEntry.objects.select_related("booking", "privacy_notice"), token=token)


def _entry_context(entry, **extra):
    waiting = entry.is_waiting(clinic_today())
    return {
        "entry": entry,
        "days": waitlist.days_label(entry),
        "waiting": waiting,
        "times": [
            (open_time, waitlist.offer_path(entry, open_time.starts_at)) for open_time in waitlist.times_for(entry)
        ] if waiting else [],
        **extra,
    }


def entry_page(request, token):
    """The patient's place on the waitlist, behind its private link: the open times on their days, and leaving."""
    entry = _entry_by_token(token)
    return _private(render(request, "booking/waitlist_entry.html", _entry_context(entry)))


@waitlist_page
def leave(request, token):
    entry = _entry_by_token(token)
    if not entry.is_waiting(clinic_today()):
        return redirect(entry.get_private_url())
    if request.method == "POST":
        try:
            waitlist.leave(entry)
        except waitlist.AlreadyClosed:
            pass
        messages.success(request, _("You have left the waitlist. We will not email you about open times."))
        return redirect(entry.get_private_url())
    return _private(render(request, "booking/waitlist_leave.html", {"entry": entry, "days": waitlist.days_label(entry)}))


@waitlist_page
def offer(request, token, when):
    """A time that opened on the patient's days: "Book this time", first come, first served."""
    entry = _entry_by_token(token)
    starts_at = waitlist.time_from_url(when)
    if starts_at is None or not entry.covers(timezone.localtime(starts_at, CLINIC_TZ).date()):
        raise Http404
    starts_at = timezone.localtime(starts_at, CLINIC_TZ)
    if not entry.is_waiting(clinic_today()):
        if entry.booking_id and entry.booking_id == BookingDraft(request).last_booking_id:
            return redirect("booking:confirmation")  # "Book this time" sent twice: the first one booked
        return redirect(entry.get_private_url())
    current = PrivacyNotice.current()
    if current is None:
        return _private(render(request, "booking/waitlist_offer.html", _offer_context(entry, starts_at, None, None)))
    # Consent given to an older notice than the one shown now is asked for again.
    consent_form = None
    if current.pk != entry.privacy_notice_id:
        # The booking's consent form; its double-send token is not needed here, the entry's own state is one.
        posted = {**request.POST.dict(), "submission": "waitlist"} if request.method == "POST" else None
        consent_form = ConsentForm(posted, initial={"submission": "waitlist"})
    if request.method == "GET":
        if availability.is_open(starts_at) is None:
            return _taken(request, entry, starts_at, status=200)
        return _private(render(request, "booking/waitlist_offer.html", _offer_context(entry, starts_at, current, consent_form)))

    address = throttle.client_address(request)
    if throttle.is_limited("address", address) or throttle.is_limited("contact", str(entry.phone), entry.email):
        return render(request, "booking/too_many.html", status=429)
    if consent_form is not None and not consent_form.is_valid():
        return _private(render(request, "booking/waitlist_offer.html",
                               _offer_context(entry, starts_at, current, consent_form), status=400))
    throttle.count("address", address)
    try:
        booking = book_from_the_waitlist(entry, starts_at, privacy_notice=current, language=request.LANGUAGE_CODE,
                                client_address=address)
    except waitlist.AlreadyClosed:
        return redirect(entry.get_private_url())
    except (TimeTaken, TimeNotOpen):
        return _taken(request, entry, starts_at, status=409)
    except TooManyHeld as error:
        refusal = forms.Form({})
        refusal.is_valid()
        refusal.add_error(None, error.message)
        context = {**_offer_context(entry, starts_at, current, consent_form), "refusal": refusal}
        return _private(render(request, "booking/waitlist_offer.html", context, status=400))
    throttle.count("contact", str(entry.phone), entry.email)
    BookingDraft(request).booked(booking)
    return redirect("booking:confirmation")


def book_from_the_waitlist(entry, starts_at, privacy_notice, language, client_address=None, now=None):
    """Book `starts_at` for the entry, race-safe (book_assessment), and end the entry, in one transaction.

    Raises AlreadyClosed if the entry has ended, and TimeTaken, TimeNotOpen or
    TooManyHeld as book_assessment does; the entry then keeps waiting.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = WaitlistEntry.objects.select_for_update().filter(pk=entry.pk, closed_at__isnull=True).first()
        if locked is None or not locked.is_waiting(clinic_today(now)):
            raise waitlist.AlreadyClosed
        if privacy_notice.pk != locked.privacy_notice_id:
            locked.privacy_notice = privacy_notice
            locked.consent_given_at = now
            locked.save(update_fields=["privacy_notice", "consent_given_at"])
        booking = book_assessment(
            starts_at=starts_at,
            patient_name=locked.patient_name,
            phone=str(locked.phone),
            email=locked.email,
            reason=locked.reason,
            language=language,
            privacy_notice=privacy_notice,
            client_address=client_address,
            now=now,
        )
        waitlist.close(locked, WaitlistEntry.Closed.BOOKED, booking=booking, now=now)
    return booking


def _offer_context(entry, starts_at, privacy_notice, consent_form):
    return {
        "entry": entry,
        "starts_at": starts_at,
        "privacy_notice": privacy_notice,
        "form": consent_form,
        "minutes": BookingSettings.load().assessment_minutes,
    }


def _taken(request, entry, starts_at, status):
    nearest = [
        (open_time, waitlist.offer_path(entry, open_time.starts_at))
        for open_time in waitlist.nearest_times_for(entry, starts_at)
    ]
    context = {"entry": entry, "starts_at": starts_at, "nearest": nearest}
    return _private(render(request, "booking/waitlist_taken.html", context, status=status))
