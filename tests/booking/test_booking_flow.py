import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from booking.models import Booking, OutgoingEmail
from conditions.models import Condition
from privacy.models import PrivacyNotice
from team.models import Practitioner
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

DETAILS = {"patient_name": "Ana López", "phone": "664 123 4567", "email": "ana@example.com"}


@pytest.fixture(autouse=True)
def no_minimum_time(settings):
    settings.BOOKING_MINIMUM_SECONDS = 0


def first_day(client):
    return re.search(r'href="\?day=([0-9-]+)"', client.get("/book/").content.decode()).group(1)


def times_on(client, day):
    return re.findall(r'name="starts_at" id="id_starts_at_\d+" value="([^"]+)"', client.get(f"/book/?day={day}").content.decode())


def choose_first_time(client):
    day = first_day(client)
    starts_at = times_on(client, day)[0]
    client.post("/book/", {"day": day, "starts_at": starts_at})
    return starts_at


def walk_to_check(client, reason="not_sure", note="Left knee, since March."):
    starts_at = choose_first_time(client)
    client.post("/book/details/", DETAILS)
    client.post("/book/reason/", {"reason": reason, "note": note})
    response = client.get("/book/check/")
    submission = re.search(r'name="submission" value="([^"]+)"', response.content.decode()).group(1)
    return starts_at, submission


def test_a_patient_books_an_assessment_end_to_end(client, booking_rules, clinic_content, mailoutbox, run_worker, review_requests):
    achilles = Condition.objects.get(slug="achilles-tendinopathy")
    starts_at, submission = walk_to_check(client, reason="achilles_calf")
    response = client.post("/book/check/", {"submission": submission, "consent": "on"})
    assert response.status_code == 302 and response["Location"] == "/book/confirmation/"

    booking = Booking.objects.get()
    assert booking.status == Booking.Status.REQUESTED
    assert booking.starts_at.isoformat() == starts_at or booking.starts_at == parse_datetime(starts_at)
    assert str(booking.phone) == "+526641234567"
    # The patient said where it hurts; only one condition fits it, so staff see it as likely.
    assert booking.reason == "achilles_calf" and booking.condition == achilles
    assert booking.note == "Left knee, since March."
    assert booking.consent_given_at is not None and booking.privacy_notice.version == 1
    assert booking.price == 750 and booking.language == "en"

    confirmation = client.get("/book/confirmation/")
    text = page_text(confirmation)
    # The clinic reviews requests, so the patient is told it is sent, not booked, and by when they hear.
    assert "Request sent" in text and "We confirm by" in text and booking.reference in text
    assert "Assessment booked" not in text
    assert "$750 MXN" in text and "Tijuana time" in text
    assert f"/book/manage/{booking.token}/" in confirmation.content.decode()
    assert f"/book/manage/{booking.token}/assessment.ics" in confirmation.content.decode()

    # The clinic and the patient are each emailed once the worker runs.
    assert set(OutgoingEmail.objects.values_list("kind", flat=True)) == {"clinic_new_request", "received"}
    run_worker()
    assert sorted(message.to[0] for message in mailoutbox) == ["ana@example.com", "clinic@example.com"]


