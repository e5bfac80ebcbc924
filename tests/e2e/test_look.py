"""What a patient sees on the main pages, on a phone (390 px) and a desk (1280 px), in both languages.

Each page is photographed to /tmp/e2e-shots/ (or E2E_SCREENSHOTS) for a person
to look at; the assertions pin what can be measured: the page never scrolls
sideways, the wordmark is there, every image keeps its place while it loads,
the opening sits in two columns on a wide screen and stacks on a phone, and the
phone's "Book" bar never hides what is under it.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from PIL import Image

from conditions.models import Condition

from .conftest import PHONE, WIDE

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS") or "/tmp/e2e-shots")
SCREENS = [PHONE, WIDE]


def main_pages(language):
    """(name, address) of "/", /team/, a condition page and /book/ in `language`."""
    condition = Condition.objects.published().first()
    with translation.override(language):
        return [
            ("home", reverse("conditions:home")),
            ("team", reverse("team:index")),
            (f"condition-{condition.slug}", condition.get_absolute_url()),
            ("book", reverse("booking:start")),
        ]


def look_at(page, site, path, screen, language, name, photograph=True):
    response = page.goto(site + path)
    assert response.status == 200, path
    page.wait_for_load_state("networkidle")
    if photograph:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / f"{screen['width']}-{language}-{name}.png", full_page=True)
    return f"{name} ({language}) at {screen['width']}px"


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("screen", SCREENS, ids=["390", "1280"])
def test_the_main_pages_fit_the_screen_and_show_the_wordmark_and_steady_images(site, open_page, screen, language):
    page = open_page(screen)
    problems = []
    for name, path in main_pages(language):
        where = look_at(page, site, path, screen, language, name)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > screen["width"]:
            problems.append(f"{where}: the page is {width}px wide, so it scrolls sideways")
        wordmark = page.locator("header .wordmark")
        if not (wordmark.is_visible() and wordmark.get_attribute("href") == reverse_home(language)):
            problems.append(f"{where}: no wordmark linking home in the header")
        unsized = page.evaluate(
            "[...document.images].filter(i => !i.getAttribute('width') || !i.getAttribute('height')).map(i => i.outerHTML)"
        )
        problems.extend(f"{where}: an image without width and height: {html[:160]}" for html in unsized)
        wider = page.evaluate(
            """w => [...document.querySelectorAll('main *')].filter(e => {
                const box = e.getBoundingClientRect();
                return box.width > 0 && (box.right > w + 1 || box.left < -1) && getComputedStyle(e).position !== 'fixed'
                    && !e.closest('[data-scrolls], .table-scroll, .visually-hidden');
            }).slice(0, 3).map(e => e.tagName + '.' + e.className)""",
            screen["width"],
        )
        problems.extend(f"{where}: sticks out past the screen's edge: {tag}" for tag in wider)
    assert not problems, "\n" + "\n".join(problems)


def reverse_home(language):
    with translation.override(language):
        return reverse("conditions:home")


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_opening_is_two_columns_on_a_desk_and_one_on_a_phone(site, open_page, language):
    columns = {}
    for screen in SCREENS:
        page = open_page(screen)
        look_at(page, site, reverse_home(language), screen, language, "home", photograph=False)
        text, image = page.locator(".opening__text").bounding_box(), page.locator(".opening__image").bounding_box()
        side_by_side = text["x"] + text["width"] <= image["x"] and image["y"] < text["y"] + text["height"]
        stacked = image["y"] >= text["y"] + text["height"]
        columns[screen["width"]] = "two" if side_by_side else "one" if stacked else "overlapping"
        # The heading and the way to book are on the first screen either way.
        assert page.get_by_role("heading", level=1).is_visible()
        first_book = page.locator(".opening__text").get_by_role("link").first
        box = first_book.bounding_box()
        assert box["y"] + box["height"] <= screen["height"], f"the opening's book link is below the first screen at {screen}"
    assert columns == {390: "one", 1280: "two"}


@pytest.mark.parametrize("language", ["en", "es"])
def test_nothing_is_hidden_behind_the_phone_book_bar(site, open_page, language):
    page = open_page(PHONE)
    for name, path in main_pages(language)[:3]:  # /book/ has no bar
        page.goto(site + path)
        bar = page.get_by_role("complementary", name=translation_of("Book an assessment", language))
        assert bar.is_visible(), name
        # At the very end of the page nothing more can scroll out from under the bar.
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        page.wait_for_timeout(100)
        covered = page.evaluate(
            """() => {
                const bar = document.querySelector('.sticky-book').getBoundingClientRect();
                return [...document.querySelectorAll('main a, main button, footer a, footer p, footer li, main p, main h2')]
                    .filter(e => !e.closest('.sticky-book'))
                    .filter(e => {
                        const box = e.getBoundingClientRect();
                        return box.width > 0 && box.height > 0 && box.bottom > bar.top + 1 && box.top < bar.bottom;
                    }).map(e => e.tagName + ' ' + e.textContent.trim().slice(0, 40));
            }"""
        )
        assert not covered, f"{name} ({language}): under the Book bar: {covered}"
        # The bar's button is a thumb-sized target.
        button = bar.get_by_role("link").bounding_box()
        assert button["height"] >= 44 and button["width"] >= 44, button


def translation_of(words, language):
    with translation.override(language):
        return translation.gettext(words)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_first_open_time_is_on_a_phone_s_first_screen(site, open_page, language):
    page = open_page(PHONE)
    page.goto(site + main_pages(language)[-1][1])
    button = page.get_by_role("button", name=translation_of("Choose this time", language))
    box = button.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_shared_link_shows_a_card_of_the_size_it_promises(site, open_page, language, tmp_path):
    page = open_page(WIDE)
    for name, path in main_pages(language)[:3]:
        page.goto(site + path)
        meta = page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('meta[property^="og:image"]')]
                .map(m => [m.getAttribute('property'), m.getAttribute('content')]))"""
        )
        assert meta.get("og:image", "").startswith(site), (name, meta)
        assert meta.get("og:image:alt"), name
        card = page.request.get(meta["og:image"])
        assert card.ok and card.headers["content-type"] == meta["og:image:type"], name
        file = tmp_path / f"{name}.img"
        file.write_bytes(card.body())
        with Image.open(file) as image:
            assert image.size == (int(meta["og:image:width"]), int(meta["og:image:height"])) == (1200, 630), name
