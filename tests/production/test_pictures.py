"""Pictures and share cards in production: a photo staff upload in the admin shows on the home page, its
renditions served by nginx from MEDIA_ROOT; every page's share card is drawn and served; the team page answers.
"""

import io
import re
from html import unescape
from urllib.parse import urlsplit

import pillow_heif
import pytest
from PIL import Image, ImageDraw

from tests.production.browser import Browser
from tests.production.proxy import get, run_nginx
from tests.production.staff import sign_in


@pytest.fixture(scope="module")
def site(services):
    return services.gunicorn("gunicorn-pictures")


@pytest.fixture(scope="module")
def nginx(site, deployment, tmp_path_factory):
    yield from run_nginx(site, tmp_path_factory.mktemp("nginx-pictures"), deployment.media_root)


def a_photo(kind, width=1600, height=1067):
    """A photo as a phone's camera makes one (a JPEG, or an iPhone's HEIC): big, with something to crop around."""
    photo = Image.new("RGB", (width, height), (196, 214, 230))
    ImageDraw.Draw(photo).ellipse((width // 3, height // 4, 2 * width // 3, 3 * height // 4), fill=(20, 80, 120))
    buffer = io.BytesIO()
    if kind == "HEIF":
        pillow_heif.register_heif_opener()
    photo.save(buffer, kind, quality=90)
    return buffer.getvalue()


def share_card_path(page):
    """The path of the card a page names in og:image (an absolute address on SITE_URL)."""
    found = re.search(r'<meta property="og:image" content="([^"]+)"', page.html)
    assert found, f"no og:image on {page.path}"
    return urlsplit(unescape(found.group(1))).path


@pytest.mark.parametrize(("upload", "alt_text"), [
    (("treadmill.jpg", "JPEG", "image/jpeg"), "A runner on the treadmill while the physio watches her stride"),
    (("IMG_0412.HEIC", "HEIF", "image/heic"), "The clinic's gym, seen from the door"),
], ids=["jpeg", "heic"])
def test_a_photo_uploaded_in_the_admin_shows_on_the_home_page_with_its_renditions_served_by_nginx(
    site, nginx, deployment, upload, alt_text
):
    https_port, _http_port, _log = nginx
    staff = Browser(site, address="203.0.113.50")
    sign_in(staff, deployment.superuser)
    form = staff.get("/admin/clinic/picture/add/").form(id="picture_form")
    filename, kind, content_type = upload

    saved = staff.submit(
        form, files={"image": (filename, a_photo(kind), content_type)}, _save="Save", in_gallery="on",
        alt_text_en=alt_text, alt_text_es=f"(es) {alt_text}",
    )

    assert "was added successfully" in saved.text, f"not saved, at {saved.path}: {saved.text[:1500]}"
    # The home page, through the proxy, as a patient's phone gets it: the photo is in the gallery at once.
    status, _headers, body = get(https_port, "/")
    assert status == 200
    page = unescape(body.decode())
    found = re.search(r'<picture\b(?:(?!</picture>).)*alt="' + re.escape(alt_text) + '"', page, flags=re.DOTALL)
    assert found, f"the home page does not show the photo: {alt_text!r}"
    # Its renditions only, not an earlier upload's.
    renditions = sorted(set(re.findall(r"/media/pictures/renditions/[^\s\"',]+", found.group(0))))
    assert renditions, "the gallery's picture names no rendition"
    kinds = set()
    for path in renditions:
        status, headers, content = get(https_port, path)
        assert status == 200, f"{path}: {status}"
        kinds.add(headers["Content-Type"])
        assert Image.open(io.BytesIO(content)).width <= 1600
    assert {"image/avif", "image/webp", "image/jpeg"} <= kinds


@pytest.mark.parametrize("path", ["/faq/", "/team/", "/es/"])
def test_every_page_shares_a_card_served_as_a_1200_by_630_image(site, path):
    patient = Browser(site, address="203.0.113.51")
    page = patient.get(path)
    assert page.status == 200, f"{path}: {page.status} {page.text[:500]}"

    card = patient.get(share_card_path(page))

    assert card.status == 200, f"{card.path}: {card.status}"
    kind = card.headers["Content-Type"]
    assert kind in ("image/png", "image/jpeg")
    image = Image.open(io.BytesIO(card.content))
    assert (image.format, image.size) == ({"image/png": "PNG", "image/jpeg": "JPEG"}[kind], (1200, 630))


def test_a_drawn_card_uses_the_fonts_package_not_pillows_fallback(site, services):
    patient = Browser(site, address="203.0.113.52")
    card = patient.get(share_card_path(patient.get("/faq/")))

    assert (card.status, card.headers["Content-Type"]) == (200, "image/png")
    assert Image.open(io.BytesIO(card.content)).size == (1200, 630)
    [gunicorn] = [service for service in services.started if service.name == "gunicorn-pictures"]
    assert "Share cards:" not in gunicorn.output(), "fonts-dejavu-core is missing on this host"


def test_the_team_page_answers_with_the_team(site):
    page = Browser(site, address="203.0.113.53").get("/team/")

    assert page.status == 200, f"/team/: {page.status} {page.text[:500]}"
    assert "Return to Running" in page.text