def test_the_day_list_says_how_many_times_each_day_has(client, booking_rules, clinic_content):
    text = page_text(client.get("/book/"))
    assert re.search(r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \w+ \d+, \d+ \d+ open times", text)
    assert "same clock as San Diego" in text


def test_choosing_a_time_shows_the_days_times_in_tijuana_time(client, booking_rules, clinic_content):
    day = first_day(client)
    text = page_text(client.get(f"/book/?day={day}"))
    assert "(Tijuana time)" in text
    assert any(part in text for part in ("Morning", "Afternoon"))


@pytest.mark.parametrize("value", ["", "not-a-time", "2026-13-45T25:00:00-08:00", "2020-01-01T09:00:00-08:00", "x" * 5000, "\x00\x01"])
def test_a_tampered_or_malformed_time_gets_the_form_again(client, booking_rules, clinic_content, value):
    day = first_day(client)
    response = client.post("/book/", {"day": day, "starts_at": value})
    assert response.status_code == 400
    assert "There is a problem" in page_text(response)
    assert client.session.get("booking_draft", {}).get("starts_at") is None


@pytest.mark.parametrize("day", ["yesterday", "2020-01-01", "2099-01-01", "2026-02-30"])
def test_a_day_with_no_open_times_is_explained(client, booking_rules, clinic_content, day):
    response = client.get(f"/book/?day={day}")
    assert response.status_code == 200
    assert "There are no open times on that day" in page_text(response)


def test_bad_details_are_explained_next_to_each_field_and_kept(client, booking_rules, clinic_content):
    choose_first_time(client)
    response = client.post("/book/details/", {"patient_name": "  ", "phone": "12345", "email": "ana@"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "<title>Error: Your details" in content
    assert 'href="#id_patient_name">Enter your full name</a>' in content
    assert "Enter a Mexican or US mobile number" in content
    assert "Enter an email address in the correct format" in content
    assert 'value="12345"' in content and 'value="ana@"' in content
    assert 'aria-describedby="id_phone-hint id_phone-error"' in content


@pytest.mark.parametrize("typed,stored", [
    ("664 123 4567", "+526641234567"),
    ("+52 664-123-4567", "+526641234567"),
    ("(619) 555-0142", "+16195550142"),
    ("+1 619 555 0142", "+16195550142"),
])
def test_mexican_and_us_numbers_are_both_accepted_and_stored_in_e164(client, booking_rules, clinic_content, typed, stored):
    choose_first_time(client)
    response = client.post("/book/details/", {**DETAILS, "phone": typed})
    assert response.status_code == 302, page_text(response)
    assert client.session["booking_draft"]["phone"] == stored


def test_over_long_and_binary_fields_are_refused_with_a_message(client, booking_rules, clinic_content):
    choose_first_time(client)
    response = client.post("/book/details/", {**DETAILS, "patient_name": "A" * 500, "email": "a\x00@example.com"})
    assert response.status_code == 400
    assert "120 characters or fewer" in page_text(response)
    client.post("/book/details/", DETAILS)
    response = client.post("/book/reason/", {"reason": "not_sure", "note": "x" * 1001})
    assert response.status_code == 400 and "1,000 characters or fewer" in page_text(response)
    assert Booking.objects.count() == 0


def test_the_booking_cannot_be_made_without_consent(client, booking_rules, clinic_content):
    _starts_at, submission = walk_to_check(client)
    response = client.post("/book/check/", {"submission": submission})
    assert response.status_code == 400
    assert "Tick the box to agree" in page_text(response)
    assert "Ana López" in page_text(response)  # everything typed is still there
    assert Booking.objects.count() == 0


def test_the_consent_box_is_unticked_and_next_to_the_privacy_notice(client, booking_rules, clinic_content):
    walk_to_check(client)
    content = client.get("/book/check/").content.decode()
    checkbox = re.search(r'<input type="checkbox"[^>]*>', content).group(0)
    assert "checked" not in checkbox
    assert 'href="/privacy/"' in content
    assert client.get("/privacy/").status_code == 200


def test_a_time_taken_meanwhile_sends_the_patient_back_with_their_details_kept(client, booking_rules, clinic_content):
    starts_at, submission = walk_to_check(client)
    other = Booking.objects.create(
        practitioner=Practitioner.objects.get(), starts_at=starts_at, ends_at=parse_datetime(starts_at) + timedelta(hours=1),
        price=750, patient_name="Someone Else", phone="+526649999999", email="else@example.com",
        consent_given_at=timezone.now(), privacy_notice=PrivacyNotice.objects.get(),
    )
    response = client.post("/book/check/", {"submission": submission, "consent": "on"})
    assert response.status_code == 302 and response["Location"].startswith("/book/?day=")
    page = client.get(response["Location"])
    assert "That time was just taken" in page_text(page)
    assert "The nearest open times" in page_text(page)
    assert client.session["booking_draft"]["patient_name"] == "Ana López"
    assert Booking.objects.count() == 1 and Booking.objects.get() == other


def test_a_replayed_booking_form_books_once(client, booking_rules, clinic_content):
    _starts_at, submission = walk_to_check(client)
    first = client.post("/book/check/", {"submission": submission, "consent": "on"})
    second = client.post("/book/check/", {"submission": submission, "consent": "on"})
    assert first["Location"] == second["Location"] == "/book/confirmation/"
    assert Booking.objects.count() == 1


def test_a_form_without_its_csrf_token_is_refused_kindly(booking_rules, clinic_content):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/book/", {"starts_at": "x"})
    assert response.status_code == 403
    assert "This form has expired" in page_text(response)


def test_later_steps_send_a_patient_without_a_time_back_to_the_start(client, booking_rules, clinic_content):
    for url in ["/book/details/", "/book/reason/", "/book/check/"]:
        assert client.get(url)["Location"] == "/book/"


def test_the_booking_page_takes_the_same_queries_whatever_the_bookings(client, booking_rules, clinic_content, django_assert_num_queries):
    from booking.models import BookingSettings

    BookingSettings.objects.update(horizon_days=31)
    client.get("/book/")
    # The open times (5), and the times if nobody had booked (4 more), to tell full days from closed ones.
    with django_assert_num_queries(11):
        client.get("/book/")
    practitioner = Practitioner.objects.get()
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    Booking.objects.bulk_create(
        Booking(practitioner=practitioner, starts_at=start + timedelta(hours=n), ends_at=start + timedelta(hours=n + 1),
                price=750, patient_name="P", phone="+526641234567", email="p@example.com",
                consent_given_at=timezone.now(), privacy_notice=PrivacyNotice.objects.get())
        for n in range(200)
    )
    with django_assert_num_queries(11):
        client.get("/book/")


def test_the_consent_keeps_the_version_of_the_notice_the_patient_was_shown(client, booking_rules, clinic_content):
    _starts_at, submission = walk_to_check(client)  # shown version 1
    PrivacyNotice.objects.create(version=2, title="Privacy notice", body="A newer notice.")
    client.post("/book/check/", {"submission": submission, "consent": "on"})
    assert Booking.objects.get().privacy_notice.version == 1
