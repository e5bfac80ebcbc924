"""A patient's request to delete their data, carried out by the front desk from the request itself."""

import json
import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from booking.erasure import ErasureRefused, erase_personal_data
from booking.models import Booking, OutgoingEmail
from booking.retention import remove_old_personal_data
from booking.tasks import deliver_email
from clinic_site.staff_groups import RECEPTION
from conditions.models import Condition
from privacy.models import DataRequest, PrivacyNotice
from team.models import Practitioner
from tests.helpers import page_text, staff_member

pytestmark = pytest.mark.django_db

MARIA_REQUEST = {
    "kind": DataRequest.Kind.CANCELLATION,
    "full_name": "María Fernanda López",
    "email": "MARIA.LOPEZ@example.com",  # typed with capitals: still her bookings
    "phone": "664 123 4567",
    "details": "Please delete everything, also what I wrote about the Tijuana half marathon.",
}
# Every way María could show up in a column: name, emails (also one she used once), phone, her note.
MARIA = ["María Fernanda López", "Fernanda", "maria.lopez@example.com", "mfl@trabajo.example", "6641234567",
         "664 123 4567", "half marathon"]
MARIA_BOOKS = {
    "patient_name": "María Fernanda López",
    "phone": "+526641234567",
    "email": "maria.lopez@example.com",
    "note": "Knee swells after 10 km since the Tijuana half marathon",
}
JORGE = {
    "patient_name": "Jorge Ramírez Soto",
    "phone": "+16195550142",
    "email": "jorge@example.com",
    "condition": None,
    "note": "Achilles sore on every hill",
}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def days_ago(days):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def make_booking(booking_rules):
    """A booking of María's written straight to the database, as if it had come through the site earlier."""

    def make(starts_at, status, **fields):
        return Booking.objects.create(**{
            "practitioner": Practitioner.objects.first(),
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=1),
            "status": status,
            "price": 750,
            "consent_given_at": starts_at - timedelta(days=2),
            "privacy_notice": PrivacyNotice.objects.first(),
            **MARIA_BOOKS,
            **fields,
        })

    return make


def rows_mentioning(needles):
    """(table, column, needle) for every value in every column of every table that contains a needle.

    Sessions are decoded first: their data is stored encoded. JSON is read
    back as text too, since JSON columns escape accented letters.
    """
    found = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [column.name for column in connection.introspection.get_table_description(cursor, table)]
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for column, value in zip(columns, row):
                    text = readable(table, column, value).lower()
                    found |= {(table, column, needle) for needle in needles if needle.lower() in text}
    return found


def readable(table, column, value):
    if value is None:
        return ""
    if isinstance(value, (bytes, memoryview)):
        value = bytes(value).decode("utf-8", "replace")
    if table == "django_session" and column == "session_data":
        return json.dumps(SessionStore().decode(value), ensure_ascii=False, default=str)
    text = str(value)
    try:
        return text + json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return text


def tables_mentioning(needles):
    return {table for table, _column, _needle in rows_mentioning(needles)}


def start_booking_online(client, patient_name, phone, email):
    """Choose a time and give one's details, then leave: the answers wait in the session."""
    day = re.search(r'href="\?day=([0-9-]+)"', client.get("/book/").content.decode()).group(1)
    page = client.get(f"/book/?day={day}").content.decode()
    starts_at = re.search(r'name="starts_at" id="id_starts_at_0" value="([^"]+)"', page).group(1)
    client.post("/book/", {"day": day, "starts_at": starts_at})
    client.post("/book/details/", {"patient_name": patient_name, "phone": phone, "email": email})


@pytest.fixture
def desk(client):
    client.force_login(staff_member("desk", RECEPTION))
    return client


@pytest.fixture
def maria(make_booking):
    """María's bookings over the last months, one with the email of her work, one deleted outright."""
    knee = Condition.objects.create(name="Runner's knee", slug="runners-knee", summary="Pain around the kneecap.")
    attended = make_booking(days_ago(60), Booking.Status.ATTENDED, condition=knee)
    declined = make_booking(
        days_ago(30), Booking.Status.DECLINED, email="Maria.Lopez@Example.com",
        decline_reason="Half marathon training plans are not something we treat",
    )
    at_work = make_booking(days_ago(20), Booking.Status.CANCELLED, email="mfl@trabajo.example")
    deleted = make_booking(days_ago(90), Booking.Status.CANCELLED)
    deleted_reference = deleted.reference
    deleted.delete()
    return {"attended": attended, "declined": declined, "at_work": at_work, "deleted": deleted_reference}


