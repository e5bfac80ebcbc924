"""When a clinic that reviews online bookings promises to answer a request.

The promise is a firm time, worked out from the request's own moment: the
clinic's next `review_within_hours` opening hours (OpeningHours, less the days
the whole clinic is closed), but never later than ANSWER_BEFORE the assessment
itself, so the patient knows before they set out. A request made at 19:30 on a
Friday, with the clinic open until 20:00 and again on Saturday from 09:00, is
answered by Saturday 12:30 (4 hours); one made at 19:30 for 08:00 the next day
is answered by 06:00, two hours before it.

Worked out when shown, from the booking's created_at, so the confirmation page,
the emails and the calendar file all say the same time.
"""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.clock import CLINIC_TZ, clinic_date

from .models import BookingSettings, Closure, OpeningHours

# The patient hears at least this long before the assessment, or halfway to it when booked closer than twice this.
ANSWER_BEFORE = timedelta(hours=2)
# Promises are given on the quarter hour: "by 11:30 am", never "by 11:37 am".
ROUNDING = timedelta(minutes=15)
# Opening hours are counted this far ahead at most; past it (a clinic with no hours) the cap alone applies.
LOOK_AHEAD_DAYS = 60


def confirm_by(requested_at, starts_at, within_hours=None):
    """The moment the clinic promises to confirm or decline a request made at `requested_at` for `starts_at`. Two queries."""
    if within_hours is None:
        within_hours = BookingSettings.load().review_within_hours
    lead = min(ANSWER_BEFORE, (starts_at - requested_at) / 2)
    latest = starts_at - lead
    by_hours = _after_opening_hours(requested_at, timedelta(hours=within_hours), until=latest)
    if by_hours is not None and by_hours < latest:
        return min(_round_up(by_hours), latest)
    rounded = _round_down(latest)
    return rounded if rounded > requested_at else latest


def confirm_by_label(requested_at, starts_at, within_hours=None):
    """E.g. "Saturday, December 5, 12:30 pm (Tijuana time)", in the active language."""
    return _tijuana_time(confirm_by(requested_at, starts_at, within_hours))


def _tijuana_time(moment):
    return _("%(day_and_time)s (Tijuana time)") % {"day_and_time": clinic_date(moment, "day_time")}


def answer_by(booking):
    """When the clinic promised to answer this request: counted from it, or from the patient's latest move of it."""
    return confirm_by(booking.review_from or booking.created_at, booking.starts_at)


def answer_by_label(booking, now=None):
    """The promised answer time as patients read it, or "" when it has gone by (no page promises a past time)."""
    moment = answer_by(booking)
    return _tijuana_time(moment) if moment > (now or timezone.now()) else ""


def _after_opening_hours(start, amount, until):
    """The moment `amount` of opening hours after `start`, or None when that is not reached before `until`."""
    if amount <= timedelta(0):
        return start
    hours = {}
    for opening in OpeningHours.objects.all():
        hours.setdefault(opening.weekday, []).append((opening.opens, opening.closes))
    first_day = timezone.localtime(start, CLINIC_TZ).date()
    last_day = min(timezone.localtime(until, CLINIC_TZ).date(), first_day + timedelta(days=LOOK_AHEAD_DAYS))
    closed = list(
        Closure.objects.filter(practitioner__isnull=True, first_day__lte=last_day, last_day__gte=first_day)
        .values_list("first_day", "last_day")
    )
    left = amount
    day = first_day
    while day <= last_day:
        if not any(first <= day <= last for first, last in closed):
            for opens, closes in sorted(hours.get(day.weekday(), [])):
                period_start = max(datetime.combine(day, opens, CLINIC_TZ), start)
                period_end = datetime.combine(day, closes, CLINIC_TZ)
                if period_end <= period_start:
                    continue
                if period_end - period_start >= left:
                    return period_start + left
                left -= period_end - period_start
        day += timedelta(days=1)
    return None


def _round_up(moment):
    local = timezone.localtime(moment, CLINIC_TZ)
    past = timedelta(minutes=local.minute % 15, seconds=local.second, microseconds=local.microsecond)
    return moment if not past else moment - past + ROUNDING


def _round_down(moment):
    local = timezone.localtime(moment, CLINIC_TZ)
    return moment - timedelta(minutes=local.minute % 15, seconds=local.second, microseconds=local.microsecond)
