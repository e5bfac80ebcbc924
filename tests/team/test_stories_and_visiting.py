"""Patient stories on / and their condition's page; the practical answers of "Visiting us"; their admin."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.models import Clinic
from conditions.models import Condition, PatientStory
from tests.helpers import page_text


@pytest.fixture
def story(clinic_content):
    knee = Condition.objects.published().first()
    return PatientStory.objects.create(
        quote_en="I ran the Tijuana half without pain.", quote_es="Corrí el medio maratón de Tijuana sin dolor.",
        patient="María F.", condition=knee, consent_recorded_on=date(2026, 3, 1),
    )


def test_a_published_story_is_shown_on_home_and_on_its_condition_page(client, story):
    home = page_text(client.get("/"))
    assert "I ran the Tijuana half without pain." in home
    assert f"María F. · {story.condition.name}" in home
    assert "In our patients' words" in home
    condition_page = client.get(story.condition.get_absolute_url())
    # The condition page's template includes conditions/includes/stories.html with these.
    assert list(condition_page.context["stories"]) == [story]


def test_the_stories_include_renders_on_a_condition_page_without_naming_the_condition(story):
    from django.template.loader import render_to_string

    html = render_to_string("conditions/includes/stories.html",
                            {"stories": [story], "condition": story.condition})
    assert "I ran the Tijuana half without pain." in html
    assert "María F." in html and story.condition.name not in html


def test_the_spanish_page_shows_the_spanish_quote(client, story):
    assert "Corrí el medio maratón de Tijuana sin dolor." in page_text(client.get("/es/"))


def test_an_unpublished_story_is_shown_nowhere(client, story):
    story.is_published = False
    story.save()
    assert "without pain" not in page_text(client.get("/"))
    assert not client.get(story.condition.get_absolute_url()).context["stories"]
    assert 'href="#patient-stories"' not in client.get("/").content.decode()


def test_a_story_for_another_condition_stays_off_this_conditions_page(client, story):
    other = Condition.objects.published().exclude(pk=story.condition_id).first()
    assert not client.get(other.get_absolute_url()).context["stories"]


def test_stories_carry_no_ratings_or_review_markup(client, story):
    body = client.get("/").content.decode()
    assert "Review" not in body and "ratingValue" not in body and "★" not in body


def test_visiting_shows_only_the_answers_staff_filled_in(client, clinic_content):
    text = page_text(client.get("/"))
    assert "Before you come" in text and "Open in maps" in text
    for heading in ("How to pay", "Invoices and receipts", "Parking and the entrance", "After the first session"):
        assert heading not in text

    clinic = Clinic.objects.get()
    clinic.payment = "Cash in pesos or US dollars, card or bank transfer."
    clinic.invoices = "Ask for a factura (CFDI) on the day."
    clinic.follow_up_price = Decimal("1200")
    clinic.usual_sessions = "Most runners come 4 to 8 times."
    clinic.getting_there = "From San Ysidro: 15 minutes by taxi."
    clinic.save()
    text = page_text(client.get("/"))
    assert "How to pay Cash in pesos or US dollars, card or bank transfer." in text
    assert "Ask for a factura (CFDI) on the day." in text
    assert "A follow-up session costs $1,200 MXN" in text
    assert "Most runners come 4 to 8 times." in text
    assert "From San Ysidro: 15 minutes by taxi." in text
    assert "Parking and the entrance" not in text


def test_editors_add_a_story_and_must_give_the_consent_date(editor_client, clinic_content):
    page = editor_client.get("/admin/conditions/patientstory/add/").content.decode()
    assert "Keep the signed form on file" in page
    form = {"quote_en": "Great care.", "quote_es": "", "patient": "Luis G.", "condition": "",
            "position": "0", "is_published": "on"}
    response = editor_client.post("/admin/conditions/patientstory/add/", {**form, "consent_recorded_on": ""})
    assert response.status_code == 200 and not PatientStory.objects.exists()
    future = timezone.localdate() + timedelta(days=1)
    response = editor_client.post("/admin/conditions/patientstory/add/", {**form, "consent_recorded_on": future})
    assert "cannot be in the future" in page_text(response)
    editor_client.post("/admin/conditions/patientstory/add/", {**form, "consent_recorded_on": "2026-01-05"})
    assert PatientStory.objects.get().patient == "Luis G."


def test_editors_change_a_profile_but_not_who_takes_bookings(editor_client, clinic_content):
    from team.models import Practitioner

    practitioner = Practitioner.objects.get()
    page = editor_client.get(f"/admin/team/practitioner/{practitioner.pk}/change/").content.decode()
    assert 'name="cedula"' in page
    assert 'name="takes_assessments"' not in page
    assert editor_client.get("/admin/team/practitioner/add/").status_code == 403
