"""The admin's front page lists what the site still lacks before it can take patients, until nothing does."""

import html
import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from booking.emails import build_message
from booking.models import BookingSettings, OutgoingEmail
from booking.seed import PLACEHOLDER_PRACTITIONER_NAME
from clinic.models import Clinic
from clinic_site.staff_groups import CLINIC_EDITORS, RECEPTION
from privacy.models import PrivacyNotice
from team.models import Practitioner
from tests.helpers import staff_member

pytestmark = pytest.mark.django_db


def checklist(response):
    """(text, link) of each item of the front page's launch checklist; [] when it is not there."""
    section = re.search(r'<section class="module launch-checklist".*?</section>', response.content.decode(), re.DOTALL)
    if section is None:
        return []
    return [
        (" ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split()), link)
        for link, text in re.findall(r'<li><a href="([^"]+)">(.*?)</a></li>', section.group(), re.DOTALL)
    ]


def fill_everything_in():
    Clinic.objects.update(
        phone="+52 664 123 4567", whatsapp="+52 664 765 4321", email="hola@example.com",
        street_address="Paseo de los Héroes 9350",
        legal_name="Return to Running S.C.", legal_address="Paseo de los Héroes 9350, Zona Río, 22010 Tijuana, B.C.",
        advertising_notice="2602002002A00123", health_officer="Dra. Ana Ruiz", health_officer_cedula="7654321",
    )
    Practitioner.objects.filter(name=PLACEHOLDER_PRACTITIONER_NAME).update(name="Dra. Ana Ruiz", cedula="1234567")


@override_settings(CLINIC_NOTIFICATION_EMAIL="")
def test_the_owner_is_asked_for_everything_the_starting_content_leaves_out(admin_client, clinic_content):
    items = checklist(admin_client.get("/admin/"))

    texts = [text for text, _link in items]
    assert texts == [
        "The clinic’s phone number",
        "The clinic’s WhatsApp number",
        "The clinic’s email",
        "The clinic’s street address",
        "The clinic’s legal name, for the privacy notice",
        "The clinic’s legal domicile, for the privacy notice",
        "The COFEPRIS advertising notice or permit number, for the footer",
        "The responsable sanitario, for the footer",
        "The practitioner’s real name, in place of “Lead physiotherapist”",
        "Where new bookings are emailed",
    ]
    links = dict(items)
    placeholder = Practitioner.objects.get(name=PLACEHOLDER_PRACTITIONER_NAME)
    assert links["The clinic’s phone number"] == "/admin/clinic/clinic/1/change/"
    assert links["The clinic’s legal name, for the privacy notice"] == "/admin/clinic/clinic/1/change/"
    assert links[texts[8]] == f"/admin/team/practitioner/{placeholder.pk}/change/"
    assert links["Where new bookings are emailed"] == "/admin/booking/bookingsettings/1/change/"
    for link in links.values():
        assert admin_client.get(link).status_code == 200


def test_the_checklist_is_gone_once_everything_is_filled_in(admin_client, clinic_content):
    fill_everything_in()

    assert checklist(admin_client.get("/admin/")) == []


def test_a_practitioner_on_the_team_page_without_a_cedula_is_asked_for(admin_client, clinic_content):
    fill_everything_in()
    ana = Practitioner.objects.create(name="Lic. Ana Pérez", is_listed=True)
    Practitioner.objects.create(name="Lic. Off The Page", is_listed=False)  # not advertised: nothing to ask

    assert checklist(admin_client.get("/admin/")) == [
        ("Lic. Ana Pérez’s cédula profesional, for the team page", f"/admin/team/practitioner/{ana.pk}/change/"),
    ]


def test_with_no_privacy_notice_at_all_the_owner_is_asked_for_one(admin_client, clinic_content):
    fill_everything_in()
    PrivacyNotice.objects.all().delete()

    assert checklist(admin_client.get("/admin/")) == [("A privacy notice", "/admin/privacy/privacynotice/add/")]


@override_settings(CLINIC_NOTIFICATION_EMAIL="")
def test_the_clinics_email_or_the_booking_settings_say_where_requests_go(admin_client, clinic_content):
    BookingSettings.objects.update(notification_email="desk@example.com")

    assert "Where new bookings are emailed" not in dict(checklist(admin_client.get("/admin/")))


def test_an_editor_sees_only_what_an_editor_can_fill_in(client, clinic_content):
    client.force_login(staff_member("editor", CLINIC_EDITORS))

    texts = [text for text, _link in checklist(client.get("/admin/"))]

    # Editors fill in Clinic details and team profiles; the privacy notice and booking settings are the owner's.
    assert texts == [
        "The clinic’s phone number", "The clinic’s WhatsApp number", "The clinic’s email", "The clinic’s street address",
        "The clinic’s legal name, for the privacy notice", "The clinic’s legal domicile, for the privacy notice",
        "The COFEPRIS advertising notice or permit number, for the footer", "The responsable sanitario, for the footer",
        "The practitioner’s real name, in place of “Lead physiotherapist”",
    ]


def test_reception_who_can_fill_nothing_in_sees_no_checklist(client, clinic_content):
    client.force_login(staff_member("desk", RECEPTION))

    assert checklist(client.get("/admin/")) == []


def test_the_checklist_query_count_does_not_grow(admin_client, clinic_content):
    admin_client.get("/admin/")  # the session and the user's permissions, once
    with CaptureQueriesContext(connection) as one_placeholder:
        admin_client.get("/admin/")
    for n in range(5):
        Practitioner.objects.create(name=PLACEHOLDER_PRACTITIONER_NAME, position=10 + n)

    with CaptureQueriesContext(connection) as six_placeholders:
        response = admin_client.get("/admin/")

    assert len(six_placeholders.captured_queries) == len(one_placeholder.captured_queries)
    assert len([text for text, _link in checklist(response) if PLACEHOLDER_PRACTITIONER_NAME in text]) == 6


def test_a_patient_is_never_told_the_placeholder_name(make_booking):
    booking = make_booking(status="confirmed")
    booking.practitioner.name = PLACEHOLDER_PRACTITIONER_NAME
    booking.practitioner.save()

    sentences = {
        OutgoingEmail.Kind.CONFIRMED: "Your first assessment is booked: the time is yours.\n",
        OutgoingEmail.Kind.REMINDER: "This is a reminder of your first assessment. Please arrive a few minutes early.",
    }
    for kind, sentence in sentences.items():
        message = build_message(OutgoingEmail.objects.create(booking=booking, kind=kind))
        for text in (message.body, message.alternatives[0][0]):
            assert PLACEHOLDER_PRACTITIONER_NAME not in text
        assert sentence in message.body


@pytest.mark.parametrize("whatsapp", ["", "+52 664 765 4321"], ids=["no number", "whatsapp only"])
def test_until_there_is_a_phone_no_patients_email_says_call(make_booking, whatsapp):
    booking = make_booking(status="confirmed")
    Clinic.objects.update(phone="", whatsapp=whatsapp)

    for kind in (OutgoingEmail.Kind.CONFIRMED, OutgoingEmail.Kind.CHANGED, OutgoingEmail.Kind.CANCELLED):
        message = build_message(OutgoingEmail.objects.create(booking=booking, kind=kind))
        for text in (message.body, message.alternatives[0][0]):
            assert "call" not in text.lower(), kind
        assert ("WhatsApp" if whatsapp else "reply to this email") in message.body, kind


def test_a_responsable_sanitario_without_a_cedula_is_asked_for_it(admin_client, clinic_content):
    fill_everything_in()
    Clinic.objects.update(health_officer="Dra. Ana Ruiz", health_officer_cedula="")

    texts = [text for text, _link in checklist(admin_client.get("/admin/"))]

    assert texts == ["The responsable sanitario’s cédula profesional, for the footer"]
