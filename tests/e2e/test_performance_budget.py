"""The budget of "/" on a phone: ≤ 40 KB of HTML and CSS compressed, ≤ 80 KB of images on the first screen,
no layout shift, and the largest paint early; with no photo and with an opening photo in place."""

import gzip
import io
import mimetypes
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image

from clinic.models import Picture
from conditions.models import ServicePage
from tests.e2e.conftest import PHONE

HTML_AND_CSS_GZIP_BUDGET = 40 * 1024
FIRST_SCREEN_IMAGES_BUDGET = 80 * 1024
LCP_BUDGET_MS = 1500  # on this machine's loopback, without Lighthouse's throttling: a regression guard

WATCH = """() => {
  window.__cls = 0; window.__lcp = null;
  new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value; })
    .observe({type: 'layout-shift', buffered: true});
  new PerformanceObserver(list => { const all = list.getEntries(); window.__lcp = all[all.length - 1]; })
    .observe({type: 'largest-contentful-paint', buffered: true});
}"""

FIRST_SCREEN_IMAGES = """() => {
  const seen = new Set(Array.from(document.images).filter(img => {
    const box = img.getBoundingClientRect();
    return box.width > 0 && box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth;
  }).map(img => img.currentSrc));
  return performance.getEntriesByType('resource').filter(r => seen.has(r.name))
    .map(r => ({url: r.name, bytes: r.encodedBodySize}));
}"""


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def photo_like_jpeg(size=(2000, 1500)):
    """Noise over gradients compresses about as a real photo does; a flat colour would flatter the budget."""
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), Image.effect_noise(size, 40)))
    output = io.BytesIO()
    image.save(output, "JPEG", quality=90)
    return output.getvalue()


def serve_media(page):
    """The live server serves no uploads; the browser gets them from MEDIA_ROOT, as nginx would."""
    def fulfil(route):
        path = Path(settings.MEDIA_ROOT) / route.request.url.split(settings.MEDIA_URL, 1)[1]
        if path.exists():
            route.fulfill(body=path.read_bytes(), content_type=mimetypes.guess_type(path.name)[0] or "image/jpeg")
        else:
            route.fulfill(status=404)
    page.route(f"**{settings.MEDIA_URL}**", fulfil)


def measure(page, url):
    bodies = {}

    def keep(response):
        kind = response.request.resource_type
        if kind in ("document", "stylesheet") and response.status == 200:
            bodies[response.url] = response.body()

    page.on("response", keep)
    page.add_init_script(f"({WATCH})()")
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)
    compressed = sum(len(gzip.compress(body, 6)) for body in bodies.values())
    images = page.evaluate(FIRST_SCREEN_IMAGES)
    cls = page.evaluate("window.__cls")
    lcp = page.evaluate("window.__lcp && {time: window.__lcp.startTime, tag: window.__lcp.element && window.__lcp.element.tagName}")
    return compressed, images, cls, lcp


@pytest.mark.parametrize("with_photo", [False, True], ids=["drawing", "opening-photo"])
@pytest.mark.parametrize("prefix", ["", "/es"])
def test_home_page_keeps_its_budget_on_a_phone(site, open_page, with_photo, prefix):
    if with_photo:
        picture = Picture.objects.create(
            image=ContentFile(photo_like_jpeg(), name="opening.jpg"), width=2000, height=1500,
            alt_text="A physiotherapist filming a runner's stride on the treadmill",
        )
        ServicePage.objects.update(opening_picture=picture)
    page = open_page(PHONE)
    serve_media(page)
    compressed, images, cls, lcp = measure(page, f"{site}{prefix}/")
    assert compressed <= HTML_AND_CSS_GZIP_BUDGET, f"HTML and CSS are {compressed} bytes compressed"
    image_bytes = sum(image["bytes"] for image in images)
    assert image_bytes <= FIRST_SCREEN_IMAGES_BUDGET, images
    assert cls == 0
    assert lcp is not None and lcp["time"] < LCP_BUDGET_MS, lcp


def test_the_opening_uses_the_width_on_a_wide_screen(site, open_page):
    from tests.e2e.conftest import WIDE

    page = open_page(WIDE)
    page.goto(f"{site}/")
    text = page.locator(".opening__text").bounding_box()
    image = page.locator(".opening__image").bounding_box()
    assert image["x"] >= text["x"] + text["width"]  # beside the text, not under it
    assert abs(image["y"] - text["y"]) < text["height"]
    assert image["x"] + image["width"] > WIDE["width"] * 0.8