@pytest.fixture
def jorge(make_booking):
    return make_booking(days_ago(10), Booking.Status.ATTENDED, **JORGE)


@pytest.fixture
def deletion_request(db):
    return DataRequest.objects.create(**MARIA_REQUEST)


def erase(client, data_request):
    return client.post(f"/admin/privacy/datarequest/{data_request.pk}/delete-personal-data/")


# The finding


def test_a_deleted_booking_keeps_the_patients_details_in_its_history_until_they_are_erased(
    make_booking, deletion_request, admin_client
):
    make_booking(days_ago(3), Booking.Status.ATTENDED).delete()
    assert not Booking.objects.exists()
    assert "booking_historicalbooking" in tables_mentioning(["maria.lopez@example.com", "half marathon"])

    erase(admin_client, deletion_request)

    assert "booking_historicalbooking" not in tables_mentioning(MARIA)


def test_the_nightly_clean_up_reaches_the_history_of_a_booking_deleted_long_ago(make_booking, booking_rules):
    long_ago = make_booking(days_ago(800), Booking.Status.ATTENDED)
    recent = make_booking(days_ago(30), Booking.Status.ATTENDED, **JORGE)
    long_ago.delete()
    recent.delete()

    assert remove_old_personal_data() == 1

    assert "booking_historicalbooking" not in tables_mentioning(MARIA)
    assert "booking_historicalbooking" in tables_mentioning(["jorge@example.com"])  # still within the period
    assert remove_old_personal_data() == 0


def test_reception_can_add_a_request_that_came_by_phone(desk):
    assert desk.get("/admin/privacy/datarequest/add/").status_code == 200

    response = desk.post("/admin/privacy/datarequest/add/", {
        "kind": DataRequest.Kind.CANCELLATION, "status": DataRequest.Status.OPEN,
        "received_at_0": timezone.localdate().isoformat(), "received_at_1": "09:30:00",
        "full_name": "María Fernanda López", "email": "maria.lopez@example.com", "phone": "(664) 123-4567",
        "details": "Called the desk.", "staff_notes": "",
    })

    assert response.status_code == 302
    data_request = DataRequest.objects.get()
    assert data_request.kind == DataRequest.Kind.CANCELLATION and data_request.phone == "(664) 123-4567"


# Before staff confirm


def test_the_request_page_offers_deletion_only_on_a_request_to_delete(desk, deletion_request):
    page = desk.get(f"/admin/privacy/datarequest/{deletion_request.pk}/change/").content.decode()
    assert f"/admin/privacy/datarequest/{deletion_request.pk}/delete-personal-data/" in page

    access = DataRequest.objects.create(**{**MARIA_REQUEST, "kind": DataRequest.Kind.ACCESS})
    page = desk.get(f"/admin/privacy/datarequest/{access.pk}/change/").content.decode()
    assert "delete-personal-data" not in page
    response = desk.post(f"/admin/privacy/datarequest/{access.pk}/delete-personal-data/", follow=True)
    assert "Only a request to delete data can delete it." in page_text(response)
    access.refresh_from_db()
    assert access.full_name == "María Fernanda López"


def test_staff_see_the_persons_bookings_before_they_confirm_and_nothing_changes_yet(
    desk, maria, jorge, deletion_request
):
    response = desk.get(f"/admin/privacy/datarequest/{deletion_request.pk}/delete-personal-data/")

    text = page_text(response)
    for booking in (maria["attended"], maria["declined"]):
        assert booking.reference in text
    assert f"{maria['deleted']} (booking deleted; only its history is left)" in text
    assert "Attended" in text and "Declined" in text
    assert maria["at_work"].reference in text  # same phone, another email: found by the phone
    assert jorge.reference not in text
    assert "Yes, delete this person's data" in text
    deletion_request.refresh_from_db()
    maria["attended"].refresh_from_db()
    assert deletion_request.erased_at is None and deletion_request.full_name == "María Fernanda López"
    assert maria["attended"].patient_name == "María Fernanda López"


