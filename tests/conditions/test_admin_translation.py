"""English and Spanish side by side in the admin, what still lacks its Spanish, and the admin in Spanish."""

import html
import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.test import Client
from django.utils import timezone, translation

from clinic.admin_translation import translated_fields
from conditions.models import Condition, Page, Stage
from faq.models import Question
from privacy.models import PrivacyNotice
from tests.conditions.test_admin import condition_form
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

CONTENT_ADMINS = [
    "clinic.clinic", "conditions.servicepage", "conditions.condition", "conditions.page",
    "faq.questiongroup", "faq.question", "privacy.privacynotice",
]


def change_url(obj):
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"


def form_row(content, field):
    """The line of the change form holding `field`'s English and Spanish boxes."""
    match = re.search(rf'<div class="form-row field-{field}_en field-{field}_es">(.*?)\n        </div>\n', content, re.S)
    assert match, f"{field}_en and {field}_es are not on one line"
    return match.group(1)


def help_text(content, field_id):
    match = re.search(rf'<div class="help" id="{field_id}_helptext">\s*<div>(.*?)</div>', content, re.S)
    return html.unescape(match.group(1)) if match else ""


def spanish_column(response):
    """Each row of a changelist as {its link text: its "Spanish" cell}."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", response.content.decode(), re.S):
        link = re.search(r'<a href="[^"]*/change/[^"]*">(.*?)</a>', row)
        cell = re.search(r'<td class="field-spanish">(.*?)</td>', row, re.S)
        if link and cell:
            rows[html.unescape(link.group(1))] = html.unescape(cell.group(1)).strip()
    return rows


@pytest.fixture(autouse=True)
def english_outside_requests():
    """A request in Spanish leaves Spanish active in the test's thread; rows made outside requests are English."""
    translation.activate("en")
    yield
    translation.activate("en")


def achilles_form(achilles, **changes):
    return condition_form(achilles, **{"body_en": achilles.body_en or "", "slug_es": achilles.slug_es, **changes})


@pytest.fixture
def achilles(clinic_content):
    """A condition with its English only, as a new one is before anyone translates it."""
    Condition.objects.filter(slug="achilles-tendinopathy").update(name_es="", summary_es="", body_es="")
    return Condition.objects.get(slug="achilles-tendinopathy")


# The change form: both languages side by side, the English as the hint


def test_the_condition_form_has_english_and_spanish_side_by_side_with_the_english_as_a_hint(editor_client, achilles):
    content = editor_client.get(change_url(achilles)).content.decode()

    line = form_row(content, "name")
    assert 'name="name_en" value="Achilles tendinopathy"' in line
    assert re.search(r'<input type="text" name="name_es"[^>]*placeholder="\[en\] Achilles tendinopathy"', line)
    assert "Name [en]" in line and "Name [es]" in line
    assert help_text(content, "id_name_es") == "Empty: the English shows — “Achilles tendinopathy”"
    # The summary keeps its own help text, with the hint after it, shortened.
    summary_help = help_text(content, "id_summary_es")
    assert summary_help.startswith("Shown on the card on the home page and at the top of its page.<br>Empty: the English shows — “Mid-portion")
    assert len(summary_help) < 400
    # A Spanish box already filled in, or with no English behind it, has no hint.
    assert "Empty:" not in help_text(content, "id_meta_title_es")


def test_a_filled_in_spanish_box_has_no_hint(editor_client, clinic_content):
    achilles = Condition.objects.get(slug="achilles-tendinopathy")
    content = editor_client.get(change_url(achilles)).content.decode()
    assert 'value="Dolor en el tendón de Aquiles"' in form_row(content, "name")
    assert "Empty:" not in help_text(content, "id_name_es")
    assert "placeholder" not in form_row(content, "name")


def test_the_english_in_a_hint_is_escaped(editor_client, clinic_content):
    page = Page.objects.first()
    Page.objects.filter(pk=page.pk).update(summary_en='Runs <img src=x onerror="alert(1)"> & rests', summary_es="")
    content = editor_client.get(change_url(page)).content.decode()
    assert "<img src=x" not in content
    assert "Runs &lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; rests" in content


def test_saving_the_spanish_in_the_admin_shows_it_on_the_spanish_page_and_leaves_the_english(editor_client, achilles):
    response = editor_client.post(
        change_url(achilles),
        achilles_form(achilles, name_es="Tendinopatía aquílea", summary_es="Dolor del tendón de Aquiles."),
    )
    assert response.status_code == 302

    achilles.refresh_from_db()
    with translation.override("es"):
        assert achilles.name == "Tendinopatía aquílea"
        assert achilles.summary == "Dolor del tendón de Aquiles."
        # No Spanish body yet: the Spanish page shows the English one rather than nothing.
        assert achilles.body == achilles.body_en
    with translation.override("en"):
        assert achilles.name == "Achilles tendinopathy"


