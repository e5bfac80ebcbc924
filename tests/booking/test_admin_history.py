"""A booking's History page tells staff who changed what and when, in their language, in words, on the clinic's clock."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.models import Booking
from clinic.clock import clinic_today
from privacy.models import PrivacyNotice
from team.models import Practitioner
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

TIJUANA = ZoneInfo("America/Tijuana")
BOOKINGS = "/admin/booking/booking/"


@pytest.fixture
def booking(booking_rules, clinic_content):
    starts_at = datetime.combine(clinic_today() + timedelta(days=1), time(9), tzinfo=TIJUANA)
    return Booking.objects.create(
        practitioner=Practitioner.objects.first(), starts_at=starts_at, ends_at=starts_at + timedelta(hours=1),
        price=750, patient_name="María López", phone="+526641234567", email="maria@example.com",
        consent_given_at=timezone.now(), privacy_notice=PrivacyNotice.objects.first(),
    )


def history_of(client, booking, **headers):
    return page_text(client.get(f"{BOOKINGS}{booking.pk}/history/", **headers))


def test_a_status_change_reads_as_labels_with_who_made_it(reception, booking):
    reception.post(f"{BOOKINGS}{booking.pk}/confirm/")

    text = history_of(reception, booking)

    assert "Status: Requested → Confirmed" in text
    assert "desk" in text
    assert "confirmed" not in text.replace("Confirmed", "")


def test_the_sequence_is_never_shown_to_staff(reception, booking):
    reception.post(f"{BOOKINGS}{booking.pk}/confirm/")

    assert "equence" not in history_of(reception, booking)
    assert "equence" not in page_text(reception.get(f"{BOOKINGS}{booking.pk}/change/"))


def test_a_moved_booking_shows_both_times_on_the_clinics_clock_and_the_new_practitioner(reception, booking):
    other = Practitioner.objects.create(name="Lic. Soto", position=2)
    booking.starts_at = booking.starts_at.replace(hour=11)
    booking.ends_at = booking.starts_at + timedelta(hours=1)
    booking.practitioner = other
    booking.save()
    day = booking.starts_at.astimezone(TIJUANA)

    text = history_of(reception, booking)

    written = f"{day:%A}, {day:%B} {day.day}, {day.year}"
    assert f"Starts: {written}, 9:00 am → {written}, 11:00 am" in text
    assert "Practitioner: Dra. Ruiz → Lic. Soto" in text


def test_a_change_the_patient_made_online_says_so(reception, booking):
    booking.change_status(Booking.Status.CANCELLED, cancelled_by=Booking.CancelledBy.PATIENT)

    text = history_of(reception, booking)

    assert "Status: Requested → Cancelled" in text and "Cancelled by: — → The patient" in text
    assert "The patient or the system" in text


def test_the_history_reads_in_the_spanish_admin(reception, booking):
    reception.post(f"{BOOKINGS}{booking.pk}/confirm/")
    reception.cookies["django_language"] = "es"

    text = history_of(reception, booking, HTTP_ACCEPT_LANGUAGE="es")

    assert "Estado: Solicitada → Confirmada" in text


def test_the_history_costs_the_same_queries_however_many_changes_there_are(reception, booking):
    def queries_for_history():
        with CaptureQueriesContext(connection) as queries:
            assert reception.get(f"{BOOKINGS}{booking.pk}/history/").status_code == 200
        return len(queries)

    # One change of each kind first: a related row to name costs its query once, not once an entry.
    booking.practitioner = Practitioner.objects.create(name="Locum")
    booking.save()
    booking.change_status(Booking.Status.CONFIRMED)
    queries_for_history()  # the process's first admin page fills caches (content types) once
    few = queries_for_history()
    for number in range(6):
        booking.note = f"Called back {number}"
        booking.practitioner = Practitioner.objects.create(name=f"Locum {number}")
        booking.save()

    assert queries_for_history() == few
