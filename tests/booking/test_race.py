"""Many patients pressing "Book assessment" for the same time at once.

Each attempt runs in its own thread with its own database connection, as
concurrent requests do, on SQLite locally and on PostgreSQL in CI.
"""

from collections import Counter

import pytest

from booking.availability import open_times
from booking.models import Booking
from booking.services import TimeTaken, book_assessment
from team.models import Practitioner
from tests.booking.racing import race

ATTEMPTS = 50


def race_for(starts_at, attempts=ATTEMPTS):
    def attempt(number):
        book_assessment(
            starts_at=starts_at,
            patient_name=f"Patient {number}",
            phone=f"+5266412{number:05d}",
            email=f"patient{number}@example.com",
        )
        return "booked"

    return race(attempt, [(n,) for n in range(attempts)], {TimeTaken: "taken"})


@pytest.mark.django_db(transaction=True)
def test_fifty_attempts_at_the_last_seat_give_one_booking_and_forty_nine_clear_answers(booking_rules):
    starts_at = open_times()[0].starts_at

    outcomes = race_for(starts_at)

    assert outcomes == Counter({"booked": 1, "taken": ATTEMPTS - 1})
    assert Booking.objects.filter(starts_at=starts_at).count() == 1
    assert Booking.objects.get().emails.count() == 2  # its emails were queued with it, nobody else's


@pytest.mark.django_db(transaction=True)
def test_when_one_practitioner_is_taken_the_next_free_one_is_booked(booking_rules):
    Practitioner.objects.create(name="Lic. Soto", position=2)
    starts_at = open_times()[0].starts_at

    outcomes = race_for(starts_at)

    assert outcomes == Counter({"booked": 2, "taken": ATTEMPTS - 2})
    booked = Booking.objects.filter(starts_at=starts_at)
    assert sorted(booked.values_list("practitioner__name", flat=True)) == ["Dra. Ruiz", "Lic. Soto"]


@pytest.mark.django_db(transaction=True)
def test_the_database_itself_refuses_a_second_active_booking_at_one_time(booking_rules):
    from django.db import IntegrityError, transaction

    starts_at = open_times()[0].starts_at
    first = book_assessment(starts_at=starts_at, patient_name="A", phone="+526641230000", email="a@example.com")
    duplicate = Booking(
        practitioner=first.practitioner, starts_at=first.starts_at, ends_at=first.ends_at, price=750,
        patient_name="B", phone="+526641230001", email="b@example.com",
        consent_given_at=first.consent_given_at, privacy_notice=first.privacy_notice,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()

    # Once the first is cancelled, the time can be booked again.
    Booking.objects.filter(pk=first.pk).update(status=Booking.Status.CANCELLED)
    duplicate.save()
    assert Booking.objects.active().count() == 1
