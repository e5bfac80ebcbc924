from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from booking import availability
from booking.models import Booking, Practitioner
from booking.services import book_assessment
from clinic.models import Clinic
from conditions.models import Condition
from privacy.models import PrivacyNotice

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
