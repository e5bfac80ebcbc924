"""The favicon set and the web app manifest: what browsers, phones and crawlers ask for at the root."""

import io
import json

from django.contrib.staticfiles import finders
from PIL import Image
from pytest_django.asserts import assertContains


def test_favicon_ico_answers_at_the_root_in_three_sizes(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert Image.open(io.BytesIO(response.content)).ico.sizes() == {(16, 16), (32, 32), (48, 48)}


def test_png_icons_have_the_sizes_their_names_promise():
    for name, size in (("apple-touch-icon.png", 180), ("icon-192.png", 192), ("icon-512.png", 512)):
        with Image.open(finders.find(name)) as image:
            assert image.size == (size, size), name
    with Image.open(finders.find("apple-touch-icon.png")) as image:
        assert image.mode == "RGB"  # no transparency: iOS would show it black


def test_manifest_names_the_clinic_in_the_pages_language(client, clinic_content):
    english = client.get("/site.webmanifest")
    assert english["Content-Type"] == "application/manifest+json"
    manifest = json.loads(english.content)
    assert manifest["start_url"] == "/" and manifest["lang"] == "en"
    assert manifest["theme_color"] == "#0e5a62" and manifest["background_color"] == "#ffffff"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
    spanish = json.loads(client.get("/es/site.webmanifest").content)
    assert spanish["start_url"] == "/es/" and spanish["lang"] == "es-MX"
    assert spanish["description"] != manifest["description"]


def test_every_page_links_its_icons_and_manifest(client, clinic_content):
    response = client.get("/es/")
    assertContains(response, '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">')
    assertContains(response, '<link rel="apple-touch-icon" href="/static/apple-touch-icon.png">')
    assertContains(response, '<link rel="manifest" href="/es/site.webmanifest">')


def test_home_page_shows_a_drawing_per_stage_and_the_runner_without_photos(client, clinic_content):
    response = client.get("/")
    for number in range(1, 5):
        assertContains(response, f'src="/static/img/stage-{number}.svg" width="64" height="64" alt=""')
    assertContains(response, 'src="/static/img/runner.svg" width="480" height="360" alt=""')


def test_condition_card_shows_its_body_regions_drawing(client, clinic_content):
    from conditions.models import Condition, PatientReason

    Condition.objects.filter(pk=Condition.objects.published().first().pk).update(patient_reason=PatientReason.ACHILLES_CALF)
    assertContains(client.get("/"), 'src="/static/img/region-achilles-calf.svg" width="48" height="48" alt=""')


def test_drawings_are_small_svg_with_no_script_or_style():
    import pathlib

    for path in pathlib.Path(finders.find("img/runner.svg")).parent.glob("*.svg"):
        text = path.read_text()
        assert len(text.encode()) <= 2048, path.name
        assert "<script" not in text and "style" not in text and " on" not in text.replace(" one", ""), path.name