def test_the_spanish_address_is_edited_beside_the_english_one(editor_client, clinic_content):
    achilles = Condition.objects.get(slug="achilles-tendinopathy")
    content = editor_client.get(change_url(achilles)).content.decode()
    assert '<div class="form-row field-slug field-slug_es">' in content
    assert f'name="slug_es" value="{achilles.slug_es}"' in content

    response = editor_client.post(change_url(achilles), achilles_form(achilles, slug_es="tendinopatia-de-aquiles"))

    assert response.status_code == 302
    achilles.refresh_from_db()
    with translation.override("es"):
        assert achilles.get_absolute_url().endswith("/tendinopatia-de-aquiles/")
    with translation.override("en"):
        assert achilles.get_absolute_url() == "/conditions/achilles-tendinopathy/"


@pytest.mark.parametrize("model", CONTENT_ADMINS)
def test_every_content_form_has_each_translated_field_in_both_languages_side_by_side(
    admin_client, clinic_content, booking_rules, model
):
    from django.apps import apps

    model = apps.get_model(model)
    content = admin_client.get(change_url(model.objects.first())).content.decode()
    for field in translated_fields(model):
        line = form_row(content, field)
        assert f'name="{field}_en"' in line and f'name="{field}_es"' in line
    # Plain fields only: nothing loaded from another site (the policy allows 'self' only).
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', content)


def test_the_service_pages_inlines_have_both_languages_and_their_hints(editor_client, clinic_content):
    stage = clinic_content.stages.order_by("position").first()
    Stage.objects.filter(pk=stage.pk).update(title_es="")
    content = editor_client.get(change_url(clinic_content)).content.decode()

    # Stages: a table, one column per language, the English greyed in an empty Spanish box.
    headers = re.findall(r'<th class="column-(\w+)', content.split('id="stages-group"')[1].split("</thead>")[0])
    assert headers == ["position", "title_en", "title_es", "body_en", "body_es"]
    assert re.search(rf'name="stages-0-title_es"[^>]*placeholder="\[en\] {re.escape(stage.title_en)}"', content)
    # Kinds of patient: stacked, English beside Spanish.
    assert 'class="form-row field-title_en field-title_es"' in content.split('id="patient_kinds-group"')[1]


def test_the_service_page_lists_what_still_lacks_its_spanish(editor_client, clinic_content):
    stage = clinic_content.stages.order_by("position").first()
    Stage.objects.filter(pk=stage.pk).update(body_es="")
    type(clinic_content).objects.filter(pk=clinic_content.pk).update(booking_heading_es="")

    text = page_text(editor_client.get(change_url(clinic_content)))
    assert f"Spanish still missing: Service page: booking heading Stage “{stage.title_en}”: text" in text

    stage.body_es = "Texto."
    stage.save()
    clinic_content.booking_heading_es = "Agenda tu valoración"
    clinic_content.save()
    assert "Spanish still missing: Nothing: every field has its Spanish." in page_text(
        editor_client.get(change_url(clinic_content))
    )


# The list of items: which still lack their Spanish


def test_the_spanish_column_says_what_is_missing_until_it_is_filled_in(editor_client, achilles):
    rows = spanish_column(editor_client.get("/admin/conditions/condition/"))
    assert rows["Achilles tendinopathy"] == "Missing: name, summary"
    assert rows["Patellar tendinopathy"] == "✓"

    editor_client.post(change_url(achilles), achilles_form(achilles, name_es="Tendinopatía aquílea", summary_es="Dolor."))

    assert spanish_column(editor_client.get("/admin/conditions/condition/"))["Achilles tendinopathy"] == "✓"


def test_the_spanish_filter_narrows_the_list(editor_client, achilles):
    missing = spanish_column(editor_client.get("/admin/conditions/condition/?spanish=missing"))
    complete = spanish_column(editor_client.get("/admin/conditions/condition/?spanish=complete"))

    assert list(missing) == ["Achilles tendinopathy"]
    assert "Achilles tendinopathy" not in complete
    assert len(complete) == Condition.objects.count() - 1
    assert set(complete.values()) == {"✓"}


def test_a_long_list_of_missing_fields_is_cut_short(admin_client, clinic_content):
    type(clinic_content).objects.filter(pk=clinic_content.pk).update(
        title_es="", strapline_es="", summary_es="", conditions_label_es="", conditions_heading_es=""
    )
    assert spanish_column(admin_client.get("/admin/conditions/servicepage/"))["Return to Running"] == (
        "Missing: title, strapline, summary and 2 more"
    )


@pytest.mark.parametrize("model", CONTENT_ADMINS)
def test_every_content_list_has_the_spanish_column_and_filter(admin_client, clinic_content, booking_rules, model):
    url = "/admin/{}/{}/".format(*model.split("."))
    everything = spanish_column(admin_client.get(url))
    assert everything, url
    missing = spanish_column(admin_client.get(url + "?spanish=missing"))
    complete = spanish_column(admin_client.get(url + "?spanish=complete"))
    assert len(missing) + len(complete) == len(everything)
    assert all(value.startswith("Missing: ") for value in missing.values())
    assert set(complete.values()) <= {"✓"}


