"""One record per patient: every booking of the same person, whatever phone format or email case they used."""

from datetime import timedelta

import pytest
from django.utils import timezone

from booking.models import Booking
from booking.patients import PatientRecord
from booking.retention import remove_old_personal_data
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def marias_bookings(make_booking):
    now = timezone.now()
    return [
        make_booking(starts_at=now - timedelta(days=60), status=Booking.Status.ATTENDED, note="Left knee after 10 km"),
        make_booking(starts_at=now - timedelta(days=30), status=Booking.Status.NO_SHOW, email="MARIA.LOPEZ@example.com",
                     note=""),
        make_booking(starts_at=now + timedelta(days=3), status=Booking.Status.CONFIRMED, phone="+526649998877",
                     note="Still the knee"),
    ]


def test_the_record_gathers_every_booking_by_phone_or_email(marias_bookings, make_booking):
    someone_else = make_booking(patient_name="Jorge Ramírez", phone="+16195550142", email="jorge@example.com",
                                starts_at=timezone.now() + timedelta(days=5))

    record = PatientRecord.of(marias_bookings[0])

    assert {booking.pk for booking in record.bookings} == {booking.pk for booking in marias_bookings}
    assert someone_else not in record.bookings
    assert (record.attended, record.no_shows, len(record.upcoming)) == (1, 1, 1)
    assert record.phones == ["+526641234567", "+526649998877"]
    assert record.emails == ["maria.lopez@example.com"]


def test_reception_opens_the_record_from_a_booking_and_books_again(reception, marias_bookings):
    response = reception.get(f"/admin/booking/booking/{marias_bookings[0].pk}/patient/")

    text = page_text(response)
    assert response.status_code == 200
    assert "Patient record: María Fernanda López" in text
    assert "Assessments attended 1" in text and "Did not attend 1" in text
    assert "Left knee after 10 km" in text and "Still the knee" in text
    assert f'href="/admin/booking/booking/add/?patient={marias_bookings[0].pk}"' in response.content.decode()
    # The address names a booking, never the patient.
    assert "6641234567" not in response.request["PATH_INFO"]


def test_the_record_costs_the_same_queries_however_many_bookings(reception, marias_bookings, make_booking,
                                                                 django_assert_max_num_queries):
    url = f"/admin/booking/booking/{marias_bookings[0].pk}/patient/"
    reception.get(url)
    with django_assert_max_num_queries(20) as first:
        reception.get(url)
    for days in range(10, 20):
        make_booking(starts_at=timezone.now() - timedelta(days=days * 7), status=Booking.Status.ATTENDED)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert "Assessments attended 11" in page_text(reception.get(url))


def test_an_editor_cannot_open_a_patient_record(editor_client, marias_bookings):
    assert editor_client.get(f"/admin/booking/booking/{marias_bookings[0].pk}/patient/").status_code == 403


def test_retention_empties_the_record_with_the_bookings(reception, make_booking, booking_rules):
    old = make_booking(starts_at=timezone.now() - timedelta(days=800), status=Booking.Status.ATTENDED)
    recent = make_booking(starts_at=timezone.now() - timedelta(days=10), status=Booking.Status.ATTENDED)

    remove_old_personal_data()

    assert [booking.pk for booking in PatientRecord.of(recent).bookings] == [recent.pk]
    assert reception.get(f"/admin/booking/booking/{old.pk}/patient/").status_code == 404


def test_the_record_reads_in_spanish(reception, marias_bookings):
    reception.post("/i18n/setlang/", {"language": "es", "next": "/admin/"})
    text = page_text(reception.get(f"/admin/booking/booking/{marias_bookings[0].pk}/patient/"))

    assert "Expediente del paciente: María Fernanda López" in text


def test_book_again_fills_in_the_patients_details(reception, marias_bookings):
    response = reception.get(f"/admin/booking/booking/add/?patient={marias_bookings[0].pk}")

    form = response.context["adminform"].form
    assert form.initial["patient_name"] == "María Fernanda López"
    assert form.initial["phone"] == "+526641234567"
    assert form.initial["email"] == "maria.lopez@example.com"


def test_the_desk_finds_an_existing_patient_from_the_phone_typed_any_way(reception, marias_bookings):
    response = reception.post("/admin/booking/booking/add/", {
        "show_times": "lookup", "patient_name": "Maria", "phone": "664 123 4567", "email": "",
    })

    text = page_text(response)
    assert "This phone or email has booked before: María Fernanda López, 3 bookings." in text
    assert "Attended 1, did not attend 1." in text
    assert f"/admin/booking/booking/{marias_bookings[2].pk}/patient/" in response.content.decode()  # the latest
    assert response.context["adminform"].form["patient_name"].value() == "Maria"  # what was typed is kept


def test_a_new_patient_is_not_taken_for_someone_else(reception, marias_bookings):
    response = reception.post("/admin/booking/booking/add/", {
        "show_times": "lookup", "patient_name": "Jorge", "phone": "+1 619 555 0142", "email": "jorge@example.com",
    })

    assert "This phone or email has booked before" not in page_text(response)


def test_the_booking_page_links_to_the_patients_record(reception, marias_bookings):
    page = reception.get(f"/admin/booking/booking/{marias_bookings[0].pk}/change/").content.decode()

    assert f'href="/admin/booking/booking/{marias_bookings[0].pk}/patient/"' in page


def test_the_desk_form_asks_as_the_phone_is_typed_without_putting_it_in_an_address(reception, marias_bookings):
    page = reception.get("/admin/booking/booking/add/").content.decode()
    assert 'data-lookup-url="/admin/booking/booking/patient-lookup/"' in page
    assert "admin/js/patient_lookup" in page

    found = reception.post("/admin/booking/booking/patient-lookup/", {"phone": "+52 1 664 123 4567", "email": ""})
    nobody = reception.post("/admin/booking/booking/patient-lookup/", {"phone": "", "email": "nobody@example.com"})

    assert "This phone or email has booked before: María Fernanda López" in page_text(found)
    assert page_text(nobody).strip() == ""
    assert reception.get("/admin/booking/booking/patient-lookup/?phone=6641234567").status_code == 405


def test_an_editor_cannot_look_up_patients(editor_client, marias_bookings):
    response = editor_client.post("/admin/booking/booking/patient-lookup/", {"phone": "664 123 4567"})

    assert response.status_code == 403
