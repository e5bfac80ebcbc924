"""Every public page and every booking state is valid HTML and passes axe, at a phone's width and a wide one."""

import pytest

from .checkers import (
    axe_violations,
    describe_axe_violation,
    describe_vnu_error,
    vnu_errors,
)
from .conftest import PHONE, WIDE
from .patient import walk_past_every_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_page_is_valid_html(site, open_page, tmp_path):
    """The HTML each page was sent with, checked by the Nu HTML Checker: errors only, none allowed."""
    names = {}

    def save(name, response):
        path = tmp_path / f"{len(names):02d}-{name}.html"
        path.write_text(response.text(), encoding="utf-8")
        names[str(path)] = name

    walk_past_every_page(open_page(PHONE, javascript=False), site, save)
    errors = vnu_errors(sorted(names))
    assert not errors, "\n" + "\n".join(describe_vnu_error(message, names) for message in errors)


def passes_axe_everywhere(screen, site, open_page, screenshots):
    page = open_page(screen)
    width = screen["width"]
    found = []
    visited = []

    def check(name, response):
        visited.append(name)
        if screenshots:
            page.screenshot(path=screenshots / f"{width}-{len(visited):02d}-{name}.png", full_page=True)
        found.extend(describe_axe_violation(f"{name} at {width}px", violation) for violation in axe_violations(page))

    walk_past_every_page(page, site, check)
    assert "book-check-error" in visited and "manage-cancelled" in visited
    assert not found, "\n" + "\n".join(found)


def test_every_page_passes_axe_on_a_phone(site, open_page, screenshots):
    passes_axe_everywhere(PHONE, site, open_page, screenshots)


def test_every_page_passes_axe_on_a_wide_screen(site, open_page, screenshots):
    passes_axe_everywhere(WIDE, site, open_page, screenshots)
