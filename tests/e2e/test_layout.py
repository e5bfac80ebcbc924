"""What the keyboard reaches first, and the "Book" bar a phone keeps at the bottom of the screen."""

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, WIDE

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_skip_link_is_the_first_stop_when_tabbing_on_a_phone(site, phone_page):
    page = phone_page
    page.goto(site + "/")
    skip_link = page.get_by_role("link", name="Skip to main content")

    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    box = skip_link.bounding_box()
    assert box["width"] > 40 and box["height"] > 20, f"the focused skip link is not shown: {box}"

    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_the_book_bar_stays_on_a_phone_screen_but_not_on_the_booking_pages(site, open_page):
    page = open_page(PHONE)
    page.goto(site + "/")
    bar = page.get_by_role("complementary", name="Book an assessment")
    expect(bar).to_be_visible()
    expect(bar).to_be_in_viewport()
    expect(bar.get_by_role("link", name="Book", exact=True)).to_be_visible()

    page.mouse.wheel(0, 3000)
    expect(bar).to_be_in_viewport()

    page.goto(site + "/book/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a day for your assessment")
    expect(bar).to_have_count(0)

    wide = open_page(WIDE)
    wide.goto(site + "/")
    expect(wide.get_by_role("complementary", name="Book an assessment")).to_be_hidden()
