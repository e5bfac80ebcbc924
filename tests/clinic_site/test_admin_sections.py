"""The admin's front page shows the same sections as before the apps were split, with Privacy on its own."""

import pytest

pytestmark = pytest.mark.django_db


def sections(response):
    return {app["name"]: [model["object_name"] for model in app["models"]] for app in response.context["app_list"]}


def test_the_clinics_details_sit_with_the_rest_of_the_sites_content(admin_client):
    listed = sections(admin_client.get("/admin/"))

    assert "Clinic" in listed["Site content"]
    assert {"ServicePage", "Condition", "Page"} <= set(listed["Site content"])
    assert len([name for name in listed if name == "Site content"]) == 1


def test_privacy_is_a_section_of_its_own(admin_client):
    listed = sections(admin_client.get("/admin/"))

    assert set(listed["Privacy"]) == {"PrivacyNotice", "DataRequest", "ClinicNotice"}
    assert not {"PrivacyNotice", "DataRequest"} & set(listed["Bookings"])


def test_the_bookings_section_keeps_the_front_desks_screens(admin_client):
    listed = sections(admin_client.get("/admin/"))

    assert {"Booking", "BookingSettings", "Closure", "OpeningHours"} <= set(listed["Bookings"])
    assert "Practitioner" in listed["Team"]


def test_the_clinic_details_page_opens_under_its_new_address(admin_client, clinic_content):
    assert admin_client.get("/admin/clinic/clinic/1/change/").status_code == 200