@pytest.mark.parametrize("typed, number", [
    ("+52 (664) 123-4567", "+526641234567"),
    ("664.123.4567", "+526641234567"),
    ("(619) 555-0142", "+16195550142"),  # not a Mexican number, so read as a US one, as the booking form does
])
def test_a_phone_typed_any_way_finds_the_bookings_with_that_number(desk, make_booking, typed, number):
    booking = make_booking(days_ago(5), Booking.Status.ATTENDED, email="other@example.com", phone=number)
    data_request = DataRequest.objects.create(**{**MARIA_REQUEST, "email": "someone@example.com", "phone": typed})

    page = page_text(desk.get(f"/admin/privacy/datarequest/{data_request.pk}/delete-personal-data/"))

    assert booking.reference in page


def test_a_phone_that_is_not_mexican_or_us_is_said_to_be_unread(desk, deletion_request):
    DataRequest.objects.filter(pk=deletion_request.pk).update(phone="+44 20 7946 0958")

    text = page_text(desk.get(f"/admin/privacy/datarequest/{deletion_request.pk}/delete-personal-data/"))

    assert "not a Mexican or US number, so bookings were found by the email only" in text


# Carrying it out


def test_a_deletion_request_leaves_no_trace_of_the_person_in_any_table(maria, jorge, desk, run_worker, mailoutbox):
    visitor, other_visitor = Client(), Client()
    start_booking_online(visitor, "María Fernanda López", "664 123 4567", "maria.lopez@example.com")
    start_booking_online(other_visitor, "Jorge Ramírez Soto", "+1 619 555 0142", "jorge@example.com")
    assert visitor.post("/privacy/request/", MARIA_REQUEST).status_code == 302
    run_worker()  # the clinic is told of the request: a task result is left behind
    # An email about her booking the mail server has not taken yet.
    stuck = OutgoingEmail.objects.create(booking=maria["at_work"], kind=OutgoingEmail.Kind.CLINIC_NEW_REQUEST)
    deliver_email.enqueue(stuck.pk)
    data_request = DataRequest.objects.get()
    assert tables_mentioning(MARIA) >= {
        "booking_booking", "booking_historicalbooking", "privacy_datarequest", "django_session",
    }

    response = erase(desk, data_request)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/privacy/datarequest/{data_request.pk}/change/"
    assert rows_mentioning(MARIA) == set()
    # Jorge, his booking, its history and his half-made booking are as they were.
    assert tables_mentioning(["jorge@example.com", "Achilles sore"]) >= {
        "booking_booking", "booking_historicalbooking", "django_session",
    }
    jorge.refresh_from_db()
    assert (jorge.patient_name, jorge.note, jorge.anonymised_at) == ("Jorge Ramírez Soto", JORGE["note"], None)
    assert LogEntry.objects.filter(object_id=str(data_request.pk)).exists()
    mailoutbox.clear()
    run_worker()
    assert mailoutbox == []  # the stuck email never goes out
    stuck.refresh_from_db()
    assert stuck.sent_at is None and stuck.overtaken_at is not None


def test_the_bookings_keep_what_the_accounts_need_and_their_old_links_show_nothing(
    desk, maria, deletion_request, client
):
    attended = maria["attended"]
    before = (attended.reference, attended.starts_at, attended.ends_at, attended.price, attended.status)
    old_link = reverse("booking:manage", kwargs={"token": attended.token})

    erase(desk, deletion_request)

    attended.refresh_from_db()
    assert (attended.reference, attended.starts_at, attended.ends_at, attended.price, attended.status) == before
    assert (attended.patient_name, attended.email, attended.note, str(attended.phone or "")) == ("", "", "", "")
    assert attended.condition is None and attended.anonymised_at is not None
    assert client.get(old_link).status_code == 404
    for row in Booking.history.filter(reference=maria["deleted"]):
        assert (row.patient_name, row.email, row.note, row.reference) == ("", "", "", maria["deleted"])


