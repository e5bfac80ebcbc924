"""The team page, and "/" with the team, patient stories and visiting answers filled in: valid HTML and axe,
in both languages, on a phone and a wide screen."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from clinic.models import Clinic
from conditions.models import Condition, PatientStory
from team.models import Practitioner

from .checkers import (
    axe_violations,
    describe_axe_violation,
    describe_vnu_error,
    vnu_errors,
)
from .conftest import PHONE, WIDE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people_and_place(site):
    Practitioner.objects.update(is_listed=True, name="Lic. Ana Pérez", title_en="Physiotherapist",
                                title_es="Fisioterapeuta", degree_en="Bachelor's degree in Physiotherapy",
                                degree_es="Licenciatura en Fisioterapia", institution="UABC", cedula="12345678",
                                specialities_en="Running injuries\nTendons", specialities_es="Lesiones\nTendones",
                                languages_en="Spanish and English", languages_es="Español e inglés",
                                bio_en="Ana has run six marathons.", bio_es="Ana ha corrido seis maratones.")
    Practitioner.objects.create(name="Luis Soto", title_en="Physiotherapist", cedula="7654321", position=2)
    knee = Condition.objects.published().first()
    PatientStory.objects.create(quote_en="Back to 40 km a week.", quote_es="De vuelta a 40 km por semana.",
                                patient="María F.", condition=knee, consent_recorded_on=date(2026, 3, 1))
    PatientStory.objects.create(quote_en="Clear plan, no guessing.", patient="Jorge R.",
                                consent_recorded_on=date(2026, 4, 1))
    clinic = Clinic.objects.get()
    for field, value in {
        "street_address": "Paseo de los Héroes 9350", "postal_code": "22010", "phone": "+52 664 123 4567",
        "whatsapp": "+52 664 765 4321", "email": "hola@example.com",
        "legal_name": "Fisioterapia del Río, S.C.", "legal_address": "Paseo de los Héroes 9350, Tijuana",
        "advertising_notice": "2026-AP-1234", "health_officer": "Dra. Laura Méndez",
        "health_officer_cedula": "7654321", "first_assessment": "Sixty minutes: history, tests, a plan.",
        "follow_up_price": Decimal("600"), "usual_sessions": "Most runners come 4 to 8 times.",
        "payment": "Cash (pesos or dollars), card or transfer.", "invoices": "Factura (CFDI) on request.",
        "getting_there": "From San Ysidro: 15 minutes by taxi.\n\nFrom downtown: 10 minutes.",
        "parking": "Free parking at the back.", "cancellation_policy": "Tell us 24 hours ahead.",
    }.items():
        setattr(clinic, field, value)
    clinic.save()
    paths = {}
    for language in ("en", "es"):
        with translation.override(language):
            for name in ("conditions:home", "team:index", "privacy:notice"):
                paths[f"{language}-{name.split(':')[1]}"] = reverse(name)
    return site, paths


def test_the_people_and_place_pages_are_valid_html(people_and_place, open_page, tmp_path):
    site, paths = people_and_place
    page = open_page(PHONE, javascript=False)
    names = {}
    for name, path in paths.items():
        response = page.goto(site + path)
        assert response.status == 200, name
        file = tmp_path / f"{name}.html"
        file.write_text(response.text(), encoding="utf-8")
        names[str(file)] = name
    errors = vnu_errors(sorted(names))
    assert not errors, "\n" + "\n".join(describe_vnu_error(message, names) for message in errors)


@pytest.mark.parametrize("screen", [PHONE, WIDE], ids=["phone", "wide"])
def test_the_people_and_place_pages_pass_axe(people_and_place, open_page, screen):
    site, paths = people_and_place
    page = open_page(screen)
    found = []
    for name, path in paths.items():
        page.goto(site + path)
        found.extend(describe_axe_violation(f"{name} at {screen['width']}px", v) for v in axe_violations(page))
    assert not found, "\n" + "\n".join(found)
    page.goto(site + paths["es-index"])
    assert page.get_by_text("Cédula profesional 12345678").count() == 1
    assert page.get_by_text("COFEPRIS").count() == 1


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_team_page_shows_each_listed_practitioner_with_their_cedula(people_and_place, open_page, language):
    site, paths = people_and_place
    Practitioner.objects.create(name="Not Listed", cedula="1111111", is_listed=False, position=3)
    page = open_page(WIDE)
    page.goto(site + paths[f"{language}-index"])
    assert page.locator("html").get_attribute("lang") == language
    main = page.get_by_role("main")
    for practitioner in Practitioner.objects.listed():
        assert main.get_by_role("heading", name=practitioner.name).is_visible(), practitioner.name
        assert main.get_by_text(f"Cédula profesional {practitioner.cedula}", exact=True).is_visible(), practitioner.name
    # The registry where a patient can check a cédula is one tap away.
    assert main.get_by_role("link", name="Registro Nacional de Profesionistas").is_visible()
    assert main.get_by_text("Not Listed").count() == 0


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_privacy_notice_is_set_out_under_headings(people_and_place, open_page, language):
    site, paths = people_and_place
    page = open_page(PHONE, javascript=False)
    page.goto(site + paths[f"{language}-notice"])
    assert page.get_by_role("heading", level=1).count() == 1
    # Headings a patient can scan for what is done with their data, each with its text.
    assert page.locator("main h2").count() >= 4
    assert page.locator("main h2 + p, main h2 + ul, main h2 + ol").count() >= 4
