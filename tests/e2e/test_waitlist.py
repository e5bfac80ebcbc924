"""The waitlist in the browser: joining, the notice when a time opens, booking it first or finding it taken.

Both languages, JavaScript on and off; every waitlist page passes axe and the Nu checker at both widths.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from booking import waitlist
from booking.availability import open_times
from booking.models import Booking, WaitlistEntry
from booking.services import book_assessment, cancel_booking
from clinic.clock import clinic_date_of
from privacy.models import PrivacyNotice

from .checkers import (
    axe_violations,
    describe_axe_violation,
    describe_vnu_error,
    vnu_errors,
)
from .conftest import PHONE, WIDE
from .patient import follow, press

pytestmark = pytest.mark.django_db(transaction=True)

CONSENT = "I agree to the clinic processing my health information to assess and treat me, as set out in the privacy notice."


def join_in_the_browser(page, site, day, name, email, phone):
    follow(page, lambda: page.goto(site + reverse("booking:start")))
    follow(page, page.get_by_role("link", name=_("No time suits? Join the waitlist")).click)
    page.get_by_label(_("Full name"), exact=True).fill(name)
    page.get_by_label(_("Mobile phone"), exact=True).fill(phone)
    page.get_by_label(_("Email"), exact=True).fill(email)
    page.get_by_label(_("From"), exact=True).fill(day.isoformat())
    page.get_by_label(_("To"), exact=True).fill(day.isoformat())
    page.get_by_label(_(CONSENT), exact=True).check()
    return press(page, _("Join the waitlist"))


def open_a_time(day_of):
    """Someone books the first open time, then cancels: the people waiting are told (after the commit)."""
    booking = book_assessment(starts_at=day_of, patient_name="Someone Else", phone="+526641110000",
                              email="else@example.com")
    return booking


@pytest.mark.parametrize(("language", "javascript"), [("en", True), ("es", False), ("en", False), ("es", True)])
def test_first_in_line_books_the_time_and_the_second_is_told_it_was_taken(site, open_page, language, javascript):
    with translation.override(language):
        starts_at = open_times()[0].starts_at
        booking = open_a_time(starts_at)
        day = clinic_date_of(starts_at)
        first, second = open_page(PHONE, javascript=javascript), open_page(WIDE, javascript=javascript)
        join_in_the_browser(first, site, day, "Primera Persona", "first@example.com", "664 555 0001")
        assert first.get_by_role("heading", name=_("You are on the waitlist")).is_visible()
        join_in_the_browser(second, site, day, "Segunda Persona", "second@example.com", "664 555 0002")

        mail.outbox.clear()
        cancel_booking(booking)  # commits: the live server's database is real
        entries = list(WaitlistEntry.objects.order_by("pk"))
        assert [entry.emails.filter(kind="time_opened").count() for entry in entries] == [1, 1]
        assert entries[0].language == language

        first_link = site + waitlist.offer_path(entries[0], starts_at)
        second_link = site + waitlist.offer_path(entries[1], starts_at)
        # Both open their link; the first in line presses first.
        follow(first, lambda: first.goto(first_link))
        follow(second, lambda: second.goto(second_link))
        press(first, _("Book this time"))
        assert first.get_by_text(Booking.objects.active().get(starts_at=starts_at).reference).first.is_visible()

        press(second, _("Book this time"))
        assert second.get_by_role("heading", name=_("Someone booked that time first")).is_visible()
        assert Booking.objects.active().filter(starts_at=starts_at).count() == 1
        assert WaitlistEntry.objects.filter(closed_at__isnull=True).count() == 1


def waitlist_pages(site, page, visit):
    """Every waitlist page and state, each passed to visit(name, response)."""
    starts_at = open_times()[0].starts_at
    booking = open_a_time(starts_at)
    day = clinic_date_of(starts_at)
    visit("join", follow(page, lambda: page.goto(site + "/book/waitlist/")))
    visit("join-error", press(page, _("Join the waitlist")))
    visit("joined", join_in_the_browser(page, site, day, "Ana López", "ana@example.com", "664 123 4567"))
    entry = WaitlistEntry.objects.get()
    visit("entry", follow(page, lambda: page.goto(site + entry.get_private_url())))
    cancel_booking(booking)
    visit("offer", follow(page, lambda: page.goto(site + waitlist.offer_path(entry, starts_at))))
    PrivacyNotice.objects.create(version=2, title="Privacy notice", body="New.")
    visit("offer-consent-error", press(page, _("Book this time")))
    book_assessment(starts_at=starts_at, patient_name="Quick", phone="+526641110008", email="q@example.com")
    page.get_by_label(_(CONSENT), exact=True).check()
    visit("taken", press(page, _("Book this time")))
    visit("leave", follow(page, lambda: page.goto(site + f"/book/waitlist/{entry.token}/leave/")))
    visit("left", press(page, _("Yes, leave the waitlist")))


def test_every_waitlist_page_is_valid_html(site, open_page, tmp_path):
    names = {}

    def save(name, response):
        path = tmp_path / f"{len(names):02d}-{name}.html"
        path.write_text(response.text(), encoding="utf-8")
        names[str(path)] = name

    waitlist_pages(site, open_page(PHONE, javascript=False), save)
    errors = vnu_errors(sorted(names))
    assert not errors, "\n" + "\n".join(describe_vnu_error(message, names) for message in errors)


@pytest.mark.parametrize("screen", [PHONE, WIDE], ids=["phone", "wide"])
def test_every_waitlist_page_passes_axe(site, open_page, screen):
    page = open_page(screen)
    found, visited = [], []

    def check(name, response):
        visited.append(name)
        found.extend(describe_axe_violation(f"{name} at {screen['width']}px", v) for v in axe_violations(page))

    waitlist_pages(site, page, check)
    assert visited[-1] == "left"
    assert not found, "\n" + "\n".join(found)


def test_the_join_form_errors_are_linked_and_focused_with_javascript(site, open_page):
    page = open_page(PHONE)
    follow(page, lambda: page.goto(site + "/book/waitlist/"))
    press(page, "Join the waitlist")
    assert page.title().startswith("Error:")
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible() and re.search("Enter your full name", summary.inner_text())
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")

