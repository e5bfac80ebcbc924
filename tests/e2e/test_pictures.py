"""Uploaded photos on "/": no layout shift, valid and accessible, and at most 80 KB of images on a phone's first screen."""

import io

import pytest
from django.urls import re_path
from django.views.static import serve
from PIL import Image, ImageDraw

from clinic.models import Picture
from clinic.pictures import clean_upload
from clinic_site import urls as site_urls
from tests.clinic.test_pictures import jpeg_with_gps

from .checkers import (
    axe_violations,
    describe_axe_violation,
    describe_vnu_error,
    vnu_errors,
)
from .conftest import PHONE, WIDE

pytestmark = pytest.mark.django_db(transaction=True)

FIRST_SCREEN_IMAGE_BUDGET = 80 * 1024

# The site's own addresses, and (set in the fixture) the uploaded files, as the proxy serves /media/ in production.
urlpatterns = list(site_urls.urlpatterns)


def photo(seed, size=(1800, 1200)):
    """A busy, photo-like image: hard to compress, as real photos are."""
    import random

    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(256), 120, 140))
    draw = ImageDraw.Draw(image)
    for _ in range(300):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        draw.ellipse((x, y, x + rng.randrange(20, 240), y + rng.randrange(20, 240)),
                     fill=tuple(rng.randrange(256) for _ in range(3)))
    output = io.BytesIO()
    image.save(output, "JPEG", quality=90)
    return output.getvalue()


def upload(data, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return Picture.objects.create(image=clean_upload(SimpleUploadedFile("p.jpg", data)), alt_text="The clinic's gym",
                                  alt_text_es="El gimnasio de la clínica", **fields)


@pytest.fixture
def site_with_pictures(site, clinic_content, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ROOT_URLCONF = __name__
    urlpatterns[:] = [*site_urls.urlpatterns, 
                      re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
    clinic_content.opening_picture = upload(photo(1))
    clinic_content.case_picture = upload(jpeg_with_gps())
    clinic_content.save()
    for n in range(4):
        upload(photo(10 + n), in_gallery=True, position=n)
    return site


def test_pictures_on_home_page_keep_their_place_pass_axe_and_nu_and_stay_in_the_first_screen_budget(
    site_with_pictures, open_page, tmp_path
):
    page = open_page(PHONE)
    page.goto(site_with_pictures + "/")
    page.wait_for_load_state("networkidle")

    images = page.locator("main img")
    assert images.count() >= 5
    for n in range(images.count()):
        image = images.nth(n)
        assert image.get_attribute("width") and image.get_attribute("height"), image.evaluate("e => e.outerHTML")
    # Every gallery photo has loaded once scrolled to, from a rendition.
    page.locator("#the-clinic").scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    loaded = "[...document.querySelectorAll('#the-clinic img')].map(i => [i.currentSrc, i.complete && i.naturalWidth > 0])"
    for _ in range(50):
        if all(ok for _src, ok in page.evaluate(loaded)):
            break
        page.wait_for_timeout(100)
    assert all(ok for _src, ok in page.evaluate(loaded)), page.evaluate(loaded)

    found = [describe_axe_violation("/ with pictures", violation) for violation in axe_violations(page)]
    assert not found, "\n" + "\n".join(found)

    saved = tmp_path / "home.html"
    saved.write_text(page.content(), encoding="utf-8")
    errors = vnu_errors([saved])
    assert not errors, "\n" + "\n".join(describe_vnu_error(message, {str(saved): "/"}) for message in errors)


def first_screen_image_bytes(page):
    """Bytes of every image fetched for an <img> that shows, at least in part, on the first screen."""
    return page.evaluate(
        """() => {
            const height = window.innerHeight;
            const shown = [...document.images].filter(i => {
                const box = i.getBoundingClientRect();
                return box.top < height && box.bottom > 0 && box.width > 0;
            }).map(i => i.currentSrc);
            return performance.getEntriesByType('resource')
                .filter(e => shown.includes(e.name))
                .reduce((sum, e) => sum + e.encodedBodySize, 0);
        }"""
    )


@pytest.mark.parametrize("screen", [PHONE, WIDE], ids=["phone", "wide"])
def test_first_screen_images_weigh_at_most_80_kb(site_with_pictures, open_page, screen):
    page = open_page(screen)
    page.goto(site_with_pictures + "/")
    page.wait_for_load_state("networkidle")

    assert first_screen_image_bytes(page) <= FIRST_SCREEN_IMAGE_BUDGET
    # Nothing below the first screen is fetched before it is scrolled to.
    assert page.evaluate("[...document.querySelectorAll('#the-clinic img')].every(i => i.loading === 'lazy')")
