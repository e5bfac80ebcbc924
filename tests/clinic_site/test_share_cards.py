"""Every public page shares its own 1200×630 card, in its language: its photo where it has one, else a drawn card."""

import io
import re
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import signing
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from booking import waitlist
from booking.models import Booking
from clinic.clock import clinic_today
from clinic.models import Picture
from clinic_site.share_cards import SIGNER
from conditions.models import Condition, Page, ServicePage
from privacy.models import PrivacyNotice
from tests.clinic_site.test_production_failures import (  # noqa: F401
    port_nobody_listens_on,
    redis_down,
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def meta(response, name):
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', response.content.decode())
    assert found, f"{name} missing"
    return found.group(1)


def public_pages():
    condition = Condition.objects.published().first()
    page = Page.objects.published().first()
    pages = ["/", "/es/", condition.get_absolute_url(), reverse("faq:index"), reverse("team:index"),
             reverse("privacy:notice"), reverse("booking:start")]
    with translation.override("es"):
        pages += [condition.get_absolute_url(), reverse("faq:index"), reverse("booking:start")]
    if page is not None:
        pages.append(page.get_absolute_url())
    return pages


def fetched_card(client, response):
    card = client.get(meta(response, "og:image").removeprefix("http://testserver"))
    assert card.status_code == 200
    return card, Image.open(io.BytesIO(card.content))


def test_every_public_page_shares_a_card_of_1200_by_630(client, clinic_content, booking_rules):
    cards = set()
    for path in public_pages():
        response = client.get(path)
        assert response.status_code == 200, path
        card, image = fetched_card(client, response)
        assert image.size == (1200, 630), path
        assert meta(response, "og:image:width") == "1200" and meta(response, "og:image:height") == "630"
        assert meta(response, "twitter:card") == "summary_large_image"
        assert meta(response, "twitter:image") == meta(response, "og:image")
        assert meta(response, "og:image:alt")
        assert "immutable" in card["Cache-Control"]
        cards.add(meta(response, "og:image"))
    assert len(cards) == len(public_pages())  # each page its own card


def test_card_carries_the_pages_own_title_without_the_clinics_name(client, clinic_content):
    condition = Condition.objects.published().first()
    response = client.get(condition.get_absolute_url())
    assert meta(response, "og:title") == condition.name
    assert meta(response, "og:image:alt") == f"{condition.name} · {response.context['clinic'].name}"
    assert f"<title>{condition.name} · " in response.content.decode()  # the document's title is unchanged


def test_spanish_page_shares_a_spanish_card(client, clinic_content):
    english = meta(client.get("/"), "og:image")
    spanish_response = client.get("/es/")
    assert meta(spanish_response, "og:image") != english
    assert meta(spanish_response, "og:title") == ServicePage.objects.get().search_title(spanish_response.context["clinic"])


def test_a_card_address_the_site_did_not_make_is_not_found(client, clinic_content):
    url = meta(client.get("/"), "og:image").removeprefix("http://testserver")
    tampered = url.replace(".png", "x.png")
    assert client.get(tampered).status_code == 404
    assert client.get("/share/eyJ0IjoiSGFja2VkIn0:abc:def.png").status_code == 404


def test_card_is_drawn_once_then_served_from_the_cache(client, clinic_content, django_assert_num_queries):
    url = meta(client.get("/"), "og:image").removeprefix("http://testserver")
    first = client.get(url)
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.content == first.content


def test_page_with_a_photo_shares_the_photo_cropped_to_1200_by_630(client, clinic_content):
    photo = io.BytesIO()
    Image.new("RGB", (2000, 1500), (200, 40, 40)).save(photo, "JPEG")
    picture = Picture.objects.create(
        image=ContentFile(photo.getvalue(), name="opening.jpg"), width=2000, height=1500,
        alt_text="A physiotherapist watching a runner on the treadmill", focal_x=30, focal_y=60,
    )
    ServicePage.objects.update(opening_picture=picture)
    response = client.get("/")
    assert meta(response, "og:image:type") == "image/jpeg"
    assert meta(response, "og:image:alt") == picture.alt_text
    card, image = fetched_card(client, response)
    assert card["Content-Type"] == "image/jpeg"
    assert image.size == (1200, 630)
    red, green, blue = image.convert("RGB").getpixel((600, 315))
    assert red > 150 and green < 90  # the photo, not the drawn card's teal


def test_home_page_queries_stay_pinned_with_the_share_card(client, clinic_content, django_assert_max_num_queries):
    client.get("/")  # warm: the first request of a run loads the clinic's translations
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(12):
        client.get("/")


def card_token(response):
    return re.search(r"/share/([^/]+)\.(?:png|jpg)$", meta(response, "og:image")).group(1)


def test_a_page_shares_the_same_card_address_at_every_render(client, clinic_content, monkeypatch):
    first = meta(client.get("/faq/"), "og:image")
    cache.clear()  # the page drawn afresh, as a page outside the page cache is at each visit
    # A minute later by the clock Django's signing reads (a TimestampSigner would put it in the address).
    later = time.time() + 60
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: later))
    assert meta(client.get("/faq/"), "og:image") == first


def test_a_card_whose_text_was_changed_is_not_found(client, clinic_content):
    token = card_token(client.get("/faq/"))
    signature = token.rsplit(":", 1)[1]
    forged = SIGNER.sign_object({"t": "Free sessions today", "l": "en"}).rsplit(":", 1)[0]
    assert client.get(f"/share/{forged}:{signature}.png").status_code == 404
    assert client.get(f"/share/{token}.png").status_code == 200


def test_a_card_is_still_served_while_the_cache_is_down(client, clinic_content, redis_down, caplog):  # noqa: F811
    response = client.get("/faq/")
    token = card_token(response)
    card, image = fetched_card(client, response)
    assert card["Content-Type"] == "image/png" and image.size == (1200, 630)
    assert "Share cards: the cache is not answering" in caplog.text
    assert token not in caplog.text


def private_pages(booking):
    with translation.override("en"):
        entry = waitlist.join(
            patient_name="Lucía Pérez", phone="+526645550101", email="lucia@example.com",
            first_day=clinic_today() + timedelta(days=3), last_day=clinic_today() + timedelta(days=3),
            privacy_notice=PrivacyNotice.current(),
        )
        manage = booking.get_manage_url()
        return {
            "manage": manage,
            "cancel": reverse("booking:cancel", kwargs={"token": booking.token}),
            "move": reverse("booking:move", kwargs={"token": booking.token}),
            "reply": reverse("booking:reply", kwargs={"token": booking.token}),
            "waitlist": entry.get_private_url(),
            "leave the waitlist": reverse("booking:waitlist_leave", kwargs={"token": entry.token}),
        }


def test_a_private_page_shares_a_card_naming_no_booking_and_no_patient(client, booking_rules, booking):
    booking.status = Booking.Status.CONFIRMED
    booking.save()
    for name, path in private_pages(booking).items():
        response = client.get(path)
        assert response.status_code == 200, name
        # The address is signed, not secret: anyone holding it (a crawler, a log) can read what it carries.
        shown = str(SIGNER.unsign_object(card_token(response)))
        for private in (booking.reference, "María", "López", "Lucía", "Pérez", "Fernanda"):
            assert private not in shown, name
            assert private not in meta(response, "og:title") and private not in meta(response, "og:image:alt"), name
        assert meta(response, "og:title") == response.context["clinic"].name, name
    assert booking.reference in client.get(booking.get_manage_url()).content.decode()  # the page itself still says it
