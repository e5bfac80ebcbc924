"""Bookings as a CSV file for the clinic's spreadsheets."""

import csv

from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.clock import CLINIC_TZ

# A spreadsheet reads a cell starting with one of these as a formula, so a
# patient who types "=HYPERLINK(...)" as their name could run one on the
# clinic's computer (CSV injection). A leading apostrophe makes it plain text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """`value` as text a spreadsheet shows as typed, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def booking_row(booking):
    starts_at = timezone.localtime(booking.starts_at, CLINIC_TZ)
    return [
        booking.reference,
        starts_at.strftime("%Y-%m-%d"),
        starts_at.strftime("%H:%M"),
        booking.get_status_display(),
        booking.practitioner.name,
        booking.patient_name,
        booking.phone,
        booking.email,
        booking.reason_label,
        booking.get_source_display(),
        booking.price,
    ]


def header_row():
    return [
        _("Reference"), _("Date"), _("Time (Tijuana)"), _("Status"), _("Practitioner"), _("Patient"),
        _("Phone"), _("Email"), _("Reason"), _("Booked"), _("Price (MXN)"),
    ]


def write_bookings_csv(bookings, file):
    """Write a header and one row per booking to `file`; select_related practitioner and condition first."""
    # A byte-order mark, so Excel reads the accents in "María" as UTF-8.
    file.write("\ufeff")
    writer = csv.writer(file)
    writer.writerow([spreadsheet_safe(cell) for cell in header_row()])
    for booking in bookings:
        writer.writerow([spreadsheet_safe(cell) for cell in booking_row(booking)])