def test_a_question_without_its_spanish_answer_is_found(editor_client, clinic_content):
    question = Question.objects.first()
    Question.objects.filter(pk=question.pk).update(answer_es=None)
    missing = spanish_column(editor_client.get("/admin/faq/question/?spanish=missing"))
    assert missing == {question.question_en: "Missing: answer"}


# The privacy notice: both languages, still published as a new version


def test_the_privacy_notice_is_published_in_both_languages_as_a_new_version(admin_client, booking_rules):
    first = PrivacyNotice.objects.get()
    content = admin_client.get(change_url(first)).content.decode()
    assert help_text(content, "id_body_es").endswith("Empty: the English shows — “How we use your data.”")

    response = admin_client.post(change_url(first), {
        "title_en": first.title_en, "title_es": "Aviso de privacidad",
        "body_en": first.body_en, "body_es": "Cómo usamos tus datos.",
        "published_at_0": "", "published_at_1": "", "_save": "Save",
    })

    assert response.status_code == 302
    second = PrivacyNotice.objects.get(version=2)
    assert (second.title_en, second.body_en) == ("Privacy notice", "How we use your data.")
    assert (second.title_es, second.body_es) == ("Aviso de privacidad", "Cómo usamos tus datos.")
    first.refresh_from_db()
    assert first.body_es in (None, "")
    rows = spanish_column(admin_client.get("/admin/privacy/privacynotice/"))
    assert list(rows.values()) == ["✓", "Missing: title, text"]


def test_a_scheduled_notice_corrected_in_the_spanish_admin_keeps_its_english(admin_client, booking_rules):
    later = timezone.localtime(timezone.now() + timedelta(days=10))
    when = {"published_at_0": later.strftime("%Y-%m-%d"), "published_at_1": later.strftime("%H:%M:%S")}
    first = PrivacyNotice.objects.get()
    admin_client.post(change_url(first), {"title_en": "Privacy notice", "body_en": "From next month.", **when})
    scheduled = PrivacyNotice.objects.get(version=2)

    admin_client.post("/i18n/setlang/", {"language": "es", "next": "/admin/"})
    admin_client.post(change_url(scheduled), {
        "title_en": "Privacy notice", "title_es": "Aviso de privacidad",
        "body_en": "From next month.", "body_es": "Desde el próximo mes.", **when,
    })

    assert PrivacyNotice.objects.count() == 2
    scheduled.refresh_from_db()
    assert (scheduled.body_en, scheduled.body_es) == ("From next month.", "Desde el próximo mes.")


def test_a_new_version_starts_from_both_languages_of_the_last(admin_client, booking_rules):
    PrivacyNotice.objects.update(body_es="Cómo usamos tus datos.")
    content = admin_client.get("/admin/privacy/privacynotice/add/").content.decode()
    assert "How we use your data." in content and "Cómo usamos tus datos." in content


# The admin itself in Spanish


def test_staff_switch_the_admin_to_spanish_and_back(editor_client, clinic_content):
    page = editor_client.get("/admin/conditions/condition/").content.decode()
    assert '<html lang="en"' in page
    form = re.search(r'<form class="admin-language" action="/i18n/setlang/" method="post".*?</form>', page, re.S).group(0)
    assert 'name="next" value="/admin/conditions/condition/"' in form
    assert re.search(r'<button type="submit" name="language" value="en" lang="en" aria-pressed="true">English</button>', form)
    assert re.search(r'<button type="submit" name="language" value="es" lang="es" aria-pressed="false">Español</button>', form)

    response = editor_client.post("/i18n/setlang/", {"language": "es", "next": "/admin/conditions/condition/"})
    assert response.status_code == 302 and response["Location"] == "/admin/conditions/condition/"
    page = editor_client.get("/admin/conditions/condition/").content.decode()
    assert '<html lang="es"' in page
    assert 'lang="es" aria-pressed="true"' in page
    assert "Cerrar sesión" in page  # Django's own Spanish

    editor_client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert '<html lang="en"' in editor_client.get("/admin/").content.decode()


def test_a_spanish_browser_gets_the_admin_in_spanish_and_the_english_pages_stay_english(editor_client, clinic_content):
    assert '<html lang="es"' in editor_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").content.decode()
    assert '<html lang="es"' in Client().get("/admin/login/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").content.decode()

    # The admin's language choice does not turn the unprefixed English pages Spanish.
    editor_client.post("/i18n/setlang/", {"language": "es", "next": "/admin/"})
    assert '<html lang="en"' in editor_client.get("/").content.decode()


def test_the_login_page_offers_the_language_switch_too(client, db):
    content = client.get("/admin/login/").content.decode()
    assert 'class="admin-language"' in content and 'name="csrfmiddlewaretoken"' in content
    assert 'href="/static/css/admin_languages.css"' in content


def test_every_content_admin_and_inline_uses_the_spanish_hints():
    from clinic.admin_translation import SpanishHintsMixin

    for model, model_admin in admin.site._registry.items():
        if translated_fields(model):
            assert isinstance(model_admin, SpanishHintsMixin), model
        for inline in getattr(model_admin, "inlines", []):
            if translated_fields(inline.model):
                assert issubclass(inline, SpanishHintsMixin), inline
