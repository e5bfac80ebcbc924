"""Walking a patient through the booking flow with the test client, in English (/book/) or Spanish (/es/reservar/)."""

import re

from django.urls import reverse
from django.utils import translation

DETAILS = {"patient_name": "Ana Sofía López", "phone": "664 123 4567", "email": "ana@example.com"}


def url(name, language="en", **kwargs):
    """A booking page's address in `language`: reverse() under that language gives its translated path."""
    with translation.override(language):
        return reverse(f"booking:{name}", kwargs=kwargs or None)


def open_days(client, language="en"):
    return re.findall(r'href="\?day=([0-9-]+)"', client.get(url("start", language)).content.decode())


def times_on(client, day, language="en"):
    page = client.get(f"{url('start', language)}?day={day}").content.decode()
    return re.findall(r'name="starts_at" id="id_starts_at_\d+" value="([^"]+)"', page)


def choose_first_time(client, language="en"):
    day = open_days(client, language)[0]
    starts_at = times_on(client, day, language)[0]
    client.post(url("start", language), {"day": day, "starts_at": starts_at})
    return starts_at


def walk_to_check(client, language="en", details=None, reason="not_sure", note="Left knee, since March."):
    """Choose the first open time, give the details and the reason; returns the check page's submission key."""
    starts_at = choose_first_time(client, language)
    client.post(url("details", language), {**DETAILS, **(details or {})})
    client.post(url("reason", language), {"reason": reason, "note": note})
    return starts_at, submission_of(client.get(url("check", language)))


def submission_of(response):
    return re.search(r'name="submission" value="([^"]+)"', response.content.decode()).group(1)


def book(client, language="en", **walk):
    """The whole flow, consent given: the response to "Book assessment" (or "Send request")."""
    _starts_at, submission = walk_to_check(client, language, **walk)
    return client.post(url("check", language), {"submission": submission, "consent": "on"})
