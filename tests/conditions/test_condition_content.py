"""The eight condition pages' sections, loaded from conditions/content, and the Spanish copy as a Tijuana clinician says it."""

import io
import json
import re
from datetime import date, time

import pytest
from django.core.management import call_command
from django.utils import translation

from booking.models import OpeningHours
from conditions.models import Condition
from conditions.seed import (
    CONDITION_NAMES,
    LIST_SECTIONS,
    PAGE_SECTIONS,
    SeedFormatError,
    condition_pages_path,
    read_condition_pages,
    read_extras,
    read_seed,
)
from team.models import Practitioner
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

SLUGS = [slug for _name, slug in CONDITION_NAMES]


def load():
    out = io.StringIO()
    call_command("load_clinic_content", stdout=out)
    return out.getvalue()


def json_ld(response):
    content = response.content.decode()
    return [json.loads(b) for b in re.findall(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)]


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_condition_has_every_section_in_both_languages(language):
    pages = read_condition_pages(language)
    assert list(pages) == SLUGS
    for sections in pages.values():
        assert list(sections) == list(PAGE_SECTIONS) and all(sections.values())


def test_the_pages_are_conservative_and_plain():
    for language in ["en", "es"]:
        text = condition_pages_path(language).read_text(encoding="utf-8").lower()
        # No promises of results, no medicines.
        for word in ["guarantee", "cure", "garantiza", "cura", "ibuprofen", "paracetamol", "naproxen", "usted"]:
            assert not re.search(rf"\b{word}\b", text), (language, word)
    english = read_condition_pages()
    assert "Your calf is swollen" in english["achilles-tendinopathy"]["red_flags"]
    assert "sudden pop or kick" in english["achilles-tendinopathy"]["red_flags"]
    assert "3 out of 10" in english["achilles-tendinopathy"]["this_week"]
    assert "numbness" in english["hip-and-hamstring-tendinopathies"]["red_flags"]
    assert "night" in english["bone-stress-injury"]["red_flags"]


def test_a_translation_with_an_item_missing_is_refused(tmp_path):
    copy = condition_pages_path("es").read_text(encoding="utf-8")
    broken = tmp_path / "condition-pages.es.txt"
    broken.write_text(copy.replace("## Qué se siente y dónde", "## Cómo se siente", 1), encoding="utf-8")
    with pytest.raises(SeedFormatError, match="Qué se siente y dónde"):
        read_condition_pages("es", path=broken)
    broken.write_text(copy.replace("- Dolor debajo del talón\n", "Dolor debajo del talón\n", 1), encoding="utf-8")
    with pytest.raises(SeedFormatError, match="starting with"):
        read_condition_pages("es", path=broken)


def test_the_loader_fills_the_sections_in_both_languages(db):
    load()
    achilles = Condition.objects.get(slug="achilles-tendinopathy")
    english, spanish = read_condition_pages(), read_condition_pages("es")
    for field in PAGE_SECTIONS:
        assert getattr(achilles, f"{field}_en") == english["achilles-tendinopathy"][field]
        assert getattr(achilles, f"{field}_es") == spanish["achilles-tendinopathy"][field]
    assert achilles.reviewed_by is None and achilles.reviewed_on is None  # staff set who reviewed it, and when


def test_a_database_loaded_before_the_sections_gets_them_and_keeps_what_staff_wrote(db):
    load()
    fields = {f"{field}_{language}": None for field in PAGE_SECTIONS for language in ("en", "es")}
    Condition.objects.update(**fields)
    Condition.objects.filter(slug="achilles-tendinopathy").update(treatment_en="Written by the clinic.")
    output = load()
    assert "Loaded the page sections of 8 conditions." in output
    achilles = Condition.objects.get(slug="achilles-tendinopathy")
    assert achilles.treatment_en == "Written by the clinic." and achilles.treatment_es is None
    assert achilles.feels_like_es == read_condition_pages("es")["achilles-tendinopathy"]["feels_like"]
    assert "Loaded" not in load()


def test_a_condition_page_shows_its_sections_and_the_urgent_care_card(client, clinic_content):
    content = client.get("/conditions/achilles-tendinopathy/").content.decode()
    for heading in ["What it feels like, and where", "Who gets it, and why", "What the first assessment checks",
                    "What treatment looks like", "A typical timeline", "What you can do this week"]:
        assert re.search(rf'<h2 id="[a-z-]+">{re.escape(heading)}</h2>', content), heading
    card = content[content.index('<div class="care-card care-card--urgent'):]
    assert '<span class="visually-hidden">Urgent advice: </span>See a doctor now if…</h2>' in card
    assert "cannot push off or stand on tiptoe" in card.split("</div>")[0] + card
    assert '<li>How many single-leg heel raises you can do on each side</li>' in content
    # The case example on the home page is this condition's.
    assert 'href="/#case-example">What a structured return looks like.</a>' in content
    assert "#case-example" not in client.get("/conditions/bone-stress-injury/").content.decode()


