"""Booking an assessment and changing a booking, each in one transaction with its emails."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import Clinic
from privacy.models import PrivacyNotice

from . import availability
from .models import (
    Booking,
    BookingSettings,
    InvalidTransition,
    OutgoingEmail,
    Practitioner,
)
from .tasks import queue_emails


class TimeTaken(Exception):
    """Every practitioner free at that time was booked by someone else first."""


class TimeNotOpen(Exception):
    """The time is not an open time: past, closed, too soon, or not on the grid."""


def book_assessment(*, starts_at, patient_name, phone, email, condition=None, note="", language="en",
                    privacy_notice=None, source=Booking.Source.ONLINE, consent_method=Booking.Consent.ONLINE,
                    consent_recorded_by=None, practitioner=None, now=None):
    """Book `practitioner`, or else the first free one, at `starts_at`; or raise TimeTaken or TimeNotOpen.

    Staff entering a booking taken by phone pass consent_method=Booking.Consent.PHONE
    and themselves as consent_recorded_by, written with the booking. A booking
    taken at the desk is agreed with the patient there and then, so it is
    confirmed at once: the patient gets one "confirmed" email (none without an
    address), and the clinic is not emailed about a booking it made itself.
    """
    now = now or timezone.now()
    at_the_desk = source != Booking.Source.ONLINE
    open_time = _open_time(starts_at, now, for_staff=at_the_desk)
    privacy_notice = privacy_notice or PrivacyNotice.current()
    price = Clinic.load().assessment_price

    def create(practitioner_id):
        booking = Booking.objects.create(
            practitioner_id=practitioner_id,
            starts_at=open_time.starts_at,
            ends_at=open_time.ends_at,
            price=price,
            patient_name=patient_name,
            phone=phone,
            email=email,
            condition=condition,
            note=note,
            language=language,
            consent_given_at=now,
            consent_method=consent_method,
            consent_recorded_by=consent_recorded_by,
            privacy_notice=privacy_notice,
            source=source,
            status=Booking.Status.CONFIRMED if at_the_desk else Booking.Status.REQUESTED,
        )
        if at_the_desk:
            _queue(booking, OutgoingEmail.Kind.CONFIRMED)
        else:
            _queue(booking, OutgoingEmail.Kind.CLINIC_NEW_REQUEST, OutgoingEmail.Kind.RECEIVED)
        return booking

    return _with_a_free_practitioner(open_time, create, practitioner=practitioner)


def move_booking(booking, starts_at, practitioner=None, now=None):
    """Move an active booking to another open time with `practitioner`, by default the one it has.

    Never another practitioner than the one asked for: the patient may have
    chosen who sees them. Raises TimeTaken or TimeNotOpen when the new time
    cannot be had with them, and InvalidTransition when the booking is no
    longer active.
    """
    if not booking.is_active:
        raise InvalidTransition(_("Only a requested or confirmed booking can be moved."))
    # Only staff move bookings, so the minimum notice for online booking does not apply.
    open_time = _open_time(starts_at, now or timezone.now(), for_staff=True)

    def move(practitioner_id):
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if not locked.is_active:
            raise InvalidTransition(_("Only a requested or confirmed booking can be moved."))
        locked.practitioner_id = practitioner_id
        locked.starts_at = open_time.starts_at
        locked.ends_at = open_time.ends_at
        locked.sequence += 1
        locked.save(update_fields=["practitioner", "starts_at", "ends_at", "sequence", "updated_at"])
        _queue(locked, OutgoingEmail.Kind.CHANGED)
        return locked

    return _with_a_free_practitioner(open_time, move, moving=booking, practitioner=practitioner or booking.practitioner)


def _open_time(starts_at, now, for_staff=False):
    """The OpenTime at `starts_at`, or TimeTaken if only bookings fill it, or TimeNotOpen."""
    open_time = availability.is_open(starts_at, now=now, for_staff=for_staff)
    if open_time is None:
        if availability.is_open(starts_at, now=now, ignore_bookings=True, for_staff=for_staff):
            raise TimeTaken
        raise TimeNotOpen
    return open_time


def _queue(booking, *kinds):
    """Queue `kinds` of email, leaving out the patient's when they gave no address (booked at the desk)."""
    queue_emails(booking, *(kind for kind in kinds if booking.email or kind == OutgoingEmail.Kind.CLINIC_NEW_REQUEST))


