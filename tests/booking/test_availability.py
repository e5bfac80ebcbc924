from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest

from booking.availability import open_times, open_times_by_day
from booking.models import Booking, BookingSettings, Closure, OpeningHours
from privacy.models import PrivacyNotice
from team.models import Practitioner

pytestmark = pytest.mark.django_db

TIJUANA = ZoneInfo("America/Tijuana")
UTC = dt_timezone.utc


def at(year, month, day, hour, minute=0):
    """A moment on the clinic's wall clock."""
    return datetime(year, month, day, hour, minute, tzinfo=TIJUANA)


def clock_times(times):
    return [t.starts_at.astimezone(TIJUANA).strftime("%H:%M") for t in times]


def book(starts_at, practitioner=None, status=Booking.Status.REQUESTED, minutes=60):
    return Booking.objects.create(
        practitioner=practitioner or Practitioner.objects.first(),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        status=status,
        price=750,
        patient_name="Test Patient",
        phone="+526641234567",
        email="patient@example.com",
        consent_given_at=starts_at - timedelta(days=2),
        privacy_notice=PrivacyNotice.objects.first(),
    )


NOW = at(2026, 2, 23, 9)  # a Monday morning well before the change-overs


def test_times_run_back_to_back_inside_each_opening_range(booking_rules):
    OpeningHours.objects.all().delete()
    OpeningHours.objects.create(weekday=1, opens=time(8), closes=time(11))
    OpeningHours.objects.create(weekday=1, opens=time(15), closes=time(17, 30))
    tuesday = date(2026, 2, 24)
    assert clock_times(open_times(tuesday, tuesday, now=at(2026, 2, 23, 6))) == ["08:00", "09:00", "10:00", "15:00", "16:00"]


def test_no_times_on_closed_days_or_days_without_hours(booking_rules):
    Closure.objects.create(first_day=date(2026, 3, 2), last_day=date(2026, 3, 3), reason="Course")
    OpeningHours.objects.filter(weekday=6).delete()
    days = open_times_by_day(first_day=date(2026, 3, 1), last_day=date(2026, 3, 5), now=NOW)
    assert sorted(days) == [date(2026, 3, 4), date(2026, 3, 5)]  # Sunday closed, Monday–Tuesday closure


def test_minimum_notice_and_horizon(booking_rules):
    now = at(2026, 2, 23, 9, 30)
    times = open_times(now=now)
    assert times[0].starts_at == at(2026, 2, 24, 8)  # 21:30 is the earliest; the clinic closes at 20:00
    assert times[-1].starts_at.date() <= date(2026, 2, 23) + timedelta(days=28)


def test_a_booked_time_is_taken_until_every_practitioner_is_busy(booking_rules):
    second = Practitioner.objects.create(name="Lic. Soto", position=2)
    tuesday = date(2026, 2, 24)
    book(at(2026, 2, 24, 9))
    nine = [t for t in open_times(tuesday, tuesday, now=NOW) if t.starts_at == at(2026, 2, 24, 9)]
    assert nine and nine[0].free_practitioner_ids == (second.pk,)

    book(at(2026, 2, 24, 9), practitioner=second)
    assert "09:00" not in clock_times(open_times(tuesday, tuesday, now=NOW))


def test_cancelled_and_declined_bookings_free_their_time(booking_rules):
    tuesday = date(2026, 2, 24)
    book(at(2026, 2, 24, 9), status=Booking.Status.CANCELLED)
    book(at(2026, 2, 24, 10), status=Booking.Status.DECLINED)
    assert {"09:00", "10:00"} <= set(clock_times(open_times(tuesday, tuesday, now=NOW)))


def test_a_practitioner_must_be_free_for_the_whole_assessment(booking_rules):
    # A 90-minute booking from 09:30 (made before the length changed) blocks 09:00, 10:00 and 10:30's hour.
    book(at(2026, 2, 24, 9, 30), minutes=90)
    tuesday = date(2026, 2, 24)
    times = clock_times(open_times(tuesday, tuesday, now=NOW))
    assert "09:00" not in times and "10:00" not in times and "08:00" in times and "11:00" in times


def test_spring_change_over_keeps_the_wall_clock(booking_rules):
    """8 March 2026: clocks go forward. 09:00 is still 09:00 in Tijuana, one hour earlier in UTC."""
    days = open_times_by_day(first_day=date(2026, 3, 7), last_day=date(2026, 3, 9), now=NOW)
    for day in (date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)):
        assert clock_times(days[day])[:2] == ["08:00", "09:00"]
    assert days[date(2026, 3, 7)][0].starts_at.astimezone(UTC).hour == 16  # PST, UTC-8
    assert days[date(2026, 3, 8)][0].starts_at.astimezone(UTC).hour == 15  # PDT, UTC-7


def test_autumn_change_over_keeps_the_wall_clock(booking_rules):
    """1 November 2026: clocks go back. 08:00 stays 08:00, one hour later in UTC."""
    days = open_times_by_day(first_day=date(2026, 10, 31), last_day=date(2026, 11, 2), now=at(2026, 10, 20, 9))
    assert clock_times(days[date(2026, 10, 31)]) == clock_times(days[date(2026, 11, 1)]) == clock_times(days[date(2026, 11, 2)])
    assert days[date(2026, 10, 31)][0].starts_at.astimezone(UTC).hour == 15  # PDT
    assert days[date(2026, 11, 1)][0].starts_at.astimezone(UTC).hour == 16  # PST
    assert len(days[date(2026, 11, 1)]) == 12


def test_the_missing_spring_hour_is_never_offered(booking_rules):
    OpeningHours.objects.all().delete()
    OpeningHours.objects.create(weekday=6, opens=time(0), closes=time(5))
    sunday = date(2026, 3, 8)
    times = open_times(sunday, sunday, now=NOW)
    assert clock_times(times) == ["00:00", "01:00", "03:00", "04:00"]  # 02:00 never happens
    assert len({t.starts_at.astimezone(UTC) for t in times}) == 4


def test_the_repeated_autumn_hour_is_never_offered_twice(booking_rules):
    OpeningHours.objects.all().delete()
    OpeningHours.objects.create(weekday=6, opens=time(0), closes=time(5))
    sunday = date(2026, 11, 1)
    times = open_times(sunday, sunday, now=at(2026, 10, 20, 9))
    assert clock_times(times) == ["00:00", "02:00", "03:00", "04:00"]  # 01:00 happens twice: offered never
    utc_times = [t.starts_at.astimezone(UTC) for t in times]
    assert len(set(utc_times)) == len(utc_times)


def test_a_month_of_open_times_takes_the_same_queries_whatever_the_bookings(booking_rules, django_assert_num_queries):
    BookingSettings.objects.update(horizon_days=31)
    with django_assert_num_queries(5):
        empty = open_times(now=NOW)
    for n in range(100):
        book(at(2026, 2, 24, 8) + timedelta(days=n // 12, hours=n % 12))
    with django_assert_num_queries(5):
        busy = open_times(now=NOW)
    assert len(busy) == len(empty) - 100