def test_an_empty_section_is_left_out(client, clinic_content):
    Condition.objects.filter(slug="bone-stress-injury").update(timeline_en="", red_flags_en="")
    text = page_text(client.get("/conditions/bone-stress-injury/"))
    assert "A typical timeline" not in text and "See a doctor now" not in text
    assert "What you can do this week" in text


def test_the_page_says_who_reviewed_it_and_when(client, clinic_content):
    reviewer = Practitioner.objects.create(name="Lic. Ana Pérez")
    Condition.objects.filter(slug="achilles-tendinopathy").update(reviewed_by=reviewer, reviewed_on=date(2026, 11, 20))
    content = client.get("/conditions/achilles-tendinopathy/").content.decode()
    assert f'Reviewed by <a href="{reviewer.get_absolute_url()}">Lic. Ana Pérez</a>, ' in content
    assert "2026" in page_text(client.get("/conditions/achilles-tendinopathy/")).split("Reviewed by")[1][:60]


def test_the_spanish_page_reads_in_spanish(client, clinic_content):
    text = page_text(client.get("/es/padecimientos/tendinopatia-aquilea/"))
    assert "Dolor en el tendón de Aquiles" in text
    assert "Cuántas elevaciones de talón a una pierna puedes hacer de cada lado" in text
    assert "no puedes impulsarte ni pararte de puntas" in text


def test_the_structured_data_is_a_medical_condition_with_its_signs_and_the_clinics_offer(client, clinic_content):
    reviewer = Practitioner.objects.first()
    Condition.objects.filter(slug="achilles-tendinopathy").update(reviewed_by=reviewer, reviewed_on=date(2026, 11, 20))
    blocks = {block["@type"]: block for block in json_ld(client.get("/conditions/achilles-tendinopathy/"))}
    condition = blocks["MedicalCondition"]
    assert condition["name"] == "Achilles tendinopathy"
    assert condition["relevantSpecialty"] == "https://schema.org/Physiotherapy"
    assert condition["possibleTreatment"]["@type"] == "PhysicalTherapy"
    assert {"@type": "MedicalSignOrSymptom", "name": "Pain at the back of the ankle or heel"} in condition["signOrSymptom"]
    page = condition["subjectOf"]
    assert page["@type"] == "MedicalWebPage" and page["about"] == {"@id": condition["@id"]}
    assert page["lastReviewed"] == "2026-11-20" and page["reviewedBy"]["name"] == reviewer.name
    offer = page["offers"]
    assert (offer["@type"], offer["price"], offer["priceCurrency"]) == ("Offer", "750.00", "MXN")
    assert offer["offeredBy"]["@id"] == "http://testserver/#clinic"


def test_the_spanish_copy_says_it_plainly():
    spanish = read_seed(language="es")
    extras = read_extras("es")
    copy = " ".join([*spanish.page.values(), *(c["summary"] for c in spanish.conditions),
                     *(q["answer"] for q in spanish.questions)])
    assert "Rehabilitación gradual para volver a correr" in copy
    assert "solo avanzas cuando el hueso tolera la carga de cada etapa" in copy
    assert "al menos 70 % de la fuerza de la pierna sana" in copy
    assert "40 km por semana" in copy and "40 km por semana" in extras.case_timeline[3]
    for phrase in ["de regreso a correr para", "recarga ósea", "índice de simetría", "40km", "run-walk", "osteosíntesis"]:
        assert phrase not in copy
    assert dict(extras.condition_names)["Dolor en el tendón de Aquiles"] == "tendinopatia-aquilea"  # old address kept


def test_the_week_reads_monday_to_friday_in_both_languages(db):
    for weekday in range(5):
        OpeningHours.objects.create(weekday=weekday, opens=time(8), closes=time(13))
    OpeningHours.objects.create(weekday=5, opens=time(9), closes=time(13))
    assert OpeningHours.week() == [("Monday to Friday", "8:00 am–1:00 pm"), ("Saturday", "9:00 am–1:00 pm")]
    with translation.override("es"):
        assert OpeningHours.week() == [("Lunes a viernes", "8:00–13:00 h"), ("Sábado", "9:00–13:00 h")]


def test_lists_are_kept_one_item_per_line():
    for sections in read_condition_pages().values():
        for field in LIST_SECTIONS:
            assert all(line and not line.startswith("- ") for line in sections[field].splitlines())
