"""Open times for a first assessment.

A time is open when at least one practitioner is free for the whole
assessment, inside opening hours, outside the clinic's closures and their own
leave, and far enough ahead.
Times are worked out on the clinic's wall clock (America/Tijuana) and returned
as aware datetimes, so the daylight-saving change-overs neither shift a time
nor offer one twice.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from clinic.clock import CLINIC_TZ, clinic_date_of, clinic_today
from team.models import Practitioner

from .models import Booking, BookingSettings, Closure, OpeningHours


@dataclass(frozen=True)
class OpenTime:
    starts_at: datetime  # aware, in clinic time
    ends_at: datetime
    free_practitioner_ids: tuple

    @property
    def local_date(self):
        return self.starts_at.date()


def wall_clock_time(day, clock):
    """`clock` on `day` in clinic time, or None where that time does not exist or happens twice.

    On the spring change-over the hour 02:00–03:00 never happens; on the autumn
    one 01:00–02:00 happens twice. Offering either would give a patient a time
    the clock on the wall cannot show, or one time as two.
    """
    naive = datetime.combine(day, clock)
    first = naive.replace(tzinfo=CLINIC_TZ, fold=0)
    second = naive.replace(tzinfo=CLINIC_TZ, fold=1)
    if first.utcoffset() != second.utcoffset():
        return None  # a gap (spring) or a repeat (autumn)
    return first


def open_times(first_day=None, last_day=None, now=None, ignore_bookings=False, for_staff=False):
    """Every open time from first_day to last_day (clinic dates), in order.

    Five queries whatever the number of days, practitioners or bookings.
    With ignore_bookings, the times that would be open if nobody had booked.
    For staff (a booking taken at the desk, a move) the minimum notice does
    not apply: a walk-in can have the next free hour.
    """
    now = now or timezone.now()
    rules = BookingSettings.load()
    length = rules.assessment_length
    earliest = now if for_staff else now + timedelta(hours=rules.minimum_notice_hours)
    today = clinic_today(now)
    horizon = today + timedelta(days=rules.horizon_days)
    first_day = max(first_day or today, today)
    last_day = min(last_day or horizon, horizon)
    if last_day < first_day:
        return []

    practitioner_ids = list(Practitioner.objects.taking_assessments().values_list("pk", flat=True))
    if not practitioner_ids:
        return []
    hours = defaultdict(list)
    for opening in OpeningHours.objects.all():
        hours[opening.weekday].append((opening.opens, opening.closes))
    # A closure without a practitioner closes the clinic; with one, it is that practitioner's leave.
    closed = []
    leave = defaultdict(list)
    for closure in Closure.objects.filter(last_day__gte=first_day, first_day__lte=last_day):
        if closure.practitioner_id is None:
            closed.append((closure.first_day, closure.last_day))
        else:
            leave[closure.practitioner_id].append((closure.first_day, closure.last_day))

    window_start = datetime.combine(first_day, datetime.min.time(), CLINIC_TZ)
    window_end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), CLINIC_TZ)
    busy = defaultdict(list)
    bookings = Booking.objects.none() if ignore_bookings else Booking.objects.active()
    for practitioner_id, starts_at, ends_at in (
        bookings
        .overlapping(window_start - length, window_end + length)
        .values_list("practitioner_id", "starts_at", "ends_at")
    ):
        # Filed under each clinic day the booking touches, so a time is only
        # compared with that day's bookings, however many the month holds.
        for day in {clinic_date_of(starts_at), clinic_date_of(ends_at)}:
            busy[practitioner_id, day].append((starts_at, ends_at))

    times = []
    day = first_day
    while day <= last_day:
        if not any(start <= day <= end for start, end in closed):
            working = [
                pid for pid in practitioner_ids if not any(start <= day <= end for start, end in leave.get(pid, ()))
            ]
            for opens, closes in sorted(hours.get(day.weekday(), [])) if working else ():
                times.extend(_times_in_range(day, opens, closes, length, earliest, working, busy))
        day += timedelta(days=1)
    return times


def _times_in_range(day, opens, closes, length, earliest, practitioner_ids, busy):
    """Back-to-back assessments from `opens`, each ending by `closes`."""
    clock = datetime.combine(day, opens)
    last_start = datetime.combine(day, closes) - length
    while clock <= last_start:
        starts_at = wall_clock_time(day, clock.time())
        if starts_at is not None and starts_at >= earliest:
            ends_at = starts_at + length  # by the day's closing time, so never past midnight
            free = tuple(
                pid
                for pid in practitioner_ids
                if not any(start < ends_at and end > starts_at for start, end in busy.get((pid, day), ()))
            )
            if free:
                yield OpenTime(starts_at, ends_at, free)
        clock += length


def open_times_by_day(**kwargs):
    """Open times grouped by clinic date: {date: [OpenTime, ...]}, days in order."""
    days = {}
    for open_time in open_times(**kwargs):
        days.setdefault(open_time.local_date, []).append(open_time)
    return days


def is_open(starts_at, now=None, ignore_bookings=False, for_staff=False):
    """The OpenTime starting at `starts_at`, or None if that time is not open."""
    day = timezone.localtime(starts_at, CLINIC_TZ).date()
    for open_time in open_times(
        first_day=day, last_day=day, now=now, ignore_bookings=ignore_bookings, for_staff=for_staff
    ):
        if open_time.starts_at == starts_at:
            return open_time
    return None


def nearest_open_times(starts_at, count=6, now=None):
    """The open times closest to `starts_at`, for a patient whose time was just taken."""
    candidates = open_times(now=now)
    return sorted(candidates, key=lambda t: abs(t.starts_at - starts_at))[:count]
