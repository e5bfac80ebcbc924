"""Online bookings are booked on the spot, unless the clinic reviews them: then a request, with a firm confirm-by time."""

import re
from datetime import datetime, time

import pytest
from django.utils import translation

from booking.models import Booking, OpeningHours
from booking.review import confirm_by, confirm_by_label
from clinic.clock import CLINIC_TZ
from tests.booking.walk import book, url, walk_to_check
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_minimum_time(settings):
    settings.BOOKING_MINIMUM_SECONDS = 0


def sent_to(mailoutbox, address):
    return [message for message in mailoutbox if message.to == [address]]


def calendar_attachment(message):
    (name, content, _mimetype), = [part for part in message.attachments if part[0].endswith(".ics")]
    return name, content if isinstance(content, str) else content.decode()


def unfolded(ics):
    """The iCalendar text with its folded lines joined, as a calendar reads it."""
    return ics.replace("\r\n ", "").replace("\n ", "")


@pytest.mark.parametrize("language, booked, email_subject, clinic_subject, filename, greeting", [
    pytest.param("en", "Assessment booked", "Assessment booked:", "New booking", "assessment-", "Hello Ana Sofía,",
                 id="english"),
    pytest.param("es", "Valoración agendada", "Valoración agendada:", "New booking", "valoracion-", "Hola, Ana Sofía:",
                 id="spanish"),
])
def test_an_online_booking_is_booked_on_the_spot(client, booking_rules, clinic_content, mailoutbox, run_worker,
                                               language, booked, email_subject, clinic_subject, filename, greeting):
    response = book(client, language)
    assert response.status_code == 302 and response["Location"] == url("confirmation", language)

    booking = Booking.objects.get()
    assert booking.status == Booking.Status.CONFIRMED and booking.language == language

    text = page_text(client.get(response["Location"]))
    assert booked in text and booking.reference in text
    assert "Request sent" not in text and "Solicitud enviada" not in text

    run_worker()
    (patient_email,) = sent_to(mailoutbox, "ana@example.com")
    assert patient_email.subject.startswith(email_subject) and booking.reference in patient_email.subject
    assert greeting in patient_email.body and "López" not in patient_email.body  # given names, no surname
    name, ics = calendar_attachment(patient_email)
    assert name == f"{filename}{booking.reference}.ics"
    assert "STATUS:CONFIRMED" in ics
    # The clinic hears of a booking it did not make itself, and nothing asks it to answer.
    (clinic_email,) = sent_to(mailoutbox, "clinic@example.com")
    assert clinic_email.subject.startswith(clinic_subject) and "answer by" not in clinic_email.subject

    calendar = client.get(url("calendar", language, token=booking.token))
    assert calendar.status_code == 200 and f'filename="{filename}{booking.reference}.ics"' in calendar["Content-Disposition"]
    assert "STATUS:CONFIRMED" in calendar.content.decode()


@pytest.mark.parametrize("language, check_button, sent, confirm_by", [
    pytest.param("en", "Send request", "Request sent", "We confirm by", id="english"),
    pytest.param("es", "Enviar solicitud", "Solicitud enviada", "Te confirmamos a más tardar el", id="spanish"),
])
def test_a_clinic_that_reviews_bookings_gets_a_request_with_a_firm_time_everywhere(
        client, review_requests, clinic_content, mailoutbox, run_worker, language, check_button, sent, confirm_by):
    _starts_at, submission = walk_to_check(client, language)
    check_page = page_text(client.get(url("check", language)))
    assert check_button in check_page
    response = client.post(url("check", language), {"submission": submission, "consent": "on"})

    booking = Booking.objects.get()
    assert booking.status == Booking.Status.REQUESTED
    with translation.override(language):
        promise = confirm_by_label(booking.created_at, booking.starts_at)
    assert re.search(r"\d:\d\d", promise)  # a time of day, not "soon"

    text = page_text(client.get(response["Location"]))
    assert sent in text and f"{confirm_by} {promise}" in text

    run_worker()
    (patient_email,) = sent_to(mailoutbox, "ana@example.com")
    assert promise in patient_email.subject and promise in patient_email.body
    _name, ics = calendar_attachment(patient_email)
    assert "STATUS:TENTATIVE" in ics and promise in unfolded(ics).replace("\\,", ",")
    # The clinic sees the time it promised, in its own language.
    (clinic_email,) = sent_to(mailoutbox, "clinic@example.com")
    with translation.override("en"):
        assert confirm_by_label(booking.created_at, booking.starts_at) in clinic_email.subject


