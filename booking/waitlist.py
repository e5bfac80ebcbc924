"""The waitlist: patients for whom no time suits wait for one on the days they want.

When a change frees times (a cancellation, a decline, a move, a closure
lifted or shortened), the times it opened are worked out once it has
committed, and every entry waiting for one of those days is sent one email,
in the order the entries joined. The email links to a page that books the
time through book_assessment, so the race for it is the booking's own race:
the first to press "Book this time" gets it, the others see the nearest
open times and stay on the waitlist. Each entry hears of each opened time
once at most: the database's unique constraint says so.
"""

import functools
import logging
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from clinic.clock import CLINIC_TZ, clinic_date, clinic_date_of, clinic_today, price_mxn
from clinic.mail import absolute_url
from clinic.models import Clinic

from . import availability
from .calendar import when_label
from .emails import first_name
from .models import BookingSettings, WaitlistEmail, WaitlistEntry

logger = logging.getLogger(__name__)

# One phone or email can wait for this many ranges of days at once.
MAX_WAITING_PER_CONTACT = 3
# An entry that has ended (booked, left, or its last day gone) is deleted this long after.
KEEP_ENDED_FOR = timedelta(days=30)


class AlreadyClosed(Exception):
    """The entry has ended: booked, left, or its last day has gone by."""


# Joining and leaving.


def waiting_count(phone, email, today=None):
    return WaitlistEntry.objects.waiting(today or clinic_today()).for_contact(phone, email).count()


def join(*, patient_name, phone, email, first_day, last_day, privacy_notice, reason="", language="en", now=None):
    """Put the patient on the waitlist and queue the email with their private link, in one transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        entry = WaitlistEntry.objects.create(
            patient_name=patient_name,
            phone=phone,
            email=email,
            first_day=first_day,
            last_day=last_day,
            reason=reason,
            language=language,
            consent_given_at=now,
            privacy_notice=privacy_notice,
        )
        WaitlistEmail.objects.create(entry=entry, kind=WaitlistEmail.Kind.JOINED).enqueue()
    return entry


def close(entry, why, booking=None, now=None):
    """End a waiting entry; raises AlreadyClosed if it had ended already (two taps, two tabs)."""
    ended = WaitlistEntry.objects.filter(pk=entry.pk, closed_at__isnull=True).update(
        closed_at=now or timezone.now(), closed_why=why, booking=booking
    )
    if not ended:
        raise AlreadyClosed
    entry.refresh_from_db()
    # Emails still queued for it would offer a time to someone no longer waiting.
    WaitlistEmail.objects.filter(entry=entry, kind=WaitlistEmail.Kind.TIME_OPENED).pending().filter(
        sending_since__isnull=True
    ).update(overtaken_at=now or timezone.now())
    return entry


def leave(entry, now=None):
    return close(entry, WaitlistEntry.Closed.LEFT, now=now)


def close_expired(now=None):
    """Mark the entries whose last day has gone by as expired. Returns how many."""
    now = now or timezone.now()
    return WaitlistEntry.objects.filter(closed_at__isnull=True, last_day__lt=clinic_today(now)).update(
        closed_at=now, closed_why=WaitlistEntry.Closed.EXPIRED
    )


def delete_ended(cutoff, now=None):
    """Delete entries that ended before `cutoff` (and their emails). Returns how many entries."""
    now = now or timezone.now()
    close_expired(now)
    ended = Q(closed_at__lt=cutoff) | Q(last_day__lt=clinic_date_of(cutoff))
    _deleted, by_model = WaitlistEntry.objects.filter(ended).delete()
    return by_model.get(WaitlistEntry._meta.label, 0)


# The times an entry can book.


def times_for(entry, now=None):
    """The open times on the entry's days that patients can book online now."""
    return availability.open_times(first_day=entry.first_day, last_day=entry.last_day, now=now)


def nearest_times_for(entry, starts_at, count=4, now=None):
    """The open times on the entry's days closest to `starts_at`: for a patient whose time went first."""
    return sorted(times_for(entry, now), key=lambda open_time: abs(open_time.starts_at - starts_at))[:count]


TIME_IN_URL = re.compile(r"^(\d{8})T(\d{4})$")


def time_in_url(starts_at):
    """E.g. "20270302T1000": the clinic's wall clock, as the patient reads it."""
    return f"{timezone.localtime(starts_at, CLINIC_TZ):%Y%m%dT%H%M}"


def time_from_url(value):
    """The aware time `time_in_url` wrote, or None for anything else (or a time the clock skips or repeats)."""
    match = TIME_IN_URL.match(value or "")
    if not match:
        return None
    try:
        naive = datetime.strptime(value, "%Y%m%dT%H%M")
    except ValueError:
        return None
    return availability.wall_clock_time(naive.date(), naive.time())