def _with_a_free_practitioner(open_time, write, moving=None, practitioner=None):
    """Run `write(practitioner_id)` in a transaction for the first practitioner still free, or only `practitioner`.

    The database's conditional unique constraint is the guard: two requests
    racing for the last practitioner both try to write, one wins, the other
    moves on to the next practitioner or gives up with TimeTaken.
    """
    candidates = open_time.free_practitioner_ids
    if practitioner is not None:
        candidates = [pk for pk in candidates if pk == practitioner.pk]
    for practitioner_id in candidates:
        try:
            with transaction.atomic():
                # Serialises writes per practitioner on PostgreSQL, so a booking
                # that overlaps without starting at the same minute is caught too.
                Practitioner.objects.select_for_update().filter(pk=practitioner_id).first()
                clash = Booking.objects.active().filter(practitioner_id=practitioner_id)
                clash = clash.overlapping(open_time.starts_at, open_time.ends_at)
                if moving is not None:
                    clash = clash.exclude(pk=moving.pk)
                if clash.exists():
                    continue
                return write(practitioner_id)
        except IntegrityError:
            continue  # someone took this practitioner first; try the next
    raise TimeTaken


def _change(booking, status, email_kind, now=None, **fields):
    """Change the status under a row lock, raising InvalidTransition when the booking cannot make that change."""
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        locked.change_status(status, now=now, **fields)
        if email_kind:
            _queue(locked, email_kind)
    return locked


def confirm_booking(booking):
    return _change(booking, Booking.Status.CONFIRMED, OutgoingEmail.Kind.CONFIRMED)


def decline_booking(booking, reason=""):
    return _change(booking, Booking.Status.DECLINED, OutgoingEmail.Kind.DECLINED, decline_reason=reason)


def closes_without_email(booking, now=None):
    """Whether cancelling `booking` closes a request nobody confirmed before its time.

    The patient is not emailed of that: telling them an hour gone by is
    cancelled would only confuse them.
    """
    return booking.status == Booking.Status.REQUESTED and booking.starts_at <= (now or timezone.now())


def cancel_booking(booking, cancelled_by=Booking.CancelledBy.CLINIC, reason="", now=None):
    """Cancel, recording who cancelled, why, when, and whether inside the cancellation cut-off.

    Every cancellation goes through here, the patient's own from their link
    and the desk's. The patient is emailed, unless it closes a request whose
    time has passed (closes_without_email) or they gave no address.
    """
    now = now or timezone.now()
    cutoff = timedelta(hours=BookingSettings.load().cancellation_cutoff_hours)
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        email_patient = not closes_without_email(locked, now)
        locked.change_status(
            Booking.Status.CANCELLED,
            now=now,
            cancelled_at=now,
            cancelled_by=cancelled_by,
            cancellation_reason=reason,
            cancelled_late=locked.starts_at - now < cutoff,
        )
        if email_patient:
            _queue(locked, OutgoingEmail.Kind.CANCELLED)
    return locked


def mark_attended(booking, now=None):
    return _change(booking, Booking.Status.ATTENDED, email_kind=None, now=now)


def mark_no_show(booking, now=None):
    return _change(booking, Booking.Status.NO_SHOW, email_kind=None, now=now)


def send_due_reminders(now=None):
    """Queue a reminder for every confirmed booking starting within the lead time. Returns how many.

    Safe to run from several hosts at once: each reminder is claimed by a
    conditional UPDATE that only one of them can win, in the same transaction
    that queues its email. `reminded_for` holds the start time reminded of,
    so a moved booking is reminded again for its new time, and only once.
    """
    now = now or timezone.now()
    lead = timedelta(hours=BookingSettings.load().reminder_lead_hours)
    due = Booking.objects.filter(status=Booking.Status.CONFIRMED, starts_at__gt=now, starts_at__lte=now + lead).exclude(
        reminded_for=F("starts_at")
    ).exclude(email="")  # nowhere to send it: the desk reminds them by phone
    sent = 0
    for booking_id, starts_at in due.values_list("pk", "starts_at"):
        with transaction.atomic():
            claimed = (
                Booking.objects.filter(pk=booking_id, status=Booking.Status.CONFIRMED, starts_at=starts_at)
                .exclude(reminded_for=starts_at)
                .update(reminded_for=starts_at)
            )
            if claimed:
                queue_emails(Booking.objects.get(pk=booking_id), OutgoingEmail.Kind.REMINDER)
                sent += 1
    return sent
