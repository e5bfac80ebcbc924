"""Removing patients' details from bookings: past the retention period (nightly), or when they ask (booking.erasure)."""

import calendar

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .models import Booking, BookingSettings, new_token
from .waitlist import KEEP_ENDED_FOR, delete_ended


def months_before(moment, months):
    """The same wall-clock moment `months` calendar months earlier (the 31st becomes the month's last day)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


# What a booking keeps once its patient's details are removed: the date,
# price, status and reference the clinic's accounts need.
PERSONAL_FIELDS = {"patient_name": "", "phone": "", "email": "", "note": "", "condition": None, "decline_reason": ""}


def remove_old_personal_data(now=None):
    """Remove names, contact details and health notes from bookings past the retention period.

    Returns how many bookings were cleared. Their history rows are cleared
    the same way, since they hold copies of the same details; so are the
    history rows of bookings deleted outright, which are all that is left of them.
    """
    now = now or timezone.now()
    cutoff = months_before(now, BookingSettings.load().retention_months)
    with transaction.atomic():
        old = Booking.objects.filter(ends_at__lt=cutoff, anonymised_at__isnull=True)
        ids = list(old.values_list("pk", flat=True))
        deleted_long_ago = (
            Booking.history.exclude(id__in=Booking.objects.values("pk"))
            .values("id").annotate(last_ended=Max("ends_at")).filter(last_ended__lt=cutoff).values("id")
        )
        ids += set(
            Booking.history.filter(id__in=deleted_long_ago).exclude(patient_name="", email="")
            .values_list("id", flat=True)
        )
        clear_personal_data(ids, now)
        # Waitlist entries hold only personal data: gone a month after they end, or sooner with a shorter period.
        delete_ended(max(cutoff, now - KEEP_ENDED_FOR), now)
    return len(ids)


def clear_personal_data(booking_ids, now=None):
    """Clear the patient's details from these bookings and every history row of them. Returns the history rows cleared.

    `booking_ids` may include bookings deleted outright: their history rows are cleared all the same.
    Call it inside a transaction.
    """
    now = now or timezone.now()
    booking_ids = list(booking_ids)
    for booking_id in booking_ids:
        # A new token each, so an old manage link shows nothing.
        Booking.objects.filter(pk=booking_id).update(token=new_token())
    Booking.objects.filter(pk__in=booking_ids).update(anonymised_at=now, **PERSONAL_FIELDS)
    return Booking.history.filter(id__in=booking_ids).update(**PERSONAL_FIELDS)
