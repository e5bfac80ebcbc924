"""The front desk's calendar in a real browser: valid HTML, axe at a desk's and a tablet's width, a free time booked."""

import re
from datetime import datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from booking.models import Booking, Closure
from clinic.clock import CLINIC_TZ, clinic_today
from clinic_site.staff_groups import RECEPTION
from privacy.models import PrivacyNotice
from team.models import Practitioner
from tests.helpers import staff_member

from .checkers import (
    axe_violations,
    describe_axe_violation,
    describe_vnu_error,
    vnu_errors,
)
from .conftest import WIDE
from .patient import follow

pytestmark = pytest.mark.django_db(transaction=True)

TABLET = {"width": 820, "height": 1180}
PASSWORD = "a-long-test-password"  # tests.helpers.staff_member's
# Each part of a booking's block is its own box, so the browser reads a space before each comma.
MARIA = re.compile(r"^10:00\s*,\s*María\s*,\s*Knee\s*,\s*Confirmed$")


@pytest.fixture
def desk_calendar(site):
    """A receptionist, a second practitioner on leave in a week's time, and a booking on that day."""
    staff_member("desk", RECEPTION)
    day = clinic_today() + timedelta(days=7)
    ruiz = Practitioner.objects.get(name="Dra. Ruiz")
    soto = Practitioner.objects.create(name="Lic. Soto", position=2)
    Closure.objects.create(first_day=day, last_day=day, practitioner=soto, reason="Course")
    starts_at = datetime.combine(day, time(10), tzinfo=CLINIC_TZ)
    Booking.objects.create(
        practitioner=ruiz, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), price=750,
        patient_name="María López", phone="+526641234567", email="maria@example.com", reason="knee",
        consent_given_at=starts_at - timedelta(days=10), privacy_notice=PrivacyNotice.objects.first(),
        status=Booking.Status.CONFIRMED,
    )
    return site, day


def sign_in(page, site):
    page.goto(f"{site}/admin/login/")
    page.get_by_label("Username").fill("desk")
    page.get_by_label("Password").fill(PASSWORD)
    follow(page, page.get_by_role("button", name="Log in").click)


def calendar_pages(site, day):
    return {
        "day": f"{site}/admin/booking/booking/calendar/?date={day}",
        "week": f"{site}/admin/booking/booking/calendar/week/?date={day}",
        "day-all": f"{site}/admin/booking/booking/calendar/?date={day}&show=all",
    }


def test_the_calendar_is_valid_html(desk_calendar, open_page, tmp_path):
    site, day = desk_calendar
    page = open_page(WIDE, javascript=False)
    sign_in(page, site)
    names = {}
    for language in ("en", "es"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])
        for name, url in calendar_pages(site, day).items():
            response = page.goto(url)
            assert response.status == 200
            path = tmp_path / f"{language}-{name}.html"
            path.write_text(response.text(), encoding="utf-8")
            names[str(path)] = f"{language} {name}"
    errors = vnu_errors(sorted(names))
    assert not errors, "\n" + "\n".join(describe_vnu_error(message, names) for message in errors)


@pytest.mark.parametrize("screen", [WIDE, TABLET], ids=["1280", "820"])
def test_the_calendar_passes_axe(desk_calendar, open_page, screen, screenshots):
    site, day = desk_calendar
    page = open_page(screen)
    sign_in(page, site)
    found = []
    for language in ("en", "es"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])
        for name, url in calendar_pages(site, day).items():
            page.goto(url)
            if screenshots:
                page.screenshot(path=screenshots / f"calendar-{screen['width']}-{language}-{name}.png", full_page=True)
            where = f"calendar {language} {name} at {screen['width']}px"
            # The week scrolls inside its own box; the page itself never scrolls sideways.
            page_width = page.evaluate("document.documentElement.scrollWidth")
            if page_width > screen["width"]:
                found.append(f"{where}: the page is {page_width}px wide")
            found.extend(describe_axe_violation(where, violation) for violation in axe_violations(page))
    assert not found, "\n" + "\n".join(found)


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_choosing_a_free_time_opens_the_phone_booking_for_that_practitioner_and_time(
    desk_calendar, open_page, javascript
):
    site, day = desk_calendar
    page = open_page(TABLET, javascript=javascript)
    sign_in(page, site)
    page.goto(calendar_pages(site, day)["day"])

    # The booked 10:00 and the practitioner on leave offer nothing; Dra. Ruiz's 11:00 is free.
    assert page.get_by_role("link", name="Book 10:00 with Dra. Ruiz").count() == 0
    assert page.get_by_role("link", name=re.compile("with Lic. Soto")).count() == 0
    assert page.get_by_role("link", name=MARIA).count() == 1
    response = follow(page, page.get_by_role("link", name="Book 11:00 with Dra. Ruiz").click)

    address = urlsplit(response.url)
    assert address.path == "/admin/booking/booking/add/"
    query = parse_qs(address.query)
    assert query["practitioner"] == [str(Practitioner.objects.get(name="Dra. Ruiz").pk)]
    assert datetime.fromisoformat(query["starts_at"][0]) == datetime.combine(day, time(11), tzinfo=CLINIC_TZ)


def test_choosing_a_booking_opens_it(desk_calendar, open_page):
    site, day = desk_calendar
    page = open_page(WIDE, javascript=False)
    sign_in(page, site)
    page.goto(calendar_pages(site, day)["week"])

    response = follow(page, page.get_by_role("link", name=MARIA).click)

    booking = Booking.objects.get(patient_name="María López")
    assert urlsplit(response.url).path == f"/admin/booking/booking/{booking.pk}/change/"


def test_the_day_prints_as_a_sheet_of_columns_times_names_and_reasons(desk_calendar, open_page, screenshots):
    site, day = desk_calendar
    page = open_page(WIDE, javascript=False)
    sign_in(page, site)
    page.goto(calendar_pages(site, day)["day"])

    page.emulate_media(media="print")

    for chrome in ("#header", ".breadcrumbs", "#nav-sidebar", ".calendar-nav"):
        assert page.locator(chrome).is_hidden(), chrome
    assert page.locator(".calendar-free").first.is_hidden()  # blank cells, to write in by hand
    sheet = page.locator("table.clinic-calendar")
    assert sheet.is_visible()
    for words in ("Dra. Ruiz", "Lic. Soto", "08:00", "19:00", "María", "Knee", "Confirmed", "On leave"):
        assert words in sheet.inner_text(), words
    if screenshots:
        page.screenshot(path=screenshots / "calendar-print.png", full_page=True)
