"""The bookings as a CSV file: phones read as plain numbers in a spreadsheet, and nothing a patient typed runs there."""

import csv
import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from booking.export import (
    FORMULA_TRIGGERS,
    spreadsheet_phone,
    spreadsheet_safe,
    write_bookings_csv,
)
from booking.models import Booking
from clinic.clock import clinic_today
from privacy.models import PrivacyNotice
from team.models import Practitioner

TIJUANA = ZoneInfo("America/Tijuana")
BOOKINGS = "/admin/booking/booking/"
PHONE, PATIENT, EMAIL = 6, 5, 7


@pytest.mark.parametrize(
    "stored, shown",
    [
        ("+526641234567", "52 664 123 4567"),
        ("+525512345678", "52 55 1234 5678"),
        ("+16195550142", "1 619-555-0142"),
    ],
)
def test_a_phone_is_written_with_its_country_code_and_no_plus(stored, shown):
    assert spreadsheet_phone(PhoneNumber.from_string(stored)) == shown


@pytest.mark.parametrize("stored", ["+526641234567", "+16195550142"])
def test_a_phone_cell_never_starts_like_a_formula_and_so_is_written_as_it_is(stored):
    cell = spreadsheet_phone(PhoneNumber.from_string(stored))
    assert not cell.startswith(FORMULA_TRIGGERS)
    assert spreadsheet_safe(cell) == cell


def test_a_booking_without_a_phone_gets_an_empty_cell():
    assert spreadsheet_phone("") == ""
    assert spreadsheet_phone(None) == ""


@pytest.mark.parametrize(
    "value, safe",
    [
        ("=1+1", "'=1+1"),
        ("+52 664", "'+52 664"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("María López", "María López"),
    ],
)
def test_a_cell_a_spreadsheet_would_run_stays_neutralised(value, safe):
    assert spreadsheet_safe(value) == safe


def book(patient_name, phone, email="", hour=9):
    starts_at = datetime.combine(clinic_today() + timedelta(days=1), time(hour), tzinfo=TIJUANA)
    return Booking.objects.create(
        practitioner=Practitioner.objects.first(), starts_at=starts_at, ends_at=starts_at + timedelta(hours=1),
        price=750, patient_name=patient_name, phone=phone, email=email, consent_given_at=timezone.now(),
        privacy_notice=PrivacyNotice.objects.first(),
    )


def exported(reception):
    response = reception.get(f"{BOOKINGS}export/")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_the_export_writes_phones_a_spreadsheet_shows_as_typed_and_keeps_formulas_from_running(reception):
    book("María López", "+526641234567", hour=9)
    book('=HYPERLINK("http://evil.example","Click")', "+16195550142", email="@evil@example.com", hour=10)

    rows = exported(reception)

    assert rows[1][PATIENT] == "María López" and rows[1][PHONE] == "52 664 123 4567"
    assert rows[2][PATIENT] == '\'=HYPERLINK("http://evil.example","Click")'
    assert rows[2][EMAIL] == "'@evil@example.com"
    assert rows[2][PHONE] == "1 619-555-0142"
    assert not any(cell.startswith(FORMULA_TRIGGERS) for row in rows for cell in row)


@pytest.mark.django_db
def test_the_file_starts_with_a_byte_order_mark_so_excel_reads_the_accents(booking_rules, clinic_content):
    book("María López", "+526641234567")
    file = io.StringIO()

    write_bookings_csv(Booking.objects.select_related("practitioner", "condition"), file)

    assert file.getvalue().startswith("\ufeffReference,")
    assert "María López" in file.getvalue()
