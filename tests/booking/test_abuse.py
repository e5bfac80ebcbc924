import logging
import re

import pytest
from django.core.cache import cache

from booking.models import Booking
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

DETAILS = {"patient_name": "Ana López", "phone": "664 123 4567", "email": "ana@example.com"}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def walk_to_check(client, details=DETAILS):
    page = client.get("/book/").content.decode()
    day = re.search(r'href="\?day=([0-9-]+)"', page).group(1)
    starts_at = re.search(r'name="starts_at" id="id_starts_at_0" value="([^"]+)"', client.get(f"/book/?day={day}").content.decode()).group(1)
    client.post("/book/", {"day": day, "starts_at": starts_at})
    client.post("/book/details/", details)
    client.post("/book/reason/", {"reason": "not_sure"})
    return re.search(r'name="submission" value="([^"]+)"', client.get("/book/check/").content.decode()).group(1)


def test_a_bot_that_fills_the_hidden_field_is_refused(client, booking_rules, clinic_content):
    walk_to_check(client)
    client.get("/book/")
    response = client.post("/book/details/", {**DETAILS, "website": "http://spam.example"})
    assert response.status_code == 400
    assert "We could not accept this form" in page_text(response)


def test_the_hidden_field_is_hidden_from_people(client, booking_rules, clinic_content):
    walk_to_check(client)
    content = client.get("/book/details/").content.decode()
    assert '<div class="trap" aria-hidden="true">' in content
    assert 'tabindex="-1"' in content


def test_a_form_sent_faster_than_a_person_can_type_is_asked_again(client, booking_rules, clinic_content):
    submission = walk_to_check(client)  # the real minimum time applies here
    response = client.post("/book/check/", {"submission": submission, "consent": "on"})
    assert response.status_code == 400
    assert "Please check your answers" in page_text(response)
    assert Booking.objects.count() == 0


def test_too_many_bookings_for_one_email_get_a_friendly_page(client, booking_rules, clinic_content, settings):
    settings.BOOKING_MINIMUM_SECONDS = 0
    # The daily limit counts bookings made, cancelled ones too; lift the cap on held bookings so it is what answers.
    booking_rules.max_future_bookings = 10
    booking_rules.save()
    for _ in range(3):
        submission = walk_to_check(client)
        assert client.post("/book/check/", {"submission": submission, "consent": "on"}).status_code == 302
    submission = walk_to_check(client)
    response = client.post("/book/check/", {"submission": submission, "consent": "on"})
    assert response.status_code == 429
    assert "Too many booking requests" in page_text(response)
    assert Booking.objects.count() == 3


def test_too_many_attempts_from_one_address_get_a_friendly_page(
    client, booking_rules, clinic_content, monkeypatch, settings
):
    settings.BOOKING_MINIMUM_SECONDS = 0
    monkeypatch.setitem(__import__("clinic.throttle", fromlist=["LIMITS"]).LIMITS, "address", (2, 3600))
    for n in range(2):
        submission = walk_to_check(client, {**DETAILS, "email": f"person{n}@example.com", "phone": f"664 123 45{n:02d}"})
        assert client.post("/book/check/", {"submission": submission, "consent": "on"}).status_code == 302
    submission = walk_to_check(client, {**DETAILS, "email": "third@example.com", "phone": "664 123 4599"})
    assert client.post("/book/check/", {"submission": submission, "consent": "on"}).status_code == 429


def test_the_cache_never_holds_a_phone_or_email_in_the_clear(client, booking_rules, clinic_content, settings):
    settings.BOOKING_MINIMUM_SECONDS = 0
    submission = walk_to_check(client)
    client.post("/book/check/", {"submission": submission, "consent": "on"})
    keys = " ".join(str(key) for key in cache._cache)  # the local-memory cache of the tests
    assert "ana@example.com" not in keys and "6641234567" not in keys


def test_patient_data_never_reaches_the_logs_or_urls(client, booking_rules, clinic_content, settings, caplog):
    settings.BOOKING_MINIMUM_SECONDS = 0
    caplog.set_level(logging.DEBUG)
    walk_to_check(client)
    client.post("/book/details/", {**DETAILS, "email": "bad"})  # an error on the way
    client.post("/book/details/", DETAILS)
    submission = re.search(r'name="submission" value="([^"]+)"', client.get("/book/check/").content.decode()).group(1)
    response = client.post("/book/check/", {"submission": submission, "consent": "on"}, follow=True)
    urls = [url for url, _status in response.redirect_chain]
    assert urls == ["/book/confirmation/"]
    for secret in ("Ana", "López", "ana@example.com", "6641234567", "664 123 4567"):
        assert secret not in caplog.text
        assert all(secret not in url for url in urls)
