"""The admin's front page lists what the site still lacks before it can take patients, until nothing does."""

import html
import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from booking.emails import build_message
from booking.models import BookingSettings, OutgoingEmail, Practitioner
from booking.seed import PLACEHOLDER_PRACTITIONER_NAME
from clinic.models import Clinic
from clinic_site.staff_groups import CLINIC_EDITORS, RECEPTION
from privacy.models import PrivacyNotice
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
    )
    Practitioner.objects.filter(name=PLACEHOLDER_PRACTITIONER_NAME).update(name="Dra. Ana Ruiz")
    PrivacyNotice.objects.create(
        version=2, title="Aviso de privacidad", body="Return to Running S.C., Paseo de los Héroes 9350, Tijuana…"
    )


@override_settings(CLINIC_NOTIFICATION_EMAIL="")
def test_the_owner_is_asked_for_everything_the_starting_content_leaves_out(admin_client, clinic_content):
    items = checklist(admin_client.get("/admin/"))

    texts = [text for text, _link in items]
    assert texts == [
        "The clinic’s phone number",
        "The clinic’s WhatsApp number",
        "The clinic’s email",
        "The clinic’s street address",
        "The practitioner’s real name, in place of “Lead physiotherapist”",
        "The privacy notice’s legal identity: the clinic’s registered name and full address, in a new version",
        "Where new requests are emailed",
    ]
    links = dict(items)
    placeholder = Practitioner.objects.get(name=PLACEHOLDER_PRACTITIONER_NAME)
    assert links["The clinic’s phone number"] == "/admin/clinic/clinic/1/change/"
    assert links[texts[4]] == f"/admin/booking/practitioner/{placeholder.pk}/change/"
    assert links[texts[5]] == "/admin/privacy/privacynotice/add/"
    assert links["Where new requests are emailed"] == "/admin/booking/bookingsettings/1/change/"
    for link in links.values():
        assert admin_client.get(link).status_code == 200


def test_the_checklist_is_gone_once_everything_is_filled_in(admin_client, clinic_content):
    fill_everything_in()

    assert checklist(admin_client.get("/admin/")) == []


@override_settings(CLINIC_NOTIFICATION_EMAIL="")
def test_the_clinics_email_or_the_booking_settings_say_where_requests_go(admin_client, clinic_content):
    BookingSettings.objects.update(notification_email="desk@example.com")

    assert "Where new requests are emailed" not in dict(checklist(admin_client.get("/admin/")))


def test_an_editor_sees_only_what_an_editor_can_fill_in(client, clinic_content):
    client.force_login(staff_member("editor", CLINIC_EDITORS))

    texts = [text for text, _link in checklist(client.get("/admin/"))]

    assert texts == [
        "The clinic’s phone number", "The clinic’s WhatsApp number", "The clinic’s email", "The clinic’s street address",
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
        OutgoingEmail.Kind.CONFIRMED: "Your first assessment is confirmed.\n",
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
