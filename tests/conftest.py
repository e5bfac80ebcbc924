import signal
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from booking import availability
from booking.models import Booking, Practitioner
from booking.services import book_assessment
from clinic.models import Clinic
from clinic_site.staff_groups import CLINIC_EDITORS
from conditions.models import Condition, ServicePage
from privacy.models import PrivacyNotice
from tests.helpers import staff_member


@pytest.fixture(autouse=True)
def english_between_tests():
    """A request under /es/ leaves Spanish active in the thread; every test starts in English."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def clinic_content(db):
    call_command("load_clinic_content", stdout=open("/dev/null", "w"))
    return ServicePage.objects.get()


@pytest.fixture
def editor(db):
    """A receptionist's account: staff, in the Clinic editors group, nothing more."""
    return staff_member("reception", CLINIC_EDITORS)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def booking_rules(db):
    """A clinic open 08:00–20:00 every day with one practitioner, a privacy notice and default rules."""
    from datetime import time

    from booking.models import BookingSettings, OpeningHours, Practitioner
    from clinic.models import Clinic
    from privacy.models import PrivacyNotice

    # Replaces whatever load_clinic_content set, whichever fixture ran first.
    Clinic.objects.get_or_create(defaults={"name": "Return to Running", "email": "clinic@example.com"})
    BookingSettings.objects.all().delete()
    OpeningHours.objects.all().delete()
    Practitioner.objects.all().delete()
    BookingSettings.objects.create(assessment_minutes=60, minimum_notice_hours=12, horizon_days=28)
    for weekday in range(7):
        OpeningHours.objects.create(weekday=weekday, opens=time(8), closes=time(20))
    Practitioner.objects.create(name="Dra. Ruiz", position=1)
    PrivacyNotice.objects.get_or_create(version=1, defaults={"title": "Privacy notice", "body": "How we use your data."})
    return BookingSettings.objects.get()


@pytest.fixture
def run_worker(monkeypatch):
    """Runs `manage.py db_worker --batch`: every task that is due, then stops.

    The worker closes "old" connections between tasks; inside a test's
    transaction that would close the test's own connection, so it is kept.
    """
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)

    def run():
        # The worker installs its own shutdown handlers; give pytest its own back.
        saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        try:
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        finally:
            for number, handler in saved.items():
                signal.signal(number, handler)

    return run


# Bookings, written straight to the database or booked the way the form does.

TIJUANA = ZoneInfo("America/Tijuana")


@pytest.fixture
def clinic(db):
    return Clinic.objects.create(
        name="Return to Running",
        street_address="Paseo de los Héroes 9350",
        postal_code="22010",
        phone="+52 664 123 4567",
        whatsapp="+52 664 765 4321",
        email="hola@returntorunning.example",
    )


@pytest.fixture
def practitioner(db):
    return Practitioner.objects.create(name="Ana Ruiz")


@pytest.fixture
def privacy_notice(db):
    return PrivacyNotice.objects.create(
        version=1, title="Privacy notice", body="How we use your data.", published_at=timezone.now() - timedelta(days=1)
    )


@pytest.fixture
def knee_condition(db):
    return Condition.objects.create(name="Runner's knee", slug="runners-knee", summary="Pain around the kneecap.")


@pytest.fixture
def patient_details(knee_condition):
    """What a patient types in; the note and condition are health details that must stay out of calendars."""
    return {
        "patient_name": "María Fernanda López",
        "phone": "+526641234567",
        "email": "maria.lopez@example.com",
        "condition": knee_condition,
        "note": "Knee swells after 10 km since the Tijuana half marathon",
        "language": "en",
    }


@pytest.fixture
def make_booking(clinic, practitioner, privacy_notice, patient_details):
    """A booking written straight to the database, by default on Tuesday 2 March 2027 at 10:00 Tijuana time."""

    def make(**fields):
        starts_at = fields.pop("starts_at", datetime(2027, 3, 2, 10, 0, tzinfo=TIJUANA))
        return Booking.objects.create(
            **{
                **patient_details,
                "practitioner": practitioner,
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=1),
                "price": clinic.assessment_price,
                "consent_given_at": timezone.now(),
                "privacy_notice": privacy_notice,
                **fields,
            }
        )

    return make


@pytest.fixture
def booking(make_booking):
    return make_booking()


@pytest.fixture
def book(clinic, booking_rules, patient_details):
    """Book the first open time the way the booking form does.

    `clinic` comes before `booking_rules` so the rules find this clinic, with
    its WhatsApp number and email, rather than making a bare one.
    """

    def book_first_open_time(**details):
        starts_at = availability.open_times()[0].starts_at
        return book_assessment(starts_at=starts_at, **{**patient_details, **details})

    return book_first_open_time
