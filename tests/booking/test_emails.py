import logging
import re
import socket
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from booking.emails import build_message
from booking.models import Booking, BookingSettings, OutgoingEmail
from booking.services import cancel_booking, confirm_booking, decline_booking
from booking.tasks import queue_emails

from .smtp_sink import SMTPSink

TIJUANA = ZoneInfo("America/Tijuana")
SITE = "https://returntorunning.example"
CLINIC_INBOX = "hola@returntorunning.example"
PATIENT_KINDS = [kind for kind in OutgoingEmail.Kind.values if not kind.startswith("clinic_")]


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def email_to(mailoutbox, address):
    [message] = [m for m in mailoutbox if m.to == [address]]
    return message


def html_of(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def calendar_file(message):
    [attachment] = [a for a in message.attachments if a.mimetype.startswith("text/calendar")]
    return attachment


def calendar_event(message):
    calendar = Calendar.from_ical(calendar_file(message).content)
    [event] = calendar.events
    return calendar, event


def test_a_new_request_emails_the_clinic_and_the_patient(book, run_worker, mailoutbox, review_requests):
    booking = book()
    run_worker()

    assert sorted(m.to[0] for m in mailoutbox) == sorted([CLINIC_INBOX, booking.email])
    assert OutgoingEmail.objects.unsent().count() == 0

    to_clinic = email_to(mailoutbox, CLINIC_INBOX)
    when = timezone.localtime(booking.starts_at, TIJUANA)
    for text in (to_clinic.body, html_of(to_clinic)):
        assert "María Fernanda López" in text
        assert "+52 664 123 4567" in text
        assert booking.email in text
        assert "Runner" in text  # the reason
        assert "Knee swells after 10 km" in text  # the note
        assert f"{when:%-I:%M} {when:%p}".lower() + " (Tijuana time)" in text  # e.g. 7:00 pm
        assert f"{SITE}/admin/booking/booking/{booking.pk}/change/" in text
    assert to_clinic.reply_to == [booking.email]
    assert not to_clinic.attachments

    to_patient = email_to(mailoutbox, booking.email)
    # A request, not a booking: the patient is told by when the clinic answers.
    assert to_patient.subject.startswith("Request sent for ")
    assert ": we confirm by " in to_patient.subject
    assert booking.reference in to_patient.subject
    assert "We will confirm it by" in to_patient.body


def test_new_requests_go_to_the_notification_address_when_one_is_set(book, run_worker, mailoutbox, review_requests):
    BookingSettings.objects.update(notification_email="desk@returntorunning.example")
    book()
    run_worker()

    assert email_to(mailoutbox, "desk@returntorunning.example").subject.startswith("New request RTR-")


def test_the_patient_email_carries_the_calendar_file(booking, run_worker, mailoutbox, review_requests):
    queue_emails(booking, OutgoingEmail.Kind.RECEIVED)
    run_worker()

    [message] = mailoutbox
    attachment = calendar_file(message)
    assert attachment.mimetype == "text/calendar; method=REQUEST"
    # Named for the booking, so two bookings' files never overwrite each other in a downloads folder.
    assert attachment.filename == f"assessment-{booking.reference}.ics"
    calendar, event = calendar_event(message)
    assert calendar["METHOD"] == "REQUEST"
    assert event.uid.startswith(booking.reference)
    assert event.start == datetime(2027, 3, 2, 10, 0, tzinfo=TIJUANA)
    # As sent: the calendar part keeps its method where mail clients look for it.
    part = next(p for p in message.message().walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == f"assessment-{booking.reference}.ics"


def test_the_patient_email_has_what_the_patient_needs_on_the_day(booking, run_worker, mailoutbox, review_requests):
    queue_emails(booking, OutgoingEmail.Kind.RECEIVED)
    run_worker()

    [message] = mailoutbox
    assert message.to == [booking.email]
    assert message.reply_to == [CLINIC_INBOX]
    for text in (message.body, html_of(message)):
        assert booking.reference in text
        assert "Tuesday, March 2, 2027, 10:00 am (Tijuana time)" in text
        assert "Paseo de los Héroes 9350" in text
        assert "https://www.google.com/maps/search/?api=1" in text
        assert "$750 MXN" in text
        for item in ("Comfortable clothes to move and run in", "Your running shoes", "Any scans or surgical reports"):
            assert item in text
        assert "medicines" in text
        assert f"{SITE}/book/manage/{booking.token}/" in text
        assert "See, change or cancel your booking" in text  # the private page can move it too
        assert "https://wa.me/526647654321" in text
        assert "cancel online up to 24 hours before" in text


def test_the_whatsapp_message_carries_the_reference_and_time_only(booking, run_worker, mailoutbox):
    queue_emails(booking, OutgoingEmail.Kind.RECEIVED)
    run_worker()

    [message] = mailoutbox
    link = next(word for word in message.body.split() if word.startswith("https://wa.me/"))
    assert booking.reference in link
    assert "knee" not in link.lower()


def test_there_is_no_whatsapp_link_when_the_clinic_has_none(booking, clinic, run_worker, mailoutbox):
    clinic.whatsapp = ""
    clinic.save()
    queue_emails(booking, OutgoingEmail.Kind.RECEIVED)
    run_worker()

    [message] = mailoutbox
    assert "wa.me" not in message.body
    assert "WhatsApp" not in html_of(message)


def in_step_with(booking, kind):
    """Put the booking in the state its email speaks of: an out-of-date email is not sent."""
    if kind in (OutgoingEmail.Kind.CONFIRMED, OutgoingEmail.Kind.REMINDER):
        Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CONFIRMED, reminded_for=booking.starts_at)
        booking.refresh_from_db()


@pytest.mark.parametrize("kind", PATIENT_KINDS)
def test_patient_emails_keep_health_details_out(kind, booking, run_worker, mailoutbox):
    in_step_with(booking, kind)
    queue_emails(booking, kind)
    run_worker()

    [message] = mailoutbox
    for text in (message.subject, message.body, html_of(message)):
        assert "knee" not in text.lower()
        assert "Knee swells" not in text
    assert booking.reference in message.subject


def test_a_confirmation_says_so_and_updates_the_calendar_entry(booking, run_worker, mailoutbox, review_requests):
    queue_emails(booking, OutgoingEmail.Kind.RECEIVED)  # as a request sent online is
    run_worker()
    mailoutbox.clear()
    confirm_booking(booking)
    run_worker()

    [message] = mailoutbox
    assert message.subject.startswith("Assessment confirmed: Tuesday, March 2, 2027, 10:00 am")
    assert "Your first assessment is confirmed. You will see Ana Ruiz." in message.body
    calendar, event = calendar_event(message)
    assert calendar["METHOD"] == "REQUEST"
    assert event["STATUS"] == "CONFIRMED"
    assert event.sequence == 1


def test_a_declined_request_gives_the_reason_and_a_way_to_book_again(booking, run_worker, mailoutbox, review_requests):
    decline_booking(booking, reason="The physiotherapist is away that week.")
    run_worker()

    [message] = mailoutbox
    assert "cannot see you at the time you asked for" in message.body
    for text in (message.body, html_of(message)):
        assert "The physiotherapist is away that week." in text
        assert f'{SITE}/book/' in text
        assert "What to bring" not in text
    assert calendar_file(message).mimetype == "text/calendar; method=CANCEL"


def test_a_cancellation_sends_method_cancel_with_a_higher_sequence(booking, run_worker, mailoutbox, review_requests):
    confirm_booking(booking)
    run_worker()
    cancel_booking(booking)
    run_worker()

    confirmed, cancelled = mailoutbox
    assert cancelled.subject.startswith("Assessment cancelled:")
    assert calendar_file(cancelled).mimetype == "text/calendar; method=CANCEL"
    confirmed_calendar, confirmed_event = calendar_event(confirmed)
    cancelled_calendar, cancelled_event = calendar_event(cancelled)
    assert cancelled_calendar["METHOD"] == "CANCEL"
    assert cancelled_event["STATUS"] == "CANCELLED"
    assert cancelled_event.uid == confirmed_event.uid
    assert cancelled_event.sequence > confirmed_event.sequence
    assert "What to bring" not in cancelled.body
    assert f"{SITE}/book/" in cancelled.body


def test_a_moved_booking_gives_the_new_time_and_moves_the_calendar_entry(booking, run_worker, mailoutbox, review_requests):
    new_start = datetime(2027, 3, 4, 17, 0, tzinfo=TIJUANA)
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=new_start, ends_at=new_start + timedelta(hours=1), sequence=booking.sequence + 1
    )
    queue_emails(booking, OutgoingEmail.Kind.CHANGED)
    run_worker()

    [message] = mailoutbox
    assert "Your assessment has moved to Thursday, March 4, 2027, 5:00 pm (Tijuana time)." in message.body
    calendar, event = calendar_event(message)
    assert calendar["METHOD"] == "REQUEST"
    assert event.start == new_start
    assert event.sequence == 1


