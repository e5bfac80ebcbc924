import pytest
from django.contrib.auth.models import Group

from clinic_site.staff_groups import CLINIC_EDITORS
from conditions.models import Condition
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def condition_form(condition, **changes):
    data = {
        "name_en": condition.name_en,
        "name_es": condition.name_es or "",
        "slug": condition.slug,
        "summary_en": condition.summary_en,
        "summary_es": condition.summary_es or "",
        "body_en": condition.body_en,
        "body_es": condition.body_es or "",
        "reviewed_on": "",
        "position": condition.position,
        "is_published": "on" if condition.is_published else "",
        "meta_title_en": "",
        "meta_title_es": "",
        "meta_description_en": "",
        "meta_description_es": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != "" or key.startswith(("name", "summary"))}


def test_a_receptionist_edits_a_conditions_text_and_the_page_shows_it(editor_client, client, clinic_content):
    achilles = Condition.objects.get(slug="achilles-tendinopathy")
    response = editor_client.post(
        f"/admin/conditions/condition/{achilles.pk}/change/",
        condition_form(achilles, summary_en="Achilles pain in runners, loaded back to strength.", body_en="More detail."),
    )
    assert response.status_code == 302

    home = page_text(client.get("/"))
    assert "Achilles pain in runners, loaded back to strength." in home
    assert "More detail." in page_text(client.get("/conditions/achilles-tendinopathy/"))


def test_a_receptionist_reorders_and_hides_conditions_from_the_list(editor_client, client, clinic_content):
    conditions = list(Condition.objects.all())
    data = {"form-TOTAL_FORMS": len(conditions), "form-INITIAL_FORMS": len(conditions), "_save": "Save"}
    for index, condition in enumerate(conditions):
        data[f"form-{index}-id"] = condition.pk
        # Achilles first, everything else after it in the old order; bone stress hidden.
        data[f"form-{index}-position"] = 0 if condition.slug == "achilles-tendinopathy" else condition.position
        if condition.slug != "bone-stress-injury":
            data[f"form-{index}-is_published"] = "on"
    response = editor_client.post("/admin/conditions/condition/", data)
    assert response.status_code == 302

    home = page_text(client.get("/"))
    assert home.index("Achilles tendinopathy") < home.index("Iliotibial band syndrome")
    assert "Bone stress injury" not in home


def test_the_change_page_links_to_the_live_page(editor_client, clinic_content):
    achilles = Condition.objects.get(slug="achilles-tendinopathy")
    response = editor_client.get(f"/admin/conditions/condition/{achilles.pk}/change/")
    assert response.status_code == 200
    assert "View on site" in response.content.decode()


def test_a_receptionist_edits_the_service_page_sections(editor_client, clinic_content):
    response = editor_client.get(f"/admin/conditions/servicepage/{clinic_content.pk}/change/")
    assert response.status_code == 200
    content = response.content.decode()
    for field in ["strapline_en", "pattern_body_en", "case_consent_en", "booking_text_en", "stages-0-title_en"]:
        assert f'name="{field}"' in content


@pytest.mark.parametrize(
    "url",
    ["/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/", "/admin/clinic/clinic/add/"],
)
def test_a_receptionist_cannot_touch_users_or_settings(editor_client, clinic_content, url):
    assert editor_client.get(url).status_code == 403


def test_the_clinic_editors_group_can_edit_content_only(db):
    codenames = set(Group.objects.get(name=CLINIC_EDITORS).permissions.values_list("content_type__app_label", flat=True))
    assert codenames == {"clinic", "conditions", "faq", "team"}
    # Team profiles are edited, never added or removed: who works at the clinic is the owner's call.
    team = set(Group.objects.get(name=CLINIC_EDITORS).permissions.filter(content_type__app_label="team")
               .values_list("codename", flat=True))
    assert team == {"change_practitioner", "view_practitioner"}


