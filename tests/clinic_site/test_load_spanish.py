import io

import pytest
from django.core.management import call_command
from django.utils import translation
from modeltranslation.translator import translator

from clinic.models import Clinic
from conditions.models import Condition, Page, PatientKind, ServicePage, Stage
from conditions.seed import (
    CONDITION_NAMES,
    SeedFormatError,
    extras_path,
    read_extras,
    read_seed,
    seed_path,
)
from faq.models import Question, QuestionGroup
from privacy.models import PrivacyNotice
from privacy.seed import SPANISH_PRIVACY_NOTICE_PATH

TRANSLATED_MODELS = [Clinic, ServicePage, Stage, PatientKind, Condition, Page, QuestionGroup, Question, PrivacyNotice]


def load():
    out = io.StringIO()
    call_command("load_clinic_content", stdout=out)
    return out.getvalue()


def spanish_fields(model):
    fields = [f"{name}_es" for name in translator.get_options_for_model(model).fields]
    return fields + [field.name for field in model._meta.fields if field.name == "slug_es"]


def spanish_snapshot():
    return {
        model.__name__: list(model.objects.order_by("pk").values("pk", *spanish_fields(model)))
        for model in TRANSLATED_MODELS
    }


def forget_spanish():
    """The database as the loader left it before the translation shipped: English only."""
    for model in TRANSLATED_MODELS:
        model.objects.update(**{field: "" if field == "slug_es" else None for field in spanish_fields(model)})


@pytest.fixture
def spanish():
    return read_seed(language="es")


@pytest.fixture
def extras():
    return read_extras("es")


def test_it_loads_the_spanish_copy_word_for_word(db, spanish, extras):
    load()
    page = ServicePage.objects.get(slug="return-to-running")
    assert page.title_es == spanish.page["title"] != page.title_en
    assert page.pattern_body_es == spanish.page["pattern_body"]  # both paragraphs, em dashes kept
    assert page.case_consent_es == spanish.page["case_consent"]
    assert page.booking_text_es == spanish.page["booking_text"]
    assert page.related_label_es == "Padecimientos relacionados:"
    achilles = Condition.objects.get(slug="achilles-tendinopathy")
    assert (achilles.name_es, achilles.summary_es) == (spanish.conditions[3]["name"], spanish.conditions[3]["summary"])
    assert Stage.objects.get(title_en="Mechanics under fatigue").body_es == spanish.stages[2][1]
    assert PatientKind.objects.get(position=2).title_es == spanish.patient_kinds[1][0]
    question = Question.objects.get(slug="running-during-rehabilitation")
    assert (question.question_es, question.answer_es) == (spanish.questions[3]["question"], spanish.questions[3]["answer"])
    assert "Lee más" not in question.answer_es
    assert question.read_more.title_es == spanish.questions[3]["read_more"]
    assert QuestionGroup.objects.get(slug="during-rehabilitation").name_es == extras.question_groups[1]
    assert Clinic.objects.get().description_es == extras.clinic_description
    notice = PrivacyNotice.objects.get(version=1)
    title, _blank, body = SPANISH_PRIVACY_NOTICE_PATH.read_text(encoding="utf-8").partition("\n\n")
    assert (notice.title_es, notice.body_es) == (title.strip(), body.strip())
    with translation.override("es"):
        assert page.cycle_steps == extras.pattern_cycle
        assert page.milestones[2] == ("Semana 7", "primera salida a correr sin síntomas")
        assert [kind.title for kind in page.patient_kinds.all()] == [title for title, _body in spanish.patient_kinds]


def test_every_row_the_copy_describes_has_its_spanish(db):
    load()
    missing = []
    for model in TRANSLATED_MODELS:
        for row in model.objects.all():
            for field in translator.get_options_for_model(model).fields:
                if getattr(row, f"{field}_en") and not getattr(row, f"{field}_es"):
                    missing.append(f"{model.__name__} {row.pk} {field}")
    assert missing == []
    assert Condition.objects.count() == 8 and Page.objects.count() == 5 and Question.objects.count() == 5


def test_a_database_loaded_before_the_translation_gets_its_spanish(db, spanish):
    load()
    forget_spanish()
    output = load()
    assert "Loaded Spanish for 8 conditions." in output
    assert ServicePage.objects.get().strapline_es == spanish.page["strapline"]
    assert list(Condition.objects.values_list("name_es", flat=True)) == [c["name"] for c in spanish.conditions]


def test_a_spanish_text_staff_wrote_is_kept_on_a_rerun(db):
    load()
    Condition.objects.filter(slug="achilles-tendinopathy").update(name_es="Tendinopatía de Aquiles")
    ServicePage.objects.update(strapline_es="Escrito por la clínica.")
    Page.objects.filter(slug="knee-pain").update(slug_es="rodilla")
    output = load()
    assert Condition.objects.get(slug="achilles-tendinopathy").name_es == "Tendinopatía de Aquiles"
    assert ServicePage.objects.get().strapline_es == "Escrito por la clínica."
    assert Page.objects.get(slug="knee-pain").slug_es == "rodilla"
    assert "Loaded" not in output


