"""The reminder's one-tap answers: "I'll be there" (a POST behind the link's page) and "I need to change"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertContains, assertNotContains

from booking.models import Booking, BookingSettings
from booking.services import send_due_reminders
from clinic.clock import CLINIC_TZ
from tests.booking.test_patient_moves import new_booking
from tests.helpers import page_text

pytestmark = pytest.mark.django_db
SITE = "https://returntorunning.example"


def url(name, booking, language="en"):
    with translation.override(language):
        return reverse(f"booking:{name}", kwargs={"token": booking.token})


@pytest.fixture
def booking(booking_rules, clinic):
    """Confirmed, three days ahead: before the cut-off."""
    return new_booking(timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=3))


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_reminder_links_to_the_answer_page_in_the_patients_language(
    booking, language, settings, run_worker, mailoutbox
):
    settings.SITE_URL = SITE
    Booking.objects.filter(pk=booking.pk).update(
        language=language, starts_at=timezone.now() + timedelta(hours=20), ends_at=timezone.now() + timedelta(hours=21)
    )
    assert send_due_reminders() == 1
    run_worker()

    [message] = mailoutbox
    reply = SITE + url("reply", booking, language)
    assert f"{reply}\n" in message.body and f"{reply}#change" in message.body
    [(html, _mimetype)] = message.alternatives
    assert f'href="{reply}"' in html and f'href="{reply}#change"' in html
    if language == "es":
        assert "/es/reservar/mi-cita/" in reply and reply.endswith("/responder/")
        assert "Ahí estaré" in message.body


def test_opening_the_answer_page_records_nothing(client, booking):
    # A mail scanner following every link in the email must answer nothing for the patient.
    response = client.get(url("reply", booking))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store, private"
    text = page_text(response)
    assert "I'll be there" in text and "I need to change" in text
    assertContains(response, f'href="{url("move", booking)}"')
    booking.refresh_from_db()
    assert booking.patient_confirmed_at is None


def test_ill_be_there_is_recorded_once_and_thanks_the_patient(client, booking):
    response = client.post(url("reply", booking))
    assert response.status_code == 302 and response["Location"] == url("manage", booking)
    booking.refresh_from_db()
    first = booking.patient_confirmed_at
    assert first is not None
    text = page_text(client.get(response["Location"]))
    assert "Thank you. We look forward to seeing you on" in text and "You told us you'll be there." in text

    client.post(url("reply", booking))
    booking.refresh_from_db()
    assert booking.patient_confirmed_at == first
    assert not booking.emails.exists()  # an answer sends nobody an email
    assert "You told us you'll be there. Thank you." in page_text(client.get(url("reply", booking)))


def test_a_cancelled_booking_cannot_be_answered(client, booking):
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)
    assert client.get(url("reply", booking))["Location"] == url("manage", booking)
    assert client.post(url("reply", booking)).status_code == 409
    booking.refresh_from_db()
    assert booking.patient_confirmed_at is None


def test_inside_the_cut_off_i_need_to_change_says_to_call_or_message(client, booking):
    BookingSettings.objects.update(cancellation_cutoff_hours=24 * 30)
    response = client.get(url("reply", booking))
    text = page_text(response)
    assert "can no longer be changed online" in text
    assertContains(response, 'id="change"')
    assertContains(response, 'href="tel:')
    assertContains(response, "https://wa.me/")


def test_inside_the_cut_off_a_clinic_with_only_an_email_still_says_why(client, booking):
    from clinic.models import Clinic

    BookingSettings.objects.update(cancellation_cutoff_hours=24 * 30)
    Clinic.objects.update(phone="", whatsapp="", email="hola@example.com")
    response = client.get(url("reply", booking))
    text = page_text(response)
    assert "can no longer be changed online" in text
    assertContains(response, 'href="mailto:hola@example.com"')
    assertNotContains(response, 'href="tel:')


def test_the_answer_page_is_in_spanish_under_es(client, booking):
    response = client.get(url("reply", booking, "es"))
    text = page_text(response)
    assert "¿Vienes a tu valoración?" in text and "Ahí estaré" in text


def test_staff_see_who_said_they_will_come(reception, booking):
    Booking.objects.filter(pk=booking.pk).update(patient_confirmed_at=timezone.now())
    listing = page_text(reception.get("/admin/booking/booking/?when=all"))
    assert "✓ Patient confirmed" in listing
    change = page_text(reception.get(f"/admin/booking/booking/{booking.pk}/change/"))
    assert "patient said they will come" in change.lower()
    day = timezone.localtime(booking.starts_at, CLINIC_TZ).date()
    calendar = page_text(reception.get(f"/admin/booking/booking/calendar/?date={day.isoformat()}"))
    assert "✓ Patient confirmed" in calendar
