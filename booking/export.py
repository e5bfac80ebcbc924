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


def spreadsheet_phone(phone):
    """`phone` in the international format without its plus: "52 664 123 4567".

    A cell starting with "+" is a formula to Excel ("+52 664…" shows #NULL!),
    and the apostrophe that would neutralise it stays visible once the file is
    opened in Excel or Google Sheets, so it is copied along with the number.
    Written ="+52…" it would show well, but it is a formula, and the export
    writes none. Starting with the country code's digits, the cell is never
    a formula, and its spaces (the last group has four digits) keep both from
    reading it as a number, which would drop its spaces or show it in scientific notation.
    """
    if not phone:
        return ""
    return phone.as_international.removeprefix("+")


def booking_row(booking):
    starts_at = timezone.localtime(booking.starts_at, CLINIC_TZ)
    return [
        booking.reference,
        starts_at.strftime("%Y-%m-%d"),
        starts_at.strftime("%H:%M"),
        booking.get_status_display(),
        booking.practitioner.name,
        booking.patient_name,
        spreadsheet_phone(booking.phone),
        booking.email,
        booking.reason_words,
        booking.likely_condition_name,
        booking.get_source_display(),
        booking.price,
    ]


def header_row():
    return [
        _("Reference"), _("Date"), _("Time (Tijuana)"), _("Status"), _("Practitioner"), _("Patient"),
        _("Phone"), _("Email"), _("Why they come"), _("Likely condition"), _("Booked"),
        _("Price (MXN)"),
    ]


def write_bookings_csv(bookings, file):
    """Write a header and one row per booking to `file`; select_related practitioner and condition first."""
    # A byte-order mark, so Excel reads the accents in "María" as UTF-8.
    file.write("\ufeff")
    writer = csv.writer(file)
    writer.writerow([spreadsheet_safe(cell) for cell in header_row()])
    for booking in bookings:
        writer.writerow([spreadsheet_safe(cell) for cell in booking_row(booking)])