def test_the_request_records_when_who_and_what_was_deleted_and_nothing_personal(desk, maria, deletion_request):
    response = erase(desk, deletion_request)

    deletion_request.refresh_from_db()
    assert deletion_request.status == DataRequest.Status.ANSWERED
    assert deletion_request.erased_by.username == "desk" and deletion_request.answered_by.username == "desk"
    assert timezone.now() - deletion_request.erased_at < timedelta(minutes=1)
    assert (deletion_request.full_name, deletion_request.email, deletion_request.phone, deletion_request.details) == (
        "", "", "", ""
    )
    page = page_text(desk.get(response["Location"]))
    assert "The person's data is deleted" in page
    assert "Personal data deleted" in page
    references = ", ".join(maria[key].reference for key in ("attended", "declined", "at_work"))  # oldest first
    assert f"the details in 3 bookings ({references})" in page
    assert f"1 booking deleted earlier ({maria['deleted']})" in page
    assert "history rows" in page
    assert "delete-personal-data" not in desk.get(response["Location"]).content.decode()
    [log] = LogEntry.objects.filter(object_id=str(deletion_request.pk))
    assert log.user.username == "desk" and "Deleted the person's data" in log.get_change_message()
    assert not {needle for needle in MARIA if needle.lower() in (log.change_message + log.object_repr).lower()}


def test_her_places_on_the_waitlist_go_with_their_emails_and_the_record_counts_them(
    desk, maria, jorge, deletion_request
):
    from booking import waitlist
    from booking.models import WaitlistEmail, WaitlistEntry
    from clinic.clock import clinic_today

    soon = clinic_today() + timedelta(days=3)
    details = {"first_day": soon, "last_day": soon, "privacy_notice": PrivacyNotice.current()}
    # Found as her bookings are: by the email whatever its capitals, and by the phone with another email.
    waitlist.join(patient_name="María Fernanda López", phone="+526641234567", email="Maria.Lopez@example.com", **details)
    waitlist.join(patient_name="María Fernanda López", phone="+526641234567", email="mfl@trabajo.example", **details)
    his = waitlist.join(patient_name=JORGE["patient_name"], phone=JORGE["phone"], email=JORGE["email"], **details)
    assert "booking_waitlistentry" in tables_mentioning(MARIA)
    before = page_text(desk.get(f"/admin/privacy/datarequest/{deletion_request.pk}/delete-personal-data/"))
    assert "2 places on the waitlist" in before  # staff see them before anything is deleted

    response = erase(desk, deletion_request)

    assert response.status_code == 302
    assert rows_mentioning(MARIA) == set()
    assert list(WaitlistEntry.objects.all()) == [his]
    assert WaitlistEmail.objects.filter(entry=his).count() == 1  # his "you are on the waitlist" email stays
    assert not WaitlistEmail.objects.exclude(entry=his).exists()
    assert "2 places on the waitlist" in page_text(desk.get(response["Location"]))


def test_the_request_can_be_noted_on_after_the_deletion_but_not_reopened(desk, deletion_request):
    erase(desk, deletion_request)

    response = desk.post(f"/admin/privacy/datarequest/{deletion_request.pk}/change/", {
        "staff_notes": "Told by phone that it is done.", "status": DataRequest.Status.OPEN, "full_name": "María",
    })

    assert response.status_code == 302
    deletion_request.refresh_from_db()
    assert deletion_request.staff_notes == "Told by phone that it is done."
    assert deletion_request.status == DataRequest.Status.ANSWERED and deletion_request.full_name == ""
    followed = erase(desk, deletion_request)
    assert "already been deleted" in page_text(desk.get(followed["Location"]))


def test_the_persons_earlier_answered_requests_lose_their_details_too(desk, deletion_request):
    earlier = DataRequest.objects.create(
        **{**MARIA_REQUEST, "kind": DataRequest.Kind.ACCESS, "email": "other@example.com", "phone": "+526641234567"},
        status=DataRequest.Status.ANSWERED,
    )

    erase(desk, deletion_request)

    earlier.refresh_from_db()
    assert (earlier.full_name, earlier.email, earlier.phone, earlier.details) == ("", "", "", "")
    assert earlier.kind == DataRequest.Kind.ACCESS and earlier.status == DataRequest.Status.ANSWERED


