"""A patient books an assessment and cancels it, in a real browser, with and without JavaScript, in both languages.

Online bookings are confirmed at once unless the clinic reviews them
(BookingSettings.review_requests): then the patient sends a request and is
given a firm time by which the clinic answers.
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from booking.models import Booking, BookingSettings
from booking.review import confirm_by_label

from .conftest import PHONE, WIDE
from .patient import (
    choose_a_reason,
    choose_the_first_time,
    choose_the_last_day,
    consent_and_book,
    follow,
    give_details,
    press,
)

pytestmark = pytest.mark.django_db(transaction=True)

TIJUANA_TIME = {"en": r"\(Tijuana time\)$", "es": r"\(hora de Tijuana\)$"}
BOOKED = {"en": "Assessment booked", "es": "Valoración agendada"}  # pinned: the Spanish page really is in Spanish


def promise_words():
    """The start of "We confirm by <when>", in the active language."""
    return re.escape(_("We confirm by %(confirm_by)s").split("%")[0].strip())


def choose_a_time_and_answer(page, site, language):
    """The days list, a day, its first time, the details and where it hurts: up to the check page."""
    page.goto(site + reverse("booking:start"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    choose_the_last_day(page)
    expect(page.get_by_role("group", name=re.compile(TIJUANA_TIME[language]))).to_be_visible()
    choose_the_first_time(page)
    expect(page).to_have_url(site + reverse("booking:details"))
    give_details(page)
    expect(page).to_have_url(site + reverse("booking:reason"))
    expect(page.get_by_role("group", name=_("Where does it hurt, or why are you coming?"))).to_be_visible()
    choose_a_reason(page)
    # The answer is shown back in the patient's words, never as a diagnosis.
    expect(page.locator(".summary-list").get_by_text(_("Knee"), exact=False)).to_be_visible()
    expect(page.get_by_text("Ana López")).to_be_visible()


def cancel_from_the_manage_page(page, site, booking):
    follow(page, page.get_by_role("link", name=_("Change or cancel your booking")).click)
    expect(page).to_have_url(site + booking.get_manage_url())
    follow(page, page.get_by_role("link", name=_("Cancel this booking")).click)
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Cancel your booking?"))
    press(page, _("Yes, cancel my assessment"))
    expect(page.get_by_text(_("This booking is cancelled."))).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_patient_books_at_once_and_cancels(site, open_page, language, javascript):
    page = open_page(PHONE, javascript=javascript)
    with translation.override(language):
        choose_a_time_and_answer(page, site, language)
        expect(page.get_by_role("heading", level=1)).to_have_text(_("Check your answers and book"))
        consent_and_book(page)

        expect(page.get_by_role("heading", level=1)).to_have_text(BOOKED[language])
        booking = Booking.objects.get()
        assert booking.status == Booking.Status.CONFIRMED and booking.patient_name == "Ana López"
        assert (booking.reason, booking.note, booking.language) == ("knee", "Left knee, since March.", language)
        expect(page.locator(".panel__reference")).to_have_text(booking.reference)
        assert re.fullmatch(r"RTR-\w+", booking.reference)
        # Booked, not requested: no promise to confirm later.
        done = _("The time is yours: there is nothing more to do. We have sent the details to %(email)s.")
        expect(page.locator(".lead")).to_have_text(done % {"email": "ana@example.com"})
        expect(page.get_by_text(re.compile(promise_words()))).to_have_count(0)

        cancel_from_the_manage_page(page, site, booking)
        if language == "es":
            assert "/es/reservar/mi-cita/" in page.url


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_first_open_time_is_booked_from_the_top_of_the_days_list(site, open_page, javascript):
    from booking.availability import open_times

    first = open_times()[0].starts_at
    page = open_page(WIDE, javascript=javascript)
    page.goto(site + "/book/")
    offer = page.locator("form.first-time")
    expect(offer).to_contain_text("First open time:")
    # It comes before the calendar of days.
    assert page.evaluate("""() => {
        const offer = document.querySelector('form.first-time'), week = document.querySelector('table.week');
        return !!(offer.compareDocumentPosition(week) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    press(page, "Choose this time")
    expect(page).to_have_url(site + "/book/details/")
    give_details(page)
    choose_a_reason(page, "Not sure")
    consent_and_book(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment booked")
    booking = Booking.objects.get()
    assert booking.starts_at == first and booking.reason == "not_sure"


@pytest.mark.parametrize(("language", "javascript"), [("en", True), ("es", False)])
def test_in_review_mode_a_patient_sends_a_request_and_is_told_when_it_is_answered(site, open_page, language,
                                                                                     javascript):
    BookingSettings.objects.update(review_requests=True)
    page = open_page(PHONE, javascript=javascript)
    with translation.override(language):
        choose_a_time_and_answer(page, site, language)
        expect(page.get_by_role("heading", level=1)).to_have_text(_("Check your answers and send your request"))
        consent_and_book(page, "Send request")

        expect(page.get_by_role("heading", level=1)).to_have_text(_("Request sent"))
        booking = Booking.objects.get()
        assert booking.status == Booking.Status.REQUESTED
        # A firm moment, to the quarter hour, in Tijuana time: "We confirm by Saturday, December 5, 12:30 pm (…)".
        promise = page.locator(".panel").get_by_text(re.compile(promise_words()))
        expect(promise).to_have_text(re.compile(r"\d{1,2}:(00|15|30|45)\b.*" + TIJUANA_TIME[language][:-1]))

        follow(page, page.get_by_role("link", name=_("Change or cancel your booking")).click)
        label = confirm_by_label(booking.created_at, booking.starts_at)
        expect(page.locator(".lead")).to_have_text(
            _("Request sent: we confirm by %(confirm_by)s, by email.") % {"confirm_by": label}
        )
        follow(page, page.get_by_role("link", name=_("Cancel this booking")).click)
        press(page, _("Yes, cancel my assessment"))
        expect(page.get_by_text(_("This booking is cancelled."))).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
