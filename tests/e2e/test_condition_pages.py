"""The eight condition pages, in both languages, at a phone's width and a wide one: valid HTML and no axe violations."""

import pytest
from django.utils import translation

from conditions.models import Condition

from .checkers import (
    axe_violations,
    describe_axe_violation,
    describe_vnu_error,
    vnu_errors,
)
from .conftest import PHONE, WIDE

pytestmark = pytest.mark.django_db(transaction=True)


def condition_paths():
    paths = []
    for language in ("en", "es"):
        with translation.override(language):
            paths += [(f"{language}-{condition.slug}", condition.get_absolute_url()) for condition in Condition.objects.all()]
    return paths


def test_every_condition_page_is_valid_html(site, open_page, tmp_path):
    page = open_page(PHONE, javascript=False)
    names = {}
    for name, path in condition_paths():
        response = page.goto(site + path)
        assert response.status == 200, path
        file = tmp_path / f"{name}.html"
        file.write_text(response.text(), encoding="utf-8")
        names[str(file)] = name
    assert len(names) == 16
    errors = vnu_errors(sorted(names))
    assert not errors, "\n" + "\n".join(describe_vnu_error(message, names) for message in errors)


@pytest.mark.parametrize("screen", [PHONE, WIDE], ids=["phone", "wide"])
def test_every_condition_page_passes_axe(site, open_page, screen):
    page = open_page(screen)
    found = []
    for name, path in condition_paths():
        page.goto(site + path)
        assert page.locator(".care-card--urgent h2").count() == 1, path
        found.extend(describe_axe_violation(f"{name} at {screen['width']}px", v) for v in axe_violations(page))
    assert not found, "\n" + "\n".join(found)
