"""Staff preview a condition or page before it is published; patients still get "not found"; the price reads as set."""

from decimal import Decimal

import pytest

from clinic.models import Clinic
from clinic_site.staff_groups import RECEPTION
from conditions.models import Condition, Page, ServicePage
from tests.helpers import page_text, staff_member

pytestmark = pytest.mark.django_db

PREVIEW = "Preview: not published."


@pytest.fixture
def hidden_condition(clinic_content):
    condition = Condition.objects.first()
    condition.is_published = False
    condition.save()
    return condition


@pytest.fixture
def draft_page(clinic_content):
    return Page.objects.filter(is_published=False).first()


def test_patients_get_not_found_for_an_unpublished_condition_or_page(client, hidden_condition, draft_page):
    assert client.get(hidden_condition.get_absolute_url()).status_code == 404
    assert client.get(draft_page.get_absolute_url()).status_code == 404


def test_an_editor_previews_an_unpublished_condition_with_a_banner_and_no_caching(editor_client, hidden_condition):
    response = editor_client.get(hidden_condition.get_absolute_url())

    assert response.status_code == 200
    assert PREVIEW in page_text(response)
    assert hidden_condition.name in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_an_editor_previews_an_unpublished_page(editor_client, draft_page):
    response = editor_client.get(draft_page.get_absolute_url())

    assert response.status_code == 200
    assert PREVIEW in page_text(response)
    assert "noindex" in response["X-Robots-Tag"]


def test_a_published_page_has_no_preview_banner_for_staff(editor_client, clinic_content):
    condition = Condition.objects.published().first()

    response = editor_client.get(condition.get_absolute_url())

    assert PREVIEW not in page_text(response)
    assert "X-Robots-Tag" not in response


def test_staff_who_cannot_change_conditions_get_not_found(client, hidden_condition, draft_page):
    client.force_login(staff_member("desk", RECEPTION))

    assert client.get(hidden_condition.get_absolute_url()).status_code == 404
    assert client.get(draft_page.get_absolute_url()).status_code == 404


def test_after_a_preview_patients_still_get_not_found(client, editor, hidden_condition):
    client.force_login(editor)
    client.get(hidden_condition.get_absolute_url())
    client.logout()

    assert client.get(hidden_condition.get_absolute_url()).status_code == 404


def test_the_home_pages_booking_copy_keeps_the_clinics_words_at_the_seeded_price(client, clinic_content):
    text = page_text(client.get("/"))

    assert ServicePage.objects.get().booking_text in text


def test_a_new_price_in_clinic_details_reaches_the_booking_copy_on_the_home_page(client, clinic_content):
    Clinic.objects.update(assessment_price=Decimal(850))

    text = page_text(client.get("/"))

    assert "Assessment + treatment from session one. $850 MXN. Zona Rio, Tijuana." in text
    assert "$750" not in text


def test_a_new_price_reaches_the_spanish_booking_copy(client, clinic_content):
    Clinic.objects.update(assessment_price=Decimal(1200))

    text = page_text(client.get("/es/"))

    assert "$1,200 MXN" in text and "$750" not in text
