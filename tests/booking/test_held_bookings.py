"""One person holds at most two future first assessments booked online: per phone, per email, per address."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from booking.availability import open_times
from booking.models import Booking, BookingSettings
from booking.services import ADDRESS_HOLDS_PEOPLE, TooManyHeld, book_assessment
from tests.booking.racing import race
from tests.booking.test_admin_reception import slot
from tests.booking.walk import DETAILS, submission_of, url, walk_to_check
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

REFUSED = "You already have 2 upcoming assessments with us, the most one person can book online"
REFUSED_FROM_ADDRESS = "We cannot take more online bookings from this internet connection just now"
REFUSED_ES = "Ya tienes 2 valoraciones próximas con nosotros, el máximo que una persona puede agendar en línea"


@pytest.fixture(autouse=True)
def no_minimum_time(settings):
    settings.BOOKING_MINIMUM_SECONDS = 0


def hold(count, **contact):
    """`count` future assessments already booked online for someone, each at the next open time."""
    for number in range(count):
        book_assessment(
            starts_at=open_times()[0].starts_at,
            **{"patient_name": f"Held {number}", "phone": f"+52664987{number:04d}",
               "email": f"held{number}@example.com", **contact},
        )


def try_a_third(client, language="en", details=None, address="203.0.113.7"):
    _starts_at, submission = walk_to_check(client, language, details=details, note="Both knees, after a 21k.")
    return client.post(url("check", language), {"submission": submission, "consent": "on"}, REMOTE_ADDR=address)


def assert_refused_with_everything_kept(response, clinic, message=REFUSED):
    assert response.status_code == 400
    content = response.content.decode()
    # In the error summary at the top of the check page, the clinic's numbers straight after it.
    summary, after = content.split('class="error-summary"', 1)[1].split("</div>", 1)
    assert message in summary
    assert after.index(clinic.phone_link) < after.index("<h1>") and clinic.whatsapp_link in after
    text = page_text(response)
    assert DETAILS["patient_name"] in text and DETAILS["email"] in text and "Both knees, after a 21k." in text
    assert "<dd>+52 664 123 4567</dd>" in content  # the patient's phone, as typed


@pytest.mark.parametrize("language, message", [("en", REFUSED), ("es", REFUSED_ES)])
def test_a_third_booking_with_the_same_phone_is_refused_with_everything_kept(
        client, booking_rules, clinic_content, clinic, language, message):
    hold(2, phone="+526641234567")  # the number typed as "664 123 4567"

    response = try_a_third(client, language)

    assert_refused_with_everything_kept(response, clinic, message)
    assert Booking.objects.count() == 2
    assert client.session["booking_draft"]["patient_name"] == DETAILS["patient_name"]


def test_a_third_booking_with_the_same_email_in_other_capitals_is_refused(client, booking_rules, clinic_content, clinic):
    hold(2, email="Ana@Example.COM")

    response = try_a_third(client)

    assert_refused_with_everything_kept(response, clinic)
    assert Booking.objects.count() == 2


def test_an_address_shared_by_several_people_holds_three_times_as_many(client, booking_rules, clinic_content, clinic,
                                                                     django_capture_on_commit_callbacks):
    # A family's phones, a gym's Wi-Fi or a mobile carrier share one address: six people, each with their own
    # phone and email, book from it; the address is noted once each booking commits.
    for number in range(2 * ADDRESS_HOLDS_PEOPLE):
        details = {"phone": f"664 555 000{number}", "email": f"other{number}@example.com"}
        with django_capture_on_commit_callbacks(execute=True):
            response = try_a_third(client, details=details)
        assert response.status_code == 302, page_text(response)

    response = try_a_third(client)

    # Told nothing about themselves that may not be true: this person holds no booking.
    assert_refused_with_everything_kept(response, clinic, REFUSED_FROM_ADDRESS)
    assert REFUSED not in page_text(response)
    # Sent again from another address, the same answers are booked.
    again = {"submission": submission_of(client.get(url("check"))), "consent": "on"}
    assert client.post(url("check"), again, REMOTE_ADDR="198.51.100.20").status_code == 302
    assert Booking.objects.count() == 2 * ADDRESS_HOLDS_PEOPLE + 1


def test_cancelled_and_past_bookings_do_not_count(client, booking_rules, clinic_content):
    hold(2, phone="+526641234567")
    first, second = Booking.objects.order_by("starts_at")
    first.change_status(Booking.Status.CANCELLED)
    # The second was this morning's, now over.
    yesterday = timezone.now() - timedelta(days=1)
    Booking.objects.filter(pk=second.pk).update(starts_at=yesterday, ends_at=yesterday + timedelta(hours=1))
    hold(1, phone="+526641234567")

    response = try_a_third(client)

    assert response.status_code == 302, page_text(response)
    assert Booking.objects.filter(phone="+526641234567").active().count() == 3


def test_the_clinic_can_raise_the_limit(client, booking_rules, clinic_content):
    BookingSettings.objects.update(max_future_bookings=3)
    hold(2, phone="+526641234567")

    assert try_a_third(client).status_code == 302


def test_the_desk_can_book_a_third_for_the_same_person(reception, clinic_content):
    hold(2, phone="+526641234567")
    starts_at = open_times(for_staff=True)[0].starts_at

    response = reception.post("/admin/booking/booking/add/", {
        "patient_name": "Ana Sofía López", "phone": "664 123 4567", "email": "ana@example.com",
        "reason": "knee", "note": "", "language": "es", "consent": "on",
        "slot": slot(starts_at),
    })

    assert response.status_code == 302, page_text(response)
    assert Booking.objects.filter(phone="+526641234567", status=Booking.Status.CONFIRMED).count() == 3


ATTEMPTS = 20


@pytest.mark.django_db(transaction=True)
def test_many_bookings_for_one_phone_at_the_same_moment_give_two_and_clear_refusals(booking_rules):
    """Each attempt in its own thread and connection, as phones pressing "Book assessment" at once, each a different time."""
    times = [open_time.starts_at for open_time in open_times()[:ATTEMPTS]]

    def attempt(starts_at, number):
        book_assessment(starts_at=starts_at, patient_name="Ana Sofía López", phone="664 123 4567",
                        email=f"ana{number}@example.com")
        return "booked"

    outcomes = race(attempt, [(starts_at, n) for n, starts_at in enumerate(times)], {TooManyHeld: "refused"})

    assert outcomes == Counter({"booked": 2, "refused": ATTEMPTS - 2})
    assert Booking.objects.filter(phone="+526641234567").count() == 2


def test_the_limit_is_at_least_one(booking_rules):
    from django.core.exceptions import ValidationError

    booking_rules.max_future_bookings = 0
    with pytest.raises(ValidationError) as refused:
        booking_rules.full_clean()
    assert "max_future_bookings" in refused.value.message_dict
