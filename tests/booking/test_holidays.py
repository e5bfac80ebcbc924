"""Mexico's public holidays, loaded as whole-clinic closures by load_clinic_content (booking/seed.py)."""

import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.management.base import OutputWrapper
from django.core.management.color import no_style

from booking.availability import open_times_by_day
from booking.models import Closure, OpeningHours
from booking.seed import load_holidays, mexican_rest_days
from clinic.seeding import Loader

TIJUANA = ZoneInfo("America/Tijuana")


def loader():
    return Loader(OutputWrapper(io.StringIO()), no_style())


def test_the_rest_days_of_the_federal_labour_law_fall_on_their_days():
    assert [day for day, _name, _name_es in mexican_rest_days(2027)] == [
        date(2027, 1, 1), date(2027, 2, 1), date(2027, 3, 15), date(2027, 5, 1),
        date(2027, 9, 16), date(2027, 11, 15), date(2027, 12, 25),
    ]
    # First Monday of February, third Mondays of March and November, when the month starts on a Monday.
    assert date(2021, 2, 1) in [day for day, *_ in mexican_rest_days(2021)]
    assert date(2021, 3, 15) in [day for day, *_ in mexican_rest_days(2021)]


def test_the_first_of_october_is_a_rest_day_only_when_the_federal_government_changes():
    assert date(2030, 10, 1) in [day for day, *_ in mexican_rest_days(2030)]
    assert date(2036, 10, 1) in [day for day, *_ in mexican_rest_days(2036)]
    assert date(2027, 10, 1) not in [day for day, *_ in mexican_rest_days(2027)]


@pytest.mark.django_db
def test_this_year_and_the_next_two_are_loaded_from_today_on_with_a_reason():
    load_holidays(loader(), today=date(2026, 12, 2))
    days = list(Closure.objects.values_list("first_day", "last_day", "reason", "practitioner"))
    assert days[0] == (date(2026, 12, 25), date(2026, 12, 25), "Holiday: Christmas (Navidad)", None)
    assert days[-1][0] == date(2028, 12, 25)
    assert len(days) == 1 + 7 + 7


@pytest.mark.django_db
def test_loading_again_adds_nothing_twice_and_a_new_year_only_its_own():
    load_holidays(loader(), today=date(2026, 12, 2))
    load_holidays(loader(), today=date(2026, 12, 3))
    assert Closure.objects.filter(first_day=date(2027, 12, 25)).count() == 1
    load_holidays(loader(), today=date(2027, 1, 10))
    assert Closure.objects.filter(first_day__year=2029).count() == 7
    assert Closure.objects.count() == 1 + 7 + 7 + 7


@pytest.mark.django_db
def test_a_holiday_staff_removed_never_comes_back():
    load_holidays(loader(), today=date(2026, 12, 2))
    Closure.objects.filter(first_day=date(2027, 5, 1)).delete()
    load_holidays(loader(), today=date(2026, 12, 20))
    load_holidays(loader(), today=date(2027, 1, 10))
    assert not Closure.objects.filter(first_day=date(2027, 5, 1)).exists()


@pytest.mark.django_db
def test_a_day_staff_already_closed_is_not_closed_again():
    Closure.objects.create(first_day=date(2027, 12, 24), last_day=date(2028, 1, 2), reason="Christmas break")
    load_holidays(loader(), today=date(2026, 12, 2))
    assert not Closure.objects.filter(first_day=date(2027, 12, 25)).exists()
    assert not Closure.objects.filter(first_day=date(2028, 1, 1)).exists()
    assert Closure.objects.filter(first_day=date(2028, 2, 7)).exists()


def test_load_clinic_content_closes_christmas_so_it_is_not_bookable(clinic_content, booking_rules):
    assert Closure.objects.filter(reason="Holiday: Christmas (Navidad)", practitioner=None).count() >= 2
    OpeningHours.objects.create(weekday=date(2027, 12, 25).weekday(), opens=time(8), closes=time(20))
    days = open_times_by_day(first_day=date(2027, 12, 20), last_day=date(2027, 12, 27),
                             now=datetime(2027, 12, 1, 9, tzinfo=TIJUANA))
    assert date(2027, 12, 24) in days and date(2027, 12, 27) in days
    assert date(2027, 12, 25) not in days
