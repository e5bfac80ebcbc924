"""The desk booking form says, as the phone is typed, that the patient has booked before."""

import pytest

from tests.e2e.test_calendar import desk_calendar, sign_in  # noqa: F401 - the fixture is used by name

from .conftest import WIDE

pytestmark = pytest.mark.django_db(transaction=True)


def test_typing_a_known_phone_shows_the_patients_record_without_leaving_the_form(desk_calendar, open_page):  # noqa: F811 - the imported fixture, by name
    site, _day = desk_calendar
    page = open_page(WIDE, javascript=True)
    sign_in(page, site)
    page.goto(f"{site}/admin/booking/booking/add/")

    page.get_by_label("Full name").fill("María")
    page.get_by_label("Mobile phone").fill("044 664 123 4567")

    notice = page.locator("#known-patient")
    notice.get_by_text("This phone or email has booked before: María López, 1 booking.").wait_for(timeout=10000)
    assert notice.get_by_role("link", name="Open their record").count() == 1
    assert page.get_by_label("Full name").input_value() == "María"  # still on the form, nothing lost
    assert page.url.endswith("/admin/booking/booking/add/")
