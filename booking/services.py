"""Booking an assessment and changing a booking, each in one transaction with its emails."""

from dataclasses import replace
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from phonenumber_field.phonenumber import to_python

from clinic import throttle
from clinic.models import Clinic
from privacy.models import PrivacyNotice
from team.models import Practitioner

from . import availability, waitlist
from .models import (
    CLINIC_KINDS,
    Booking,
    BookingSettings,
    InvalidTransition,
    OutgoingEmail,
    likely_condition,
)
from .tasks import queue_emails


class TimeTaken(Exception):
    """Every practitioner free at that time was booked by someone else first."""


class TimeNotOpen(Exception):
    """The time is not an open time: past, closed, too soon, or not on the grid."""


# A network address is shared by a family's phones, a gym's Wi-Fi or a whole mobile carrier's customers
# (carrier-grade NAT): it may hold this many times what one person may before it is refused.
ADDRESS_HOLDS_PEOPLE = 3


class TooManyHeld(Exception):
    """This phone, email or address already holds as many future assessments as may be booked online."""

    def __init__(self, limit, by_address=False):
        super().__init__(limit)
        self.limit = limit
        self.by_address = by_address

    @property
    def message(self):
        """What the patient is told: by address, nothing about them that may not be true."""
        if self.by_address:
            return _(
                "We cannot take more online bookings from this internet connection just now. "
                "To book, call or message us."
            )
        return ngettext(
            "You already have %(count)s upcoming assessment with us, the most one person can book online. "
            "To book another, call or message us. To change or cancel the one you have, use the link in its email.",
            "You already have %(count)s upcoming assessments with us, the most one person can book online. "
            "To book another, call or message us. To change or cancel one, use the link in its email.",
            self.limit,
        ) % {"count": self.limit}


def book_assessment(*, starts_at, patient_name, phone, email, reason="", condition=None, note="", language="en",
                    privacy_notice=None, source=Booking.Source.ONLINE, consent_method=Booking.Consent.ONLINE,
                    consent_recorded_by=None, practitioner=None, now=None, client_address=None):
    """Book `practitioner`, or else the first free one, at `starts_at`; or raise TimeTaken, TimeNotOpen or TooManyHeld.

    Staff entering a booking taken by phone pass consent_method=Booking.Consent.PHONE
    and themselves as consent_recorded_by, written with the booking. A booking
    taken at the desk is agreed with the patient there and then, so it is
    confirmed at once: the patient gets one "confirmed" email (none without an
    address), and the clinic is not emailed about a booking it made itself.

    Online, the clinic's BookingSettings.review_requests decides: off (the
    default), the patient is booked there and then (CONFIRMED, the "confirmed"
    email, and CLINIC_NEW_BOOKING to the clinic); on, they send a request
    (REQUESTED, the "received" email, and CLINIC_NEW_REQUEST) that the clinic
    answers by booking.review.confirm_by. Online too, one phone, email or
    `client_address` holds at most max_future_bookings future assessments
    (TooManyHeld); the desk may book more.
    """
    now = now or timezone.now()
    at_the_desk = source != Booking.Source.ONLINE
    rules = BookingSettings.load()
    instant = at_the_desk or not rules.review_requests
    open_time = _open_time(starts_at, now, for_staff=at_the_desk)
    privacy_notice = privacy_notice or PrivacyNotice.current()
    price = Clinic.load().assessment_price
    # The patient says where it hurts; staff see a condition only where their answer points to one.
    condition = condition if condition is not None else likely_condition(reason)

    def create(practitioner_id):
        booking = Booking.objects.create(
            practitioner_id=practitioner_id,
            starts_at=open_time.starts_at,
            ends_at=open_time.ends_at,
            price=price,
            patient_name=patient_name,
            phone=phone,
            email=email,
            reason=reason,
            condition=condition,
            note=note,
            language=language,
            consent_given_at=now,
            consent_method=consent_method,
            consent_recorded_by=consent_recorded_by,
            privacy_notice=privacy_notice,
            source=source,
            status=Booking.Status.CONFIRMED if instant else Booking.Status.REQUESTED,
        )
        if at_the_desk:
            _queue(booking, OutgoingEmail.Kind.CONFIRMED)
        elif instant:
            _queue(booking, OutgoingEmail.Kind.CLINIC_NEW_BOOKING, OutgoingEmail.Kind.CONFIRMED)
        else:
            _queue(booking, OutgoingEmail.Kind.CLINIC_NEW_REQUEST, OutgoingEmail.Kind.RECEIVED)
        return booking

    if at_the_desk:
        return _with_a_free_practitioner(open_time, create, practitioner=practitioner)
    # One transaction around the count and the write: the contact locks are
    # taken first and held to the end, so two requests from one phone or email
    # are counted one after the other, never both against the same total.
    with transaction.atomic():
        _refuse_too_many_held(phone, email, client_address, rules.max_future_bookings, now)
        booking = _with_a_free_practitioner(open_time, create, practitioner=practitioner)
        transaction.on_commit(lambda: _remember_held_from(client_address, booking, rules))
    return booking


