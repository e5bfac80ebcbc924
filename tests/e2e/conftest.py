"""What the browser tests need: the site served on 127.0.0.1, Debian's Chromium, a page per screen size.

These tests are run by `make e2e`, never by `make test`: they need Chromium
and Java from Debian's packages, and requirements-e2e.txt, on top of Python.
So a plain `pytest` leaves them out; they run when tests/e2e (or a file in
it) is named on the command line.
"""

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_configure(config):
    # Only for a run of these tests, never for the rest of the suite.
    if not _named_on_the_command_line(config):
        return
    # pytest-django's live_server reads this; "localhost" could resolve to ::1
    # in the browser while the server listens on IPv4 only.
    os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")
    # Playwright's sync API keeps an event loop in the test's thread, which
    # makes Django refuse database queries there ("async context"). The tests
    # read rows between browser steps, never while the browser waits.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_ignore_collect(collection_path, config):
    if collection_path.name.startswith("test_") and not _named_on_the_command_line(config):
        return True
    return None


def _named_on_the_command_line(config):
    for arg in config.args:
        named = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if named == HERE or HERE in named.parents:
            return True
    return False


CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (never `playwright install`)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, clinic_content, booking_rules, monkeypatch):
    """The clinic's site, with its content and booking rules, served to the browser.

    The booking rules open every day 08:00–20:00, so there is always a time
    to book. The live server runs in this process, so the anti-bot pause
    before "Book assessment" can be lifted here, and the rate limits, kept in
    this process's cache, start empty for each test.
    """
    from django.conf import settings as django_settings
    from django.core.cache import cache

    monkeypatch.setattr(django_settings, "BOOKING_MINIMUM_SECONDS", 0)
    cache.clear()
    yield live_server.url
    cache.clear()


@pytest.fixture
def open_page(browser):
    """open_page(screen, javascript=True): a fresh page in its own browser context (its own cookies)."""
    contexts = []

    def open_page(screen=PHONE, javascript=True):
        context = browser.new_context(viewport=screen, java_script_enabled=javascript)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def phone_page(open_page):
    return open_page(PHONE)


@pytest.fixture(scope="session")
def screenshots():
    """The folder named by E2E_SCREENSHOTS, made if need be, or None: screenshots are for people, not asserted."""
    folder = os.environ.get("E2E_SCREENSHOTS")
    if not folder:
        return None
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path
