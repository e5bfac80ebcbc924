"""Booking through the site's pages, step by step, as a patient's browser does without JavaScript."""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Patient:
    name: str
    phone: str
    email: str
    note: str = ""


MARIA = Patient(
    name="María Fernanda López",
    phone="+52 664 123 4567",
    email="maria@example.com",
    note="Knee swells after 10 km since the Tijuana half marathon",
)

TAKEN = "That time was just taken. Choose another time: your details are kept."


def open_days(browser):
    """The days /book/ offers, in its order."""
    page = browser.get("/book/")
    assert page.status == 200, page.text[:500]
    days = []
    for link in page.links(r"^\?day=\d{4}-\d{2}-\d{2}$"):
        day = link.removeprefix("?day=")
        if day not in days:
            days.append(day)
    assert days, f"/book/ offers no day: {page.text[:500]}"
    return days


def open_times(browser, day):
    page = browser.get(f"/book/?day={day}")
    return page, page.form(having="starts_at").choices("starts_at")


def choose_time(browser, day, starts_at=None):
    """Choose `starts_at` on `day` (the first time offered when None): the page that follows, and the time."""
    page, times = open_times(browser, day)
    assert times, f"no open time on {day}: {page.text[:500]}"
    starts_at = starts_at or times[0]
    assert starts_at in times, f"{starts_at} is not offered on {day}: {times}"
    page = browser.submit(page.form(having="starts_at"), starts_at=starts_at)
    return page, starts_at


def give_details(browser, page, patient):
    assert page.path == "/book/details/", f"expected the details step, at {page.path}: {page.text[:500]}"
    return browser.submit(page.form(having="patient_name"), patient_name=patient.name, phone=patient.phone,
                          email=patient.email)


def give_reason(browser, page, patient):
    """The first reason offered: a condition from the clinic's content."""
    assert page.path == "/book/reason/", f"expected the reason step, at {page.path}: {page.text[:500]}"
    form = page.form(having="reason")
    return browser.submit(form, reason=form.choices("reason")[0], note=patient.note)


def agree_and_book(browser, page):
    assert page.path == "/book/check/", f"expected the check step, at {page.path}: {page.text[:500]}"
    return browser.submit(page.form(having="consent"), consent="on")


def book(browser, patient, day, starts_at=None):
    """The whole flow, from /book/ to the page after "Book assessment": (that page, the time chosen)."""
    page, starts_at = choose_time(browser, day, starts_at)
    page = give_details(browser, page, patient)
    page = give_reason(browser, page, patient)
    return agree_and_book(browser, page), starts_at


def booked(page):
    """Whether this is the page after a booking: booked at once or sent as a request, it gives the reference."""
    return page.path == "/book/confirmation/" and "Your reference is" in page.text


def reference_on(page):
    """The booking reference the confirmation page shows."""
    assert booked(page), f"no confirmation at {page.path} ({page.status}): {page.text[:800]}"
    found = re.search(r'class="panel__reference">([^<]+)<', page.html)
    assert found, page.html[:2000]
    return found.group(1).strip()


def patient_number(number):
    """Patient `number` of many: each with their own phone, email and network address."""
    return Patient(
        name=f"Paciente Número {number}",
        phone=f"+52 664 123 {4500 + number:04d}",
        email=f"paciente{number}@example.com",
        note="Shin pain from 5 km on",
    ), f"198.51.100.{number + 1}"