# Who may, and when not yet


def test_an_editor_cannot_delete_a_persons_data(editor_client, maria, deletion_request):
    url = f"/admin/privacy/datarequest/{deletion_request.pk}/delete-personal-data/"

    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url).status_code == 403

    deletion_request.refresh_from_db()
    assert deletion_request.erased_at is None and deletion_request.full_name == "María Fernanda López"
    assert "booking_historicalbooking" in tables_mentioning(MARIA)


def test_it_is_refused_while_the_person_has_an_upcoming_booking_until_it_is_cancelled_and_they_are_told(
    desk, maria, deletion_request, run_worker, mailoutbox, settings
):
    settings.BOOKING_MINIMUM_SECONDS = 0
    visitor = Client()
    start_booking_online(visitor, "María Fernanda López", "664 123 4567", "maria.lopez@example.com")
    visitor.post("/book/reason/", {"reason": "not_sure"})
    submission = re.search(r'name="submission" value="([^"]+)"', visitor.get("/book/check/").content.decode()).group(1)
    assert visitor.post("/book/check/", {"submission": submission, "consent": "on"}).status_code == 302
    upcoming = Booking.objects.latest("created_at")
    assert upcoming.status == Booking.Status.CONFIRMED  # booked on the spot, as the clinic books online
    run_worker()  # "assessment booked" to her, "new booking" to the clinic
    mailoutbox.clear()
    url = f"/admin/privacy/datarequest/{deletion_request.pk}/delete-personal-data/"

    page = page_text(desk.get(url))
    assert f"{upcoming.reference} on" in page and "is still confirmed. Cancel it first, so the patient is told" in page
    assert "Yes, delete this person's data" not in page
    refused = desk.post(url, follow=True)
    assert "Cancel it first, so the patient is told" in page_text(refused)
    deletion_request.refresh_from_db()
    assert deletion_request.erased_at is None and "booking_booking" in tables_mentioning(MARIA)

    desk.post(f"/admin/booking/booking/{upcoming.pk}/cancel/",
              {"cancelled_by": "patient", "reason": "Asked for their data to be deleted"})
    refused = desk.post(url, follow=True)
    assert f"The email telling the patient about {upcoming.reference} has not gone out yet" in page_text(refused)

    run_worker()
    [cancellation] = mailoutbox
    assert cancellation.to == ["maria.lopez@example.com"]
    assert erase(desk, deletion_request).status_code == 302
    deletion_request.refresh_from_db()
    assert deletion_request.erased_at is not None
    assert rows_mentioning(MARIA) == set()
    # The browser she booked in no longer leads to the booking, emptied as it is.
    assert not Session.objects.filter(session_key=visitor.session.session_key).exists()


def test_it_is_refused_while_another_request_from_them_is_still_open(desk, deletion_request):
    DataRequest.objects.create(**{**MARIA_REQUEST, "kind": DataRequest.Kind.ACCESS, "email": "maria.lopez@example.com"})

    refused = desk.post(f"/admin/privacy/datarequest/{deletion_request.pk}/delete-personal-data/", follow=True)

    assert "“See the data the clinic holds about me”" in page_text(refused)
    assert "is still open. Answer it first: deleting removes the address to answer it at." in page_text(refused)
    assert DataRequest.objects.filter(full_name="María Fernanda López").count() == 2
    with pytest.raises(ErasureRefused):
        erase_personal_data(deletion_request, by=None)  # the rule is the service's, not only the page's


def test_a_cancellation_email_that_failed_for_good_no_longer_holds_up_the_deletion(desk, maria, deletion_request):
    cancelled = Booking.objects.filter(status=Booking.Status.CANCELLED).first()
    failed = OutgoingEmail.objects.create(booking=cancelled, kind=OutgoingEmail.Kind.CANCELLED, failed_at=timezone.now())

    assert erase(desk, deletion_request).status_code == 302

    deletion_request.refresh_from_db()
    failed.refresh_from_db()
    assert deletion_request.erased_at is not None
    assert failed.overtaken_at is not None  # never sent again with the details gone
