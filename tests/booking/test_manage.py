from datetime import timedelta

import pytest
from django.utils import timezone

from booking.availability import open_times
from booking.models import Booking, BookingSettings
from booking.services import book_assessment, confirm_booking
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def book_online():
    return book_assessment(
        starts_at=open_times()[-1].starts_at,
        patient_name="Ana López",
        phone="+526641234567",
        email="ana@example.com",
        note="Knee pain since the half marathon",
    )


@pytest.fixture
def booking(booking_rules, clinic_content):
    """Booked online as the clinic does by default: confirmed there and then."""
    return book_online()


@pytest.fixture
def request_sent(review_requests, clinic_content):
    """Sent online to a clinic that reviews its bookings: requested until the clinic answers."""
    return book_online()


def test_the_private_link_shows_the_booking_and_where_it_stands(client, request_sent):
    booking = request_sent
    response = client.get(f"/book/manage/{booking.token}/")
    text = page_text(response)
    assert "Request sent: we confirm by " in text and ", by email." in text
    assert booking.reference in text and "$750 MXN" in text and "(Tijuana time)" in text
    assert response["Cache-Control"] == "no-store, private"
    assert "noindex" in response["X-Robots-Tag"]


def test_the_link_is_a_token_never_the_id_or_personal_data(client, booking):
    assert str(booking.pk) != booking.token and len(booking.token) >= 40
    assert client.get(f"/book/manage/{booking.pk}/").status_code == 404
    assert client.get("/book/manage/" + "x" * 500 + "/").status_code == 404
    assert "ana@example.com" not in booking.get_manage_url() and "6641234567" not in booking.get_manage_url()


def test_cancelling_takes_a_post_behind_a_button(client, booking):
    # A mail scanner following every link in the email must cancel nothing.
    page = client.get(f"/book/manage/{booking.token}/cancel/")
    assert page.status_code == 200 and "Yes, cancel my assessment" in page_text(page)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED

    response = client.post(f"/book/manage/{booking.token}/cancel/")
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.sequence == 1
    assert booking.emails.filter(kind="cancelled").count() == 1
    assert "This booking is cancelled." in page_text(client.get(response["Location"]))


def test_cancelling_from_two_tabs_at_once_cancels_once_and_shows_the_booking(client, booking, monkeypatch):
    import booking.views.manage as manage_views
    from booking.services import cancel_booking

    # The second tab read the booking before the first tab's cancel was committed.
    stale = Booking.objects.get(pk=booking.pk)
    cancel_booking(booking, cancelled_by=Booking.CancelledBy.PATIENT)
    monkeypatch.setattr(manage_views, "_booking_by_token", lambda token: stale)

    response = client.post(f"/book/manage/{booking.token}/cancel/")

    assert response.status_code == 302 and response["Location"] == booking.get_manage_url()
    assert Booking.objects.get(pk=booking.pk).emails.filter(kind="cancelled").count() == 1


def test_a_cancelled_time_is_open_again(client, booking):
    client.post(f"/book/manage/{booking.token}/cancel/")
    assert booking.starts_at in [t.starts_at for t in open_times()]


def test_past_the_cut_off_the_patient_is_asked_to_call_or_message(client, booking):
    BookingSettings.objects.update(cancellation_cutoff_hours=24 * 60)
    response = client.get(f"/book/manage/{booking.token}/")
    assert "can no longer be changed online" in page_text(response)
    assert "Cancel this booking" not in page_text(response)
    response = client.post(f"/book/manage/{booking.token}/cancel/")
    assert response.status_code == 409
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_a_booking_made_online_says_it_is_confirmed(client, booking):
    text = page_text(client.get(f"/book/manage/{booking.token}/"))
    assert "Confirmed." in text and "Request sent" not in text


def test_a_request_the_clinic_confirms_says_so(client, request_sent):
    confirm_booking(request_sent)
    text = page_text(client.get(f"/book/manage/{request_sent.token}/"))
    assert "Confirmed." in text and "Request sent" not in text


def test_the_calendar_file_downloads_from_the_private_link(client, booking):
    response = client.get(f"/book/manage/{booking.token}/assessment.ics")
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in response.content and booking.reference.encode() in response.content
    assert b"Knee pain" not in response.content  # health details stay out of calendars


def test_a_declined_request_offers_another_time(client, request_sent):
    from booking.services import decline_booking

    decline_booking(request_sent, reason="Our physiotherapist is away that day.")
    text = page_text(client.get(f"/book/manage/{request_sent.token}/"))
    assert "Our physiotherapist is away that day." in text and "Book another time" in text


def test_a_cancelled_booking_cannot_be_confirmed(booking):
    from booking.models import InvalidTransition
    from booking.services import cancel_booking

    cancel_booking(booking)
    with pytest.raises(InvalidTransition):
        confirm_booking(booking)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_booking_in_the_past_cannot_be_cancelled_online(client, booking):
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=timezone.now() - timedelta(days=1), ends_at=timezone.now() - timedelta(days=1, hours=-1)
    )
    assert client.post(f"/book/manage/{booking.token}/cancel/").status_code == 409


def test_moving_a_booking_takes_the_new_time_frees_the_old_and_tells_the_patient(booking):
    from booking.services import move_booking

    old_time = booking.starts_at
    new_time = open_times()[0].starts_at
    moved = move_booking(booking, new_time)
    assert moved.starts_at == new_time and moved.sequence == 1
    assert moved.emails.filter(kind="changed").count() == 1
    open_now = [t.starts_at for t in open_times()]
    assert old_time in open_now and new_time not in open_now


def test_a_booking_cannot_be_moved_onto_a_taken_time(booking):
    from booking.services import TimeTaken, move_booking

    other = book_assessment(starts_at=open_times()[0].starts_at, patient_name="B", phone="+526641230001", email="b@example.com")
    with pytest.raises(TimeTaken):
        move_booking(booking, other.starts_at)
    booking.refresh_from_db()
    assert booking.sequence == 0 and not booking.emails.filter(kind="changed").exists()


def test_the_footer_shows_the_week_with_days_of_equal_hours_together(client, booking_rules, clinic_content):
    from datetime import time

    from booking.models import OpeningHours

    OpeningHours.objects.filter(weekday=6).delete()
    OpeningHours.objects.filter(weekday=5).update(opens=time(9), closes=time(13))
    text = page_text(client.get("/"))
    assert "Monday to Friday 8:00 am–8:00 pm" in text
    assert "Saturday 9:00 am–1:00 pm" in text and "Sunday" not in text
    assert "Privacy notice" in text