def test_anonymous_visitors_are_sent_to_the_login(client, clinic_content):
    response = client.get("/admin/conditions/condition/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    "model",
    ["clinic.clinic", "conditions.servicepage", "conditions.condition", "conditions.page",
     "faq.questiongroup", "faq.question"],
)
def test_every_content_screen_opens_for_a_receptionist(editor_client, clinic_content, model):
    from django.apps import apps

    app_label, model_name = model.split(".")
    obj = apps.get_model(app_label, model_name).objects.first()
    assert editor_client.get(f"/admin/{app_label}/{model_name}/").status_code == 200
    assert editor_client.get(f"/admin/{app_label}/{model_name}/{obj.pk}/change/").status_code == 200


def test_the_owner_sees_bookings_and_their_unsent_emails(admin_client, clinic_content, booking_rules):
    from booking.availability import open_times
    from booking.services import book_assessment

    booking = book_assessment(starts_at=open_times()[0].starts_at, patient_name="Ana López",
                              phone="+526641234567", email="ana@example.com")
    changelist = admin_client.get("/admin/booking/booking/?emails=unsent")
    assert changelist.status_code == 200 and booking.reference in changelist.content.decode()
    assert admin_client.get(f"/admin/booking/booking/{booking.pk}/change/").status_code == 200
    for screen in ["booking/bookingsettings", "booking/openinghours", "booking/closure", "team/practitioner",
                   "privacy/privacynotice"]:
        assert admin_client.get(f"/admin/{screen}/").status_code == 200, screen


def test_the_owner_confirms_a_request_and_the_patient_is_emailed(admin_client, clinic_content, booking_rules):
    from booking.availability import open_times
    from booking.models import Booking
    from booking.services import book_assessment

    booking = book_assessment(starts_at=open_times()[0].starts_at, patient_name="Ana López",
                              phone="+526641234567", email="ana@example.com")
    response = admin_client.post("/admin/booking/booking/", {"action": "confirm", "_selected_action": [booking.pk]})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.emails.filter(kind="confirmed").count() == 1


def test_a_receptionist_cannot_see_bookings(editor_client, clinic_content):
    assert editor_client.get("/admin/booking/booking/").status_code == 403


@pytest.mark.parametrize(
    "model,fields",
    [("conditions/condition", ["picture"]), ("conditions/servicepage", ["opening_picture", "case_picture"]),
     ("team/practitioner", ["photo"])],
)
def test_a_receptionist_picks_a_photo_by_searching_for_it(editor_client, clinic_content, settings, tmp_path, model, fields):
    """A search box, not a drop-down of every photo ever uploaded."""
    from clinic.models import Picture
    from team.models import Practitioner

    settings.MEDIA_ROOT = tmp_path / "media"
    Picture.objects.bulk_create([  # rows as an upload leaves them; searching them reads no file
        Picture(image="pictures/0.jpg", width=1600, height=1067, alt_text="The treatment room"),
        Picture(image="pictures/1.jpg", width=1600, height=1067, alt_text="Heel raises on a step"),
    ])
    row = {"conditions/condition": Condition.objects.first, "team/practitioner": Practitioner.objects.first,
           "conditions/servicepage": lambda: clinic_content}[model]()
    content = editor_client.get(f"/admin/{model}/{row.pk}/change/").content.decode()
    app_label, model_name = model.split("/")
    for field in fields:
        assert f'name="{field}"' in content and "admin-autocomplete" in content, field
        found = editor_client.get("/admin/autocomplete/", {
            "app_label": app_label, "model_name": model_name, "field_name": field, "term": "heel",
        }).json()["results"]
        assert [result["text"] for result in found] == ["Heel raises on a step"], field


def test_a_page_is_reviewed_by_someone_on_the_team_page(admin_client, clinic_content):
    from conditions.models import Condition
    from team.models import Practitioner

    listed = Practitioner.objects.create(name="Dra. Ana Ruiz", is_listed=True, cedula="1234567")
    unlisted = Practitioner.objects.create(name="Locum", is_listed=False)
    condition = Condition.objects.first()

    page = admin_client.get(f"/admin/conditions/condition/{condition.pk}/change/").content.decode()

    choices = page.split('name="reviewed_by"', 1)[1].split("</select>", 1)[0]
    assert f'value="{listed.pk}"' in choices and f'value="{unlisted.pk}"' not in choices
