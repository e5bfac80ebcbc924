import io

import pytest
from django.apps import apps
from django.core.management import call_command

from conditions.models import Condition, Page, ServicePage
from conditions.seed import SeedFormatError, read_seed
from faq.models import Question

pytestmark = pytest.mark.django_db

CONTENT_MODELS = [apps.get_model(label) for label in [
    "clinic.Clinic", "conditions.ServicePage", "conditions.Condition", "conditions.Stage",
    "conditions.PatientKind", "conditions.Page", "faq.QuestionGroup", "faq.Question", "faq.FeaturedQuestion",
]]


def snapshot():
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in CONTENT_MODELS}


def load():
    out = io.StringIO()
    call_command("load_clinic_content", stdout=out)
    return out.getvalue()


def test_it_loads_the_clinics_copy_word_for_word(db):
    load()
    page = ServicePage.objects.get()
    assert page.title == "Return to Running"
    assert page.booking_text == "Assessment + treatment from session one. $750 MXN. Zona Rio, Tijuana."
    assert "reduced — or stopped — without" in page.pattern_body  # em dashes kept
    assert Question.objects.get(slug="ready-to-run-after-acl-reconstruction").answer.count("–") == 1  # en dash
    assert Condition.objects.count() == 8
    assert page.stages.count() == 4 and page.patient_kinds.count() == 3
    assert page.featured_questions.count() == 5
    assert not Page.objects.published().exists()


def test_running_it_twice_changes_nothing(db):
    load()
    before = snapshot()
    output = load()
    assert snapshot() == before
    assert "Loaded" not in output


def test_it_never_overwrites_what_staff_edited(db):
    load()
    Condition.objects.filter(slug="achilles-tendinopathy").update(summary="Edited by the clinic.")
    Condition.objects.filter(slug="bone-stress-injury").delete()
    load()
    assert Condition.objects.get(slug="achilles-tendinopathy").summary == "Edited by the clinic."
    assert not Condition.objects.filter(slug="bone-stress-injury").exists()


def test_a_copy_that_lost_its_shape_is_refused(tmp_path):
    broken = tmp_path / "copy.txt"
    broken.write_text("Return to Running\nStrapline\nSummary\nSomething else entirely\n", encoding="utf-8")
    with pytest.raises(SeedFormatError, match="Running injuries"):
        read_seed(broken)