def offer_path(entry, starts_at):
    return reverse("booking:waitlist_offer", kwargs={"token": entry.token, "when": time_in_url(starts_at)})


# Telling the people waiting.


def open_starts(first_day, last_day, now=None):
    return {open_time.starts_at for open_time in availability.open_times(first_day=first_day, last_day=last_day, now=now)}


class OpeningsWatch:
    """The open times on some days before a change; after it commits, the waitlist hears of the new ones."""

    def __init__(self, first_day, last_day):
        self.first_day, self.last_day = first_day, last_day
        # Nobody waiting for those days (the usual case): one query, and nothing to work out.
        self.someone_waits = WaitlistEntry.objects.waiting(clinic_today()).for_days(first_day, last_day).exists()
        self.before = open_starts(first_day, last_day) if self.someone_waits else set()

    def changed(self):
        """Call once the change is written: the waitlist is told after the transaction commits, never if it rolls back."""
        if self.someone_waits:
            transaction.on_commit(functools.partial(tell_waitlist, self.first_day, self.last_day, self.before), robust=True)


def frees_its_time(change):
    """For services that can free a booking's time (cancel, decline, move): the waitlist hears of what opens."""

    @functools.wraps(change)
    def changing(booking, *args, **kwargs):
        day = clinic_date_of(booking.starts_at)
        watch = OpeningsWatch(day, day)
        result = change(booking, *args, **kwargs)
        watch.changed()
        return result

    return changing


def tell_waitlist(first_day, last_day, before=(), now=None):
    """Queue one email to each entry waiting for a time on these days that is open now and was not in `before`.

    Entries are told in the order they joined, each of the earliest new time
    on its days without a notice of it on its way. Returns how many emails were queued.
    """
    now = now or timezone.now()
    opened = [
        open_time for open_time in availability.open_times(first_day=first_day, last_day=last_day, now=now)
        if open_time.starts_at not in before
    ]
    if not opened:
        return 0
    queued = 0
    waiting = WaitlistEntry.objects.waiting(clinic_today(now)).for_days(first_day, last_day).order_by("created_at", "pk")
    for entry in waiting:
        for open_time in opened:
            if not entry.covers(open_time.local_date):
                continue
            try:
                with transaction.atomic():
                    email = WaitlistEmail.objects.create(
                        entry=entry, kind=WaitlistEmail.Kind.TIME_OPENED, starts_at=open_time.starts_at
                    )
                    email.enqueue()
            except IntegrityError:
                continue  # a notice of this time is already on its way: try the next one
            queued += 1
            break
    return queued


def is_out_of_date(email, now=None):
    """The entry has ended, or the time offered can no longer be booked online: the email would mislead."""
    now = now or timezone.now()
    entry = email.entry
    if not entry.is_waiting(clinic_today(now)):
        return True
    if email.kind == WaitlistEmail.Kind.TIME_OPENED:
        return availability.is_open(email.starts_at, now=now) is None
    return False


# The emails.


def build_message(email):
    """The email in the language the patient joined in."""
    entry = email.entry
    clinic = Clinic.load()
    with translation.override(entry.language):
        context = {
            "entry": entry,
            "first_name": first_name(entry.patient_name),
            "clinic": clinic,
            "days": days_label(entry),
            "entry_url": absolute_url(entry.get_private_url()),
            "price": price_mxn(clinic.assessment_price),
            "minutes": BookingSettings.load().assessment_minutes,
            "whatsapp_url": clinic.whatsapp_link,
        }
        if email.starts_at:
            context.update({"when": when_label(email.starts_at), "offer_url": absolute_url(offer_path(entry, email.starts_at))})
        name = f"booking/emails/waitlist_{email.kind}"
        subject = " ".join(render_to_string(f"{name}_subject.txt", context).split())
        text = "\n".join(line.strip() for line in render_to_string(f"{name}.txt", context).splitlines())
        message = EmailMultiAlternatives(
            subject,
            re.sub(r"\n{3,}", "\n\n", text).strip() + "\n",
            settings.DEFAULT_FROM_EMAIL,
            [entry.email],
            reply_to=[clinic.email] if clinic.email else [],
        )
        message.attach_alternative(render_to_string(f"{name}.html", context), "text/html")
    return message


def days_label(entry):
    """E.g. "Tuesday 2 March" or "Tuesday 2 March to Friday 5 March", in the active language."""
    if entry.first_day == entry.last_day:
        return clinic_date(entry.first_day, "day")
    return translation.gettext("%(first)s to %(last)s") % {
        "first": clinic_date(entry.first_day, "day"),
        "last": clinic_date(entry.last_day, "day"),
    }
