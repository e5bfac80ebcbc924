"""A patient books an assessment and cancels it, in a real browser, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from booking.models import Booking

from .conftest import PHONE
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


def book_and_cancel(page, site):
    page.goto(site + "/book/")
    choose_the_last_day(page)
    expect(page.get_by_role("group", name=re.compile(r"\(Tijuana time\)$"))).to_be_visible()
    choose_the_first_time(page)
    expect(page).to_have_url(site + "/book/details/")
    give_details(page)
    choose_a_reason(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers and book")
    expect(page.get_by_text("Ana López")).to_be_visible()
    consent_and_book(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Request received")
    booking = Booking.objects.get()
    assert booking.status == Booking.Status.REQUESTED and booking.patient_name == "Ana López"
    expect(page.locator(".panel__reference")).to_have_text(booking.reference)
    assert re.fullmatch(r"RTR-\w+", booking.reference)

    follow(page, page.get_by_role("link", name="Change or cancel your booking").click)
    expect(page).to_have_url(f"{site}/book/manage/{booking.token}/")
    follow(page, page.get_by_role("link", name="Cancel this booking").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your booking?")
    press(page, "Yes, cancel my assessment")

    expect(page.get_by_text("This booking is cancelled.")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_a_patient_books_and_cancels_without_javascript(site, open_page):
    book_and_cancel(open_page(PHONE, javascript=False), site)


def test_a_patient_books_and_cancels_with_javascript(site, open_page):
    book_and_cancel(open_page(PHONE, javascript=True), site)


def test_a_patient_books_and_cancels_in_spanish(site, open_page):
    """The same journey from /es/: every step, message and address in Spanish."""
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext as _

    page = open_page(PHONE, javascript=True)
    with translation.override("es"):
        page.goto(site + reverse("booking:start"))
        expect(page.locator("html")).to_have_attribute("lang", "es")
        choose_the_last_day(page)
        expect(page.get_by_role("group", name=re.compile(r"\(hora de Tijuana\)$"))).to_be_visible()
        choose_the_first_time(page)
        expect(page).to_have_url(site + reverse("booking:details"))
        give_details(page)
        choose_a_reason(page)
        expect(page.get_by_role("heading", level=1)).to_have_text(_("Check your answers and book"))
        consent_and_book(page)

        expect(page.get_by_role("heading", level=1)).to_have_text("Solicitud recibida")
        booking = Booking.objects.get()
        assert booking.language == "es"
        follow(page, page.get_by_role("link", name=_("Change or cancel your booking")).click)
        expect(page).to_have_url(site + booking.get_manage_url())
        assert "/es/reservar/mi-cita/" in page.url
        follow(page, page.get_by_role("link", name=_("Cancel this booking")).click)
        press(page, _("Yes, cancel my assessment"))
        expect(page.get_by_text(_("This booking is cancelled."))).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