def test_a_spanish_booking_is_emailed_in_spanish_and_the_clinic_in_english(book, run_worker, mailoutbox, review_requests):
    booking = book(language="es")
    run_worker()

    to_patient = email_to(mailoutbox, booking.email)
    assert f"{SITE}/es/reservar/mi-cita/{booking.token}/" in to_patient.body
    assert '<html lang="es">' in html_of(to_patient)
    weekday = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
    assert weekday[timezone.localtime(booking.starts_at, TIJUANA).weekday()] in to_patient.subject

    to_clinic = email_to(mailoutbox, CLINIC_INBOX)
    assert '<html lang="en">' in html_of(to_clinic)
    assert "New request for a first assessment" in to_clinic.body
    assert "Spanish" in to_clinic.body


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", OutgoingEmail.Kind.values)
def test_every_email_renders_in_english_and_spanish(kind, language, make_booking):
    booking = make_booking(language=language, decline_reason="Closed for training.")
    message = build_message(OutgoingEmail(booking=booking, kind=kind))

    assert booking.reference in message.subject
    assert "\n" not in message.subject
    assert booking.reference in message.body
    assert booking.reference in html_of(message)
    assert "{%" not in message.body + html_of(message)
    assert "{{" not in message.body + html_of(message)


def a_port_where_nothing_listens():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_mail_server_that_is_down_loses_nothing_and_delivers_exactly_once(book, run_worker, settings, caplog, review_requests):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = a_port_where_nothing_listens()
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5

    with caplog.at_level(logging.DEBUG):
        booking = book()
        run_worker()

    assert Booking.objects.filter(pk=booking.pk, status=Booking.Status.REQUESTED).exists()
    emails = OutgoingEmail.objects.filter(booking=booking)
    assert emails.count() == 2
    for email in emails:
        assert email.sent_at is None
        assert email.attempts == 1
        assert email.last_error == "ConnectionRefusedError"
        assert email.next_attempt_at > timezone.now()
    retries = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path="booking.tasks.deliver_email")
    assert retries.count() == 2
    assert all(retry.run_after > timezone.now() for retry in retries)
    assert "ConnectionRefusedError" in caplog.text  # staff can see why
    for private in ("María", "López", booking.email, "6641234567", "664 123 4567", "Knee swells", "Runner"):
        assert private not in caplog.text

    with SMTPSink() as sink:
        settings.EMAIL_PORT = sink.port
        run_worker()
        assert sink.messages == []  # the retries are not due yet

        retries.update(run_after=timezone.now() - timedelta(seconds=1))  # time passes
        run_worker()
        assert sorted(m.rcpt_to[0] for m in sink.messages) == sorted([CLINIC_INBOX, booking.email])
        for email in emails.all():
            assert email.sent_at is not None
            assert email.attempts == 2
            assert email.last_error == ""
        to_patient = next(m.message for m in sink.messages if m.rcpt_to == [booking.email])
        assert booking.reference in to_patient["Subject"]
        assert any(part.get_content_type() == "text/calendar" for part in to_patient.walk())

        run_worker()
        assert len(sink.messages) == 2


@pytest.mark.parametrize("language,reply_path", [("en", "/book/manage/{token}/reply/"), ("es", "/es/reservar/mi-cita/{token}/responder/")])
def test_the_reminder_links_to_the_reply_page_in_the_patients_language(language, reply_path, make_booking, run_worker, mailoutbox, client):
    booking = make_booking(language=language)
    in_step_with(booking, OutgoingEmail.Kind.REMINDER)
    queue_emails(booking, OutgoingEmail.Kind.REMINDER)
    run_worker()

    [message] = mailoutbox
    reply_url = SITE + reply_path.format(token=booking.token)
    for text in (message.body, html_of(message)):
        assert re.search(re.escape(reply_url) + "(?!#)", text)  # "I'll be there"
        assert f"{reply_url}#change" in text  # "I need to change"
    # The link opens the reply page itself, not the booking page it sits under.
    page = client.get(reply_path.format(token=booking.token))
    assert page.status_code == 200
    assert [t.name for t in page.templates][0] == "booking/reply.html"