def test_a_row_whose_english_staff_rewrote_gets_no_spanish(db, spanish):
    load()
    forget_spanish()
    Condition.objects.filter(slug="achilles-tendinopathy").update(
        name_en="Achilles tendon pain", summary_en="Rewritten by the clinic."
    )
    Stage.objects.filter(title_en="Tissue readiness").update(title_en="Getting the tissue ready")
    Clinic.objects.update(description_en="Physiotherapy for runners in Tijuana.")
    output = load()
    achilles = Condition.objects.get(slug="achilles-tendinopathy")
    assert (achilles.name_es, achilles.summary_es) == (None, None)
    assert achilles.slug_es == "tendinopatia-aquilea"  # the address does not depend on the wording
    stage = Stage.objects.get(title_en="Getting the tissue ready")
    assert (stage.title_es, stage.body_es) == (None, None)
    assert Clinic.objects.get().description_es is None
    # The rows staff left alone still get theirs.
    assert Condition.objects.get(slug="bone-stress-injury").summary_es == spanish.conditions[5]["summary"]
    assert Stage.objects.filter(body_es__isnull=False).count() == 3
    assert "achilles-tendinopathy (name, summary)" in output
    assert "Tissue readiness" in output


def test_english_saved_with_windows_line_ends_still_counts_as_the_copy(db, spanish):
    load()
    forget_spanish()
    page = ServicePage.objects.get()
    ServicePage.objects.update(pattern_body_en=page.pattern_body_en.replace("\n", "\r\n"))  # as the admin's textarea posts it
    load()
    assert ServicePage.objects.get().pattern_body_es == spanish.page["pattern_body"]


def test_running_it_twice_changes_nothing(db):
    load()
    before = spanish_snapshot()
    output = load()
    assert spanish_snapshot() == before
    assert "Loaded" not in output


def test_the_english_goes_into_the_english_fields_whichever_language_is_active(db):
    with translation.override("es"):
        load()
    assert ServicePage.objects.get().title_en == "Return to Running"
    assert ServicePage.objects.get().title_es == "Regreso a correr"


def test_spanish_slugs_are_set_and_unique(db, extras):
    load()
    condition_slugs = list(Condition.objects.values_list("slug_es", flat=True))
    assert condition_slugs == [slug for _name, slug in extras.condition_names]
    page_slugs = dict(Page.objects.values_list("title_en", "slug_es"))
    assert page_slugs == extras.page_slugs
    for model in (Condition, Page):
        spanish_slugs = list(model.objects.values_list("slug_es", flat=True))
        assert all(spanish_slugs) and len(set(spanish_slugs)) == len(spanish_slugs)
        assert not set(spanish_slugs) & set(model.objects.values_list("slug", flat=True))


def test_a_spanish_slug_another_row_answers_to_is_left_empty(db):
    load()
    forget_spanish()
    Condition.objects.filter(slug="patellofemoral-pain").update(slug_es="tendinopatia-aquilea")
    Condition.objects.create(name="Plantar fasciitis", slug="fascitis-plantar", summary="Added by the clinic.")
    output = load()
    assert Condition.objects.get(slug="achilles-tendinopathy").slug_es == ""  # another row's Spanish slug
    assert Condition.objects.get(slug="plantar-heel-pain").slug_es == ""  # another row's English slug
    assert "tendinopatia-aquilea, fascitis-plantar" in output


def test_the_spanish_reader_reads_the_translators_copy(spanish, extras):
    assert len(spanish.conditions) == len(CONDITION_NAMES)
    assert spanish.page["conditions_label"] == "Lesiones en corredores"
    assert len(spanish.stages) == 4 and len(spanish.patient_kinds) == 3 and len(spanish.questions) == 5
    assert spanish.related_titles == [extras.page_titles[title] for title in read_seed().related_titles]


@pytest.mark.parametrize(
    "line,replacement,complaint",
    [
        ("El método", "The framework", "El método"),  # an English label left in
        ("Caso clínico", "Caso clinico", "Caso clínico"),
        ("Padecimientos relacionados: ", "Related conditions: ", "Padecimientos relacionados"),
        ("Agenda una valoración", "", "Agenda una valoración"),  # a section lost
    ],
)
def test_the_spanish_reader_refuses_a_malformed_copy(tmp_path, line, replacement, complaint):
    copy = seed_path("es").read_text(encoding="utf-8")
    assert line in copy
    broken = tmp_path / "return-to-running.es.txt"
    broken.write_text(copy.replace(line, replacement, 1), encoding="utf-8")
    with pytest.raises(SeedFormatError, match=complaint):
        read_seed(broken, language="es")


def test_the_spanish_reader_refuses_a_copy_with_a_line_too_many(tmp_path):
    copy = seed_path("es").read_text(encoding="utf-8")
    broken = tmp_path / "return-to-running.es.txt"
    broken.write_text(copy.replace("Lo que tratamos.\n", "Lo que tratamos.\nUna línea de más.\n"), encoding="utf-8")
    with pytest.raises(SeedFormatError):
        read_seed(broken, language="es")


def test_extras_with_a_bad_address_are_refused(tmp_path):
    broken = tmp_path / "extras.es.json"
    extras = extras_path("es").read_text(encoding="utf-8")
    broken.write_text(extras.replace('"fascitis-plantar"', '"Fascitis plantar"'), encoding="utf-8")
    with pytest.raises(SeedFormatError, match="fascitis-plantar"):
        read_extras("es", path=broken)
