"""The booking rules the site starts with, for staff to adjust: its settings, opening hours, one practitioner
and Mexico's public holidays as closures."""

from datetime import date, time, timedelta

from django.db.models import Max
from django.utils import timezone

from team.models import Practitioner

from .models import BookingSettings, Closure, OpeningHours

# (weekday, opens, closes): Monday to Friday mornings and evenings, when
# runners can come, and Saturday mornings.
OPENING_HOURS = [(day, time(8), time(13)) for day in range(5)] + [
    (day, time(15), time(20)) for day in range(5)
] + [(5, time(9), time(13))]

# The starting practitioner's name until staff type the real one: the launch
# checklist asks for it, and patients' emails leave it out rather than show it.
PLACEHOLDER_PRACTITIONER_NAME = "Lead physiotherapist"


def patient_facing_name(practitioner):
    """The practitioner's name to show a patient, or "" while it is still the placeholder."""
    return "" if practitioner.name.strip() == PLACEHOLDER_PRACTITIONER_NAME else practitioner.name


def load(loader):
    """Each only while its table is empty; a table already filled is passed over in silence."""
    if not BookingSettings.objects.exists():
        BookingSettings.objects.create()
        loader.report(BookingSettings, 1)
    if not OpeningHours.objects.exists():
        OpeningHours.objects.bulk_create(
            OpeningHours(weekday=day, opens=opens, closes=closes) for day, opens, closes in OPENING_HOURS
        )
        loader.report(OpeningHours, len(OPENING_HOURS))
    if not Practitioner.objects.exists():
        # Off the team page until staff give them a real name and profile.
        Practitioner.objects.create(name=PLACEHOLDER_PRACTITIONER_NAME, position=1, is_listed=False)
        loader.report(Practitioner, 1)
    load_holidays(loader)


# Mexico's statutory rest days, Ley Federal del Trabajo, article 74. Loaded as
# whole-clinic closures for this year and the next HOLIDAY_YEARS_AHEAD.
HOLIDAY_YEARS_AHEAD = 2
HOLIDAY_REASON = "Holiday: {name} ({name_es})"
HOLIDAY_REASON_PREFIX = "Holiday: "
# Since the 2024 reform, the federal government changes on 1 October every six years.
FIRST_OCTOBER_HANDOVER = 2024


def nth_monday(year, month, n):
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7 + 7 * (n - 1))


def mexican_rest_days(year):
    """[(day, English name, Spanish name)] of Mexico's statutory rest days in `year`, in date order.

    Election days (article 74, VIII) are set by each election's law and left to staff.
    """
    days = [
        (date(year, 1, 1), "New Year's Day", "Año Nuevo"),
        (nth_monday(year, 2, 1), "Constitution Day", "Día de la Constitución"),
        (nth_monday(year, 3, 3), "Benito Juárez's birthday", "Natalicio de Benito Juárez"),
        (date(year, 5, 1), "Labour Day", "Día del Trabajo"),
        (date(year, 9, 16), "Independence Day", "Día de la Independencia"),
        (nth_monday(year, 11, 3), "Revolution Day", "Día de la Revolución"),
        (date(year, 12, 25), "Christmas", "Navidad"),
    ]
    if year >= FIRST_OCTOBER_HANDOVER and (year - FIRST_OCTOBER_HANDOVER) % 6 == 0:
        days.insert(5, (date(year, 10, 1), "Change of federal government", "Transmisión del Poder Ejecutivo Federal"))
    return days


def load_holidays(loader, today=None):
    """The public holidays of each year not loaded before, from `today` to the end of the last year ahead.

    A year counts as loaded once any of its holidays is (the latest year with a
    "Holiday: …" closure marks how far loading went), so a holiday staff removed
    never comes back; a day staff already closed the whole clinic is not closed twice.
    """
    today = today or timezone.localdate()
    whole_clinic = Closure.objects.filter(practitioner=None)
    latest = whole_clinic.filter(reason__startswith=HOLIDAY_REASON_PREFIX).aggregate(latest=Max("last_day"))["latest"]
    first_year = max(today.year, latest.year + 1) if latest else today.year
    holidays = [
        (day, name, name_es)
        for year in range(first_year, today.year + HOLIDAY_YEARS_AHEAD + 1)
        for day, name, name_es in mexican_rest_days(year)
        if day >= today
    ]
    if not holidays:
        return
    closed = list(whole_clinic.filter(last_day__gte=holidays[0][0]).values_list("first_day", "last_day"))
    new = [
        Closure(first_day=day, last_day=day, reason=HOLIDAY_REASON.format(name=name, name_es=name_es))
        for day, name, name_es in holidays
        if not any(first <= day <= last for first, last in closed)
    ]
    Closure.objects.bulk_create(new)
    if new:
        years = sorted({closure.first_day.year for closure in new})
        loader.stdout.write(loader.style.SUCCESS(
            f"Loaded {len(new)} public holidays as closures ({', '.join(map(str, years))})."
        ))
