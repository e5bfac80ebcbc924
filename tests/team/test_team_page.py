import json
import re
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from clinic.models import Clinic
from conditions.models import Condition, PatientStory
from team.models import Practitioner
from tests.helpers import page_text


@pytest.fixture
def ana(clinic_content):
    Practitioner.objects.update(is_listed=False)
    return Practitioner.objects.create(
        name="Lic. Ana Pérez", position=1, title_en="Physiotherapist", title_es="Fisioterapeuta",
        degree_en="Bachelor's degree in Physiotherapy", degree_es="Licenciatura en Fisioterapia",
        institution="Universidad Autónoma de Baja California", cedula="12345678",
        specialities_en="Running injuries\nTendon rehabilitation", specialities_es="Lesiones de corredor\nTendones",
        languages_en="Spanish and English", languages_es="Español e inglés",
        bio_en="Ana has run six marathons.\n\nShe leads the clinic.", bio_es="Ana ha corrido seis maratones.",
    )

# The practitioners (photos joined) and the clinic's row; the footer's opening hours.
TEAM_PAGE_QUERIES = 3


def structured(response):
    return [json.loads(block) for block in re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), flags=re.S)]


def clinic_json(response):
    return next(data for data in structured(response) if "MedicalClinic" in data.get("@type", []))


def test_the_team_page_shows_each_profile_with_its_cedula_in_both_languages(client, ana):
    english = page_text(client.get("/team/"))
    assert "Lic. Ana Pérez" in english
    assert "Physiotherapist" in english
    assert "Bachelor's degree in Physiotherapy, Universidad Autónoma de Baja California" in english
    assert "Cédula profesional 12345678" in english
    assert "Languages: Spanish and English" in english
    assert "Tendon rehabilitation" in english and "Ana has run six marathons." in english

    with translation.override("es"):
        path = reverse("team:index")
    spanish = page_text(client.get(path))
    assert path.startswith("/es/")
    assert "Cédula profesional 12345678" in spanish
    assert "Licenciatura en Fisioterapia, Universidad Autónoma de Baja California" in spanish
    assert "Fisioterapeuta" in spanish and "Español e inglés" in spanish


def test_unlisted_practitioners_are_left_off_the_team_page_and_home(client, ana):
    Practitioner.objects.create(name="Dr. Hidden Person", is_listed=False)
    assert "Hidden Person" not in page_text(client.get("/team/"))
    assert "Hidden Person" not in page_text(client.get("/"))


def test_without_a_photo_a_profile_shows_initials_not_a_broken_image(client, ana):
    body = client.get("/team/").content.decode()
    assert '<span class="profile__initials" aria-hidden="true">AP</span>' in body
    assert "<img" not in body.split('id="practitioner-')[1].split("</li>")[0]


def test_each_listed_practitioner_is_a_person_with_credential_in_the_clinics_json_ld(client, ana):
    for path in ("/", "/team/"):
        data = clinic_json(client.get(path))
        [person] = data["employee"]
        assert person["@type"] == "Person"
        assert person["name"] == "Lic. Ana Pérez"
        assert person["jobTitle"] == "Physiotherapist"
        assert person["knowsLanguage"] == ["Spanish", "English"]
        credential = person["hasCredential"]
        assert credential["@type"] == "EducationalOccupationalCredential"
        assert credential["recognizedBy"]["name"] == "Universidad Autónoma de Baja California"
        assert credential["identifier"]["value"] == "12345678"


def test_the_home_page_has_a_team_section_linking_to_the_team_page(client, ana):
    response = client.get("/")
    text = page_text(response)
    assert "Who will see you" in text and "Cédula profesional 12345678" in text
    assert 'href="#our-team"' in response.content.decode()
    assert 'href="/team/"' in response.content.decode()


def test_the_team_page_is_in_the_sitemap_in_both_languages(client, ana):
    body = client.get("/sitemap.xml").content.decode()
    assert "/team/</loc>" in body
    with translation.override("es"):
        assert reverse("team:index") in body


def rendered_afresh(client, path):
    """The page built from the database, not from the page cache."""
    cache.clear()
    return client.get(path)


def test_the_team_page_query_count_does_not_grow(client, ana, django_assert_num_queries):
    rendered_afresh(client, "/team/")  # sessions, permissions and the like warmed
    with django_assert_num_queries(TEAM_PAGE_QUERIES):
        rendered_afresh(client, "/team/")
    for n in range(5):
        Practitioner.objects.create(name=f"Extra {n}", cedula="1234567", position=10 + n)
    with django_assert_num_queries(TEAM_PAGE_QUERIES):
        assert "Extra 4" in page_text(rendered_afresh(client, "/team/"))


def test_the_home_page_query_count_does_not_grow_with_team_and_stories(client, ana, django_assert_num_queries):
    knee = Condition.objects.published().first()
    PatientStory.objects.create(quote="Back to 10 km.", patient="Luis G.", condition=knee,
                                consent_recorded_on=date(2026, 1, 5))
    rendered_afresh(client, "/")
    with CaptureQueriesContext(connection) as before:
        rendered_afresh(client, "/")
    for n in range(5):
        Practitioner.objects.create(name=f"Extra {n}", position=10 + n)
        PatientStory.objects.create(quote=f"Story {n}.", patient="Eva R.", condition=knee,
                                    consent_recorded_on=date(2026, 1, 5))
    with django_assert_num_queries(len(before)):
        text = page_text(rendered_afresh(client, "/"))
    assert "Extra 4" in text and "Story 4." in text


def test_the_footer_shows_the_cofepris_notice_and_responsable_sanitario_only_when_filled(client, clinic_content):
    assert "COFEPRIS" not in page_text(client.get("/team/"))
    clinic = Clinic.objects.get()
    clinic.advertising_notice, clinic.health_officer, clinic.health_officer_cedula = (
        "2026-AP-1234", "Dra. Laura Méndez", "7654321")
    clinic.save()
    text = page_text(client.get("/team/"))
    assert "COFEPRIS advertising notice: 2026-AP-1234" in text
    assert "Responsable sanitario (health officer in charge): Dra. Laura Méndez, cédula profesional 7654321" in text
