"""The privacy notice in sections with headings, naming the responsible party and its domicile (LFPDPPP)."""

import re

from django.urls import reverse
from django.utils import translation

from clinic.models import Clinic
from privacy.models import PrivacyNotice
from tests.helpers import page_text


def headings(response):
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", response.content.decode())]


def test_the_shipped_notice_has_a_heading_for_each_section_in_both_languages(client, clinic_content):
    english = headings(client.get("/privacy/"))
    for heading in ("Who is responsible for your data", "What we collect", "What we use it for",
                    "Who we share it with", "How long we keep it", "Your rights", "Cookies"):
        assert heading in english
    with translation.override("es"):
        path = reverse("privacy:notice")
    spanish_page = client.get(path)
    spanish = headings(spanish_page)
    for heading in ("Qué datos recabamos", "Cuánto tiempo los guardamos", "Tus derechos"):
        assert heading in spanish
    # Tú, as the clinic talks: "tus datos", never "usted" or "sus datos".
    body_es = PrivacyNotice.objects.get().body_es
    assert "tus datos" in body_es
    assert not re.search(r"\busted\b|\bsus datos\b|\bsu consentimiento\b", body_es, flags=re.IGNORECASE)


def test_the_notice_says_backups_are_kept_up_to_12_months(client, clinic_content):
    text = page_text(client.get("/privacy/"))
    assert "backups are kept for up to 12 months" in text


def test_the_notice_names_the_legal_entity_and_its_domicile(client, clinic_content):
    clinic = Clinic.objects.get()
    clinic.legal_name = "Fisioterapia Deportiva del Río, S.C."
    clinic.legal_address = "Paseo de los Héroes 9350, Local 4\nZona Río, 22010 Tijuana, B.C."
    clinic.save()
    text = page_text(client.get("/privacy/"))
    assert "Fisioterapia Deportiva del Río, S.C. is responsible for the personal data" in text
    assert "Domicile: Paseo de los Héroes 9350, Local 4, Zona Río, 22010 Tijuana, B.C." in text


def test_without_legal_details_the_notice_names_the_clinic_and_its_address(client, clinic):
    PrivacyNotice.objects.create(version=1, title="Privacy notice", body="## What we collect\n\nYour name.")
    text = page_text(client.get("/privacy/"))
    assert "Return to Running is responsible for the personal data" in text
    assert "Domicile: Paseo de los Héroes 9350, Zona Río, 22010 Tijuana, Baja California" in text


def test_headings_staff_write_become_sections_with_their_own_anchor(db):
    notice = PrivacyNotice(version=9, title="t", body="Intro.\n\n## Cookies\n\nNone.\n\n## Cookies\n\nStill none.")
    assert notice.introduction == ["Intro."]
    assert [(s.heading, s.anchor, s.paragraphs) for s in notice.headed_sections] == [
        ("Cookies", "cookies", ["None."]), ("Cookies", "cookies-2", ["Still none."]),
    ]


def test_a_heading_never_takes_an_id_the_page_itself_uses(db):
    notice = PrivacyNotice(version=9, title="t", body="## Responsible\n\nUs.\n\n## Your data\n\nYours.")
    assert [s.anchor for s in notice.headed_sections] == ["responsible-2", "your-data-2"]


def test_an_old_notice_without_headings_still_shows_all_its_text(client, db):
    PrivacyNotice.objects.create(version=1, title="Privacy notice", body="First paragraph.\n\nSecond paragraph.")
    text = page_text(client.get("/privacy/"))
    assert "First paragraph." in text and "Second paragraph." in text