def at(year, month, day, hour, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=CLINIC_TZ)


def requested(make_booking, created_at, starts_at):
    booking = make_booking(status=Booking.Status.REQUESTED, starts_at=starts_at)
    # created_at is set by the database when the row is written; the promise counts from it.
    Booking.objects.filter(pk=booking.pk).update(created_at=created_at)
    booking.refresh_from_db()
    return booking


def test_a_request_on_friday_evening_is_answered_within_four_opening_hours_of_saturday(
        client, review_requests, make_booking, mailoutbox, run_worker):
    # Open until 20:00 on Friday, then Saturday 09:00–14:00; closed on Sunday.
    OpeningHours.objects.all().delete()
    for weekday in range(5):
        OpeningHours.objects.create(weekday=weekday, opens=time(8), closes=time(20))
    OpeningHours.objects.create(weekday=5, opens=time(9), closes=time(14))
    # Friday 26 February 2027 at 19:30, for Tuesday 2 March: half an hour on Friday, three and a half on Saturday.
    booking = requested(make_booking, created_at=at(2027, 2, 26, 19, 30), starts_at=at(2027, 3, 2, 10))

    manage = page_text(client.get(url("manage", token=booking.token)))
    assert "we confirm by Saturday, February 27, 12:30 pm (Tijuana time)" in manage
    spanish = page_text(client.get(url("manage", "es", token=booking.token)))
    assert "a más tardar el sábado 27 de febrero, 12:30 h (hora de Tijuana)" in spanish
    ics = unfolded(client.get(url("calendar", token=booking.token)).content.decode()).replace("\\,", ",")
    assert "confirms by Saturday, February 27, 12:30 pm (Tijuana time)" in ics


def test_a_request_at_night_for_eight_the_next_morning_is_answered_two_hours_before_it(
        client, review_requests, make_booking):
    # At 19:30 only half an opening hour is left before 08:00; the patient still hears before setting out.
    booking = requested(make_booking, created_at=at(2027, 3, 1, 19, 30), starts_at=at(2027, 3, 2, 8))

    manage = page_text(client.get(url("manage", token=booking.token)))
    assert "we confirm by Tuesday, March 2, 6:00 am (Tijuana time)" in manage


def test_the_promise_is_never_after_the_assessment_itself(review_requests):
    for starts_at in (at(2027, 3, 2, 8), at(2027, 3, 1, 20, 30), at(2027, 3, 1, 21)):
        promise = confirm_by(at(2027, 3, 1, 19, 30), starts_at)
        assert at(2027, 3, 1, 19, 30) < promise < starts_at


def test_a_request_the_patient_moves_is_promised_an_answer_afresh_and_the_clinic_is_told(
    client, review_requests, clinic_content, mailoutbox, run_worker
):
    from datetime import timedelta

    from django.utils import timezone

    from booking.availability import open_times
    from booking.services import book_assessment, move_booking

    later = [open_time for open_time in open_times() if open_time.starts_at > timezone.now() + timedelta(days=5)]
    request = book_assessment(starts_at=later[0].starts_at, patient_name="Ana Gómez", phone="+526645550303",
                              email="ana@example.com")
    # Made three days ago: the answer it was promised has gone by, unanswered.
    Booking.objects.filter(pk=request.pk).update(created_at=timezone.now() - timedelta(days=3))
    request.refresh_from_db()
    manage = page_text(client.get(request.get_manage_url()))
    assert "we confirm by" not in manage and "the clinic has not answered yet" in manage
    run_worker()
    mailoutbox.clear()

    moved = move_booking(request, later[3].starts_at, by_patient=True)
    run_worker()

    promise = confirm_by_label(moved.review_from, moved.starts_at)
    assert f"we confirm by {promise}" in page_text(client.get(moved.get_manage_url()))
    to_patient, = sent_to(mailoutbox, "ana@example.com")
    assert promise in to_patient.body
    to_clinic = [message for message in mailoutbox if message.to != ["ana@example.com"]]
    assert len(to_clinic) == 1 and to_clinic[0].subject.startswith(f"New request {moved.reference}")
    assert promise in to_clinic[0].subject
