"""The front desk in a real browser: a free time booked by phone from the calendar, and the desk's other screens checked."""

import re
from datetime import datetime, time, timedelta

import pytest

from booking.models import Booking
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
from .test_calendar import TABLET, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SCREENS = pytest.mark.parametrize("screen", [WIDE, TABLET], ids=["1280", "820"])
CONSENT = "The patient agreed by phone to the clinic processing their health data"


@pytest.fixture
def front_desk(site):
    """A receptionist, and María López's confirmed booking at 10:00 a week from today."""
    staff_member("desk", RECEPTION)
    day = clinic_today() + timedelta(days=7)
    starts_at = datetime.combine(day, time(10), tzinfo=CLINIC_TZ)
    booking = Booking.objects.create(
        practitioner=Practitioner.objects.get(name="Dra. Ruiz"), starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1), price=750,
        patient_name="María López", phone="+526641234567", email="maria@example.com",
        consent_given_at=starts_at - timedelta(days=10), privacy_notice=PrivacyNotice.objects.first(),
        status=Booking.Status.CONFIRMED,
    )
    return site, day, booking


def labelled(words):
    return re.compile(rf"^{re.escape(words)}:?$")


def axe_findings(page, where):
    return [describe_axe_violation(where, violation) for violation in axe_violations(page)]


@SCREENS
def test_a_free_time_in_the_calendar_is_booked_by_phone(front_desk, open_page, screen, tmp_path):
    site, day, _booking = front_desk
    page = open_page(screen)
    sign_in(page, site)
    calendar = f"{site}/admin/booking/booking/calendar/?date={day}"
    page.goto(calendar)

    response = follow(page, page.get_by_role("link", name="Book 11:00 with Dra. Ruiz").click)

    assert response.status == 200
    chosen = page.get_by_role("radio", name=re.compile(r"^11:00 · Dra\. Ruiz$"))
    assert chosen.is_checked()
    found = axe_findings(page, f"phone booking at {screen['width']}px")
    html = tmp_path / "phone-booking.html"
    html.write_text(response.text(), encoding="utf-8")
    errors = vnu_errors([html])
    found += [describe_vnu_error(message, {str(html): "phone booking"}) for message in errors]

    # The admin's labels end in a colon: "Full name:".
    page.get_by_label(labelled("Full name")).fill("Ana López")
    page.get_by_label(labelled("Mobile phone")).fill("664 123 4567")
    page.get_by_label("English", exact=True).check()
    page.get_by_label(labelled("Why they come")).select_option(label="Shin")
    page.get_by_label(labelled(CONSENT)).check()
    follow(page, page.get_by_role("button", name="Book and confirm", exact=True).click)

    message = page.locator(".messagelist .success")
    assert message.count() == 1 and message.inner_text().startswith("Booked and confirmed"), page.locator(".messagelist").all_inner_texts()
    booking = Booking.objects.get(patient_name="Ana López")
    assert booking.status == Booking.Status.CONFIRMED and booking.email == "" and booking.reason == "shin"
    assert booking.starts_at == datetime.combine(day, time(11), tzinfo=CLINIC_TZ)

    page.goto(calendar)
    assert page.get_by_role("link", name=re.compile(r"^11:00\s*,\s*Ana")).count() == 1
    assert page.get_by_role("link", name="Book 11:00 with Dra. Ruiz").count() == 0
    assert not found, "\n" + "\n".join(found)


def front_desk_screens(page, site, day, booking):
    """Each new screen's address, the closure's bookings page reached by saving a closure over the booking's day."""
    page.goto(f"{site}/admin/booking/closure/add/")
    page.locator("#id_first_day").fill(day.isoformat())
    page.locator("#id_last_day").fill(day.isoformat())
    follow(page, page.locator("input[name=_save]").click)
    assert re.search(r"/admin/booking/closure/\d+/bookings/$", page.url), page.url
    return {
        "patient-record": f"{site}/admin/booking/booking/{booking.pk}/patient/",
        "cancel": f"{site}/admin/booking/booking/{booking.pk}/cancel/",
        "closure-bookings": page.url,
        "history": f"{site}/admin/booking/booking/{booking.pk}/history/",
        "list": f"{site}/admin/booking/booking/",
    }


def test_the_front_desk_screens_are_valid_html(front_desk, open_page, tmp_path):
    site, day, booking = front_desk
    page = open_page(WIDE, javascript=False)
    sign_in(page, site)
    screens = front_desk_screens(page, site, day, booking)
    names = {}
    for language in ("en", "es"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])
        for name, url in screens.items():
            response = page.goto(url)
            assert response.status == 200, f"{name}: {response.status}"
            path = tmp_path / f"{language}-{name}.html"
            path.write_text(response.text(), encoding="utf-8")
            names[str(path)] = f"{language} {name}"
    errors = vnu_errors(sorted(names))
    assert not errors, "\n" + "\n".join(describe_vnu_error(message, names) for message in errors)


@SCREENS
def test_the_front_desk_screens_pass_axe(front_desk, open_page, screen, screenshots):
    site, day, booking = front_desk
    page = open_page(screen)
    sign_in(page, site)
    screens = front_desk_screens(page, site, day, booking)
    found = []
    for language in ("en", "es"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])
        for name, url in screens.items():
            page.goto(url)
            where = f"{name} {language} at {screen['width']}px"
            if screenshots:
                page.screenshot(path=screenshots / f"front-desk-{screen['width']}-{language}-{name}.png", full_page=True)
            found += axe_findings(page, where)
            if name == "list" and screen is WIDE:
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > page.evaluate("window.innerWidth"):
                    found.append(f"{where}: the page scrolls sideways, {width}px wide")
    assert not found, "\n" + "\n".join(found)