def _refuse_too_many_held(phone, email, client_address, limit, now):
    """Raise TooManyHeld when the phone, the email or the address already holds `limit` future assessments.

    Call inside the booking's transaction. On PostgreSQL a transaction-scoped
    advisory lock per phone and per email (keyed hashes, never the values)
    makes a second booking for the same person wait for the first to commit
    before it counts; SQLite transactions begin IMMEDIATE (settings), so there
    is only ever one writer. Requested and confirmed bookings both count,
    whoever booked them; a cancelled one frees its place at once.
    """
    phone = _normal_phone(phone)
    _lock_contacts(phone, email)
    held = Booking.objects.active().filter(starts_at__gt=now)
    same_person = Q(phone=phone)
    if email:
        same_person |= Q(email__iexact=email.strip())
    if held.filter(same_person).count() >= limit:
        raise TooManyHeld(limit)
    from_address = throttle.bookings_from(client_address)
    if from_address and held.filter(pk__in=from_address).count() >= limit * ADDRESS_HOLDS_PEOPLE:
        raise TooManyHeld(limit, by_address=True)


def _normal_phone(phone):
    number = to_python(phone)
    return number.as_e164 if getattr(number, "is_valid", lambda: False)() else str(phone)


def _lock_contacts(*values):
    if connection.vendor != "postgresql":
        return
    # In one order, so two transactions locking the same two values never wait on each other.
    keys = sorted({_contact_lock_id(value) for value in values if value})
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _contact_lock_id(value):
    digest = salted_hmac("booking.held-lock", str(value).strip().lower()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _remember_held_from(address, booking, rules):
    # Nobody can book further ahead than the horizon, so by then every one of them is past.
    throttle.remember_booking_from(address, booking.pk, seconds=(rules.horizon_days + 1) * 24 * 60 * 60)


class TooLateToChange(Exception):
    """The booking is inside the cancellation cut-off: the patient is asked to call or message instead."""


# The patient's emails a move makes wrong: they would give the old time, or a second
# message beside the one "changed" email that carries the new time and calendar file.
OVERTAKEN_BY_A_MOVE = [
    OutgoingEmail.Kind.RECEIVED,
    OutgoingEmail.Kind.CONFIRMED,
    OutgoingEmail.Kind.CHANGED,
    OutgoingEmail.Kind.REMINDER,
]


@waitlist.frees_its_time
def move_booking(booking, starts_at, practitioner=None, now=None, by_patient=False):
    """Move an active booking to another open time; or raise TimeTaken, TimeNotOpen, InvalidTransition or TooLateToChange.

    Staff move it with `practitioner`, by default the one it has, and never
    another: the patient may have chosen who sees them. A patient moving their
    own booking (by_patient) gets the online rules, the minimum notice, the
    horizon and the cancellation cut-off on the time they hold, and any free
    practitioner, theirs first: online they never chose one.
    The row is changed in place under a lock, so the old time stays theirs
    until the new one is won. One "changed" email goes out: any email still
    waiting with the old time is overtaken.
    """
    now = now or timezone.now()
    if not booking.is_active:
        raise InvalidTransition(_("Only a requested or confirmed booking can be moved."))
    if by_patient and not booking.can_be_cancelled_online(now):
        raise TooLateToChange
    if by_patient and starts_at == booking.starts_at:
        raise TimeNotOpen
    # Staff moving a booking are not held to the minimum notice for online booking.
    open_time = _open_time(starts_at, now, for_staff=not by_patient)
    if by_patient:
        theirs = [pk for pk in open_time.free_practitioner_ids if pk == booking.practitioner_id]
        others = [pk for pk in open_time.free_practitioner_ids if pk != booking.practitioner_id]
        open_time = replace(open_time, free_practitioner_ids=(*theirs, *others))
        practitioner = None
    else:
        practitioner = practitioner or booking.practitioner

    def move(practitioner_id):
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if not locked.is_active:
            raise InvalidTransition(_("Only a requested or confirmed booking can be moved."))
        if by_patient and not locked.can_be_cancelled_online(now):
            raise TooLateToChange
        locked.practitioner_id = practitioner_id
        locked.starts_at = open_time.starts_at
        locked.ends_at = open_time.ends_at
        locked.sequence += 1
        # "I'll be there" was said of the old time.
        locked.patient_confirmed_at = None
        still_a_request = locked.status == Booking.Status.REQUESTED
        if still_a_request:
            locked.review_from = now  # the clinic's answer is promised afresh for the new time
        locked.save(update_fields=[
            "practitioner", "starts_at", "ends_at", "sequence", "patient_confirmed_at", "review_from", "updated_at",
        ])
        # A patient's move is news to the clinic; for a request, the new time and the new answer-by.
        tell_the_clinic = []
        if by_patient:
            tell_the_clinic = [OutgoingEmail.Kind.CLINIC_NEW_REQUEST if still_a_request else OutgoingEmail.Kind.CLINIC_CHANGED]
        locked.emails.unsent().filter(
            kind__in=[*OVERTAKEN_BY_A_MOVE, *tell_the_clinic], sending_since__isnull=True
        ).update(overtaken_at=now)
        _queue(locked, OutgoingEmail.Kind.CHANGED, *tell_the_clinic)
        return locked

    return _with_a_free_practitioner(open_time, move, moving=booking, practitioner=practitioner)


def record_patient_coming(booking, now=None):
    """The patient answered "I'll be there": recorded once, at the first answer. Returns the booking as it now is.

    Only for a confirmed booking still to come; otherwise InvalidTransition.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.status != Booking.Status.CONFIRMED or locked.starts_at <= now:
            raise InvalidTransition(_("Only a confirmed assessment still to come can be answered."))
        if locked.patient_confirmed_at is None:
            locked.patient_confirmed_at = now
            locked.save(update_fields=["patient_confirmed_at", "updated_at"])
    return locked


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
    queue_emails(booking, *(kind for kind in kinds if booking.email or kind in CLINIC_KINDS))


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


@waitlist.frees_its_time
def decline_booking(booking, reason=""):
    return _change(booking, Booking.Status.DECLINED, OutgoingEmail.Kind.DECLINED, decline_reason=reason)


def closes_without_email(booking, now=None):
    """Whether cancelling `booking` closes a request nobody confirmed before its time.

    The patient is not emailed of that: telling them an hour gone by is
    cancelled would only confuse them.
    """
    return booking.status == Booking.Status.REQUESTED and booking.starts_at <= (now or timezone.now())


@waitlist.frees_its_time
def cancel_booking(booking, cancelled_by=Booking.CancelledBy.CLINIC, reason="", now=None, online=False):
    """Cancel, recording who cancelled, why, when, and whether inside the cancellation cut-off.

    Every cancellation goes through here, the patient's own from their link
    (`online`: the clinic is told too) and the desk's. The patient is emailed,
    unless it closes a request whose time has passed (closes_without_email) or
    they gave no address.
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
        if online:
            _queue(locked, OutgoingEmail.Kind.CLINIC_CANCELLED)
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
