"""The booking rules the site starts with, for staff to adjust: its settings, opening hours and one practitioner."""

from datetime import time

from .models import BookingSettings, OpeningHours, Practitioner

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
        Practitioner.objects.create(name=PLACEHOLDER_PRACTITIONER_NAME, position=1)
        loader.report(Practitioner, 1)
