import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from booking.emails import clinic_address
from booking.models import Booking
from clinic.clock import clinic_date
from clinic_site.staff_groups import RECEPTION
from privacy.models import ClinicNotice, DataRequest, PrivacyNotice, working_days_after
from privacy.tasks import notify_clinic_of_data_request
from tests.helpers import page_text, staff_member

pytestmark = pytest.mark.django_db

TIJUANA = ZoneInfo("America/Tijuana")
DETAILS = {"patient_name": "Ana López", "phone": "664 123 4567", "email": "ana@example.com"}
REQUEST = {
    "kind": DataRequest.Kind.CANCELLATION,
    "full_name": "Ana López Ramírez",
    "email": "ana.lopez@example.com",
    "phone": "664 123 4567",
    "details": "Please delete everything from my booking in March.",
}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_minimum_time(monkeypatch):
    monkeypatch.setattr(django_settings, "BOOKING_MINIMUM_SECONDS", 0)


def book_through_the_site(client):
    """Walk the booking flow from a fresh session; the booking agrees to the notice shown at "check"."""
    client.cookies.clear()
    day = re.search(r'href="\?day=([0-9-]+)"', client.get("/book/").content.decode()).group(1)
    page = client.get(f"/book/?day={day}").content.decode()
    starts_at = re.search(r'name="starts_at" id="id_starts_at_0" value="([^"]+)"', page).group(1)
    client.post("/book/", {"day": day, "starts_at": starts_at})
    client.post("/book/details/", DETAILS)
    client.post("/book/reason/", {"reason": "not_sure"})
    submission = re.search(r'name="submission" value="([^"]+)"', client.get("/book/check/").content.decode()).group(1)
    assert client.post("/book/check/", {"submission": submission, "consent": "on"}).status_code == 302
    return Booking.objects.latest("created_at")


def edit_notice(admin_client, notice, body, publish_at=None):
    when = timezone.localtime(publish_at) if publish_at else None
    return admin_client.post(
        f"/admin/privacy/privacynotice/{notice.pk}/change/",
        {
            "title_en": notice.title_en,
            "body_en": body,
            "published_at_0": when.strftime("%Y-%m-%d") if when else "",
            "published_at_1": when.strftime("%H:%M:%S") if when else "",
            "_save": "Save",
        },
    )


# The privacy notice and its versions


def test_editing_the_notice_publishes_version_2_and_leaves_version_1_and_its_bookings_as_they_were(
    admin_client, booking_rules, clinic_content, client, no_minimum_time
):
    first = PrivacyNotice.objects.get(version=1)
    before = (first.title, first.body, first.published_at)
    booking = book_through_the_site(client)

    response = edit_notice(admin_client, first, "We now also keep your running plan.")

    assert response.status_code == 302
    assert PrivacyNotice.objects.count() == 2
    first.refresh_from_db()
    assert (first.title, first.body, first.published_at) == before
    second = PrivacyNotice.objects.get(version=2)
    assert second.body == "We now also keep your running plan."
    assert second.published_at <= timezone.now()
    assert PrivacyNotice.current() == second
    booking.refresh_from_db()
    assert booking.privacy_notice == first
    messages = page_text(admin_client.get(response["Location"]))
    assert "Published version 2. Version 1 stays as it was" in messages


def test_a_new_booking_agrees_to_the_new_version_while_an_earlier_one_keeps_its_own(
    admin_client, booking_rules, clinic_content, client, no_minimum_time
):
    earlier = book_through_the_site(client)
    edit_notice(admin_client, PrivacyNotice.objects.get(version=1), "A newer notice.")

    later = book_through_the_site(client)

    earlier.refresh_from_db()
    assert earlier.privacy_notice.version == 1
    assert later.privacy_notice.version == 2


def test_saving_without_a_change_publishes_nothing(admin_client, booking_rules):
    notice = PrivacyNotice.objects.get()
    response = edit_notice(admin_client, notice, notice.body)
    assert response.status_code == 302
    assert PrivacyNotice.objects.count() == 1
    assert "no new version was published" in page_text(admin_client.get(response["Location"]))


def test_a_version_scheduled_for_later_is_not_shown_or_agreed_to_until_then(
    admin_client, booking_rules, clinic_content, client, no_minimum_time
):
    edit_notice(admin_client, PrivacyNotice.objects.get(version=1), "From next month.",
                publish_at=timezone.now() + timedelta(days=10))
    scheduled = PrivacyNotice.objects.get(version=2)

    assert "From next month." not in page_text(client.get("/privacy/"))
    assert client.get("/privacy/v2/").status_code == 404
    assert book_through_the_site(client).privacy_notice.version == 1

    PrivacyNotice.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    assert "From next month." in page_text(client.get("/privacy/"))


def test_a_publish_time_in_the_past_is_refused(admin_client, booking_rules):
    response = edit_notice(admin_client, PrivacyNotice.objects.get(), "Backdated.",
                           publish_at=timezone.now() - timedelta(days=3))
    assert response.status_code == 200
    assert "Choose a date and time after now" in page_text(response)
    assert PrivacyNotice.objects.count() == 1


def test_earlier_versions_are_read_only_in_the_admin(admin_client, booking_rules):
    first = PrivacyNotice.objects.get()
    edit_notice(admin_client, first, "Version two.")

    page = admin_client.get(f"/admin/privacy/privacynotice/{first.pk}/change/")
    assert page.status_code == 200
    assert 'name="body_en"' not in page.content.decode()
    assert edit_notice(admin_client, first, "Rewriting history.").status_code == 403
    first.refresh_from_db()
    assert first.body == "How we use your data."
    second = PrivacyNotice.objects.get(version=2)
    assert 'name="body_en"' in admin_client.get(f"/admin/privacy/privacynotice/{second.pk}/change/").content.decode()


def test_a_published_version_cannot_be_deleted(admin_client, booking_rules):
    notice = PrivacyNotice.objects.get()
    assert admin_client.post(f"/admin/privacy/privacynotice/{notice.pk}/delete/", {"post": "yes"}).status_code == 403
    assert PrivacyNotice.objects.filter(pk=notice.pk).exists()


def test_the_list_of_versions_counts_the_bookings_that_agreed_to_each_without_a_query_per_row(
    admin_client, make_booking, privacy_notice
):
    first = privacy_notice
    for hour in (9, 10, 11):
        make_booking(privacy_notice=first, starts_at=datetime(2027, 3, 2, hour, tzinfo=TIJUANA))
    edit_notice(admin_client, first, "Version two.")
    second = PrivacyNotice.objects.get(version=2)
    make_booking(privacy_notice=second, starts_at=datetime(2027, 3, 3, 9, tzinfo=TIJUANA))

    with CaptureQueriesContext(connection) as two_versions:
        page = page_text(admin_client.get("/admin/privacy/privacynotice/"))
    assert re.search(r"2 Privacy notice .*? Current version 1 ", page)
    assert re.search(r"1 Privacy notice .*? Earlier version 3 ", page)

    for n in range(3, 9):
        PrivacyNotice.objects.create(version=n, title="Privacy notice", body=f"Version {n}.")
    with CaptureQueriesContext(connection) as eight_versions:
        admin_client.get("/admin/privacy/privacynotice/")
    assert len(eight_versions) == len(two_versions)


def test_reception_can_read_the_notice_but_not_change_it(client, booking_rules):
    client.force_login(staff_member("desk", RECEPTION))
    notice = PrivacyNotice.objects.get()

    assert client.get(f"/admin/privacy/privacynotice/{notice.pk}/change/").status_code == 200
    assert edit_notice(client, notice, "Changed at the desk.").status_code == 403
    assert client.get("/admin/privacy/privacynotice/add/").status_code == 403
    assert PrivacyNotice.objects.count() == 1


def test_an_earlier_version_can_be_read_at_its_own_address(admin_client, booking_rules, client):
    edit_notice(admin_client, PrivacyNotice.objects.get(), "The second version.")

    earlier = page_text(client.get("/privacy/v1/"))
    assert "How we use your data." in earlier and "The second version." not in earlier
    assert "This is an earlier version" in earlier
    current = page_text(client.get("/privacy/"))
    assert "The second version." in current
    assert f"Version 2, published {clinic_date(timezone.localdate(), 'date')}" in current
    assert 'href="/privacy/v1/"' in client.get("/privacy/").content.decode()
    assert client.get("/privacy/v3/").status_code == 404


def test_the_booking_page_links_to_the_version_the_patient_agreed_to(admin_client, booking, client):
    edit_notice(admin_client, booking.privacy_notice, "A later notice.")
    page = client.get(booking.get_manage_url()).content.decode()
    assert '<a href="/privacy/v1/">You agreed to version 1 of the privacy notice</a>' in page


# A patient's request about their data


def test_the_request_form_is_linked_from_the_notice_and_the_footer(client, booking_rules, clinic_content):
    assert 'href="/privacy/request/"' in client.get("/privacy/").content.decode()
    assert 'href="/privacy/request/"' in client.get("/").content.decode()


def test_a_patient_asks_for_their_data_to_be_deleted_and_is_told_by_when(client, booking_rules, clinic_content):
    form = client.get("/privacy/request/")
    assert form.status_code == 200
    for label in ("See the data the clinic holds about me", "Delete my data", "Full name", "Email", "Phone (optional)"):
        assert label in page_text(form)

    response = client.post("/privacy/request/", REQUEST)

    assert response.status_code == 302 and response["Location"] == "/privacy/request/received/"
    data_request = DataRequest.objects.get()
    assert data_request.kind == DataRequest.Kind.CANCELLATION
    assert data_request.full_name == "Ana López Ramírez"
    assert data_request.phone == "+526641234567"
    assert data_request.status == DataRequest.Status.OPEN
    assert data_request.answer_by == working_days_after(timezone.localdate(), 20)
    received = page_text(client.get(response["Location"]))
    assert "Request received" in received
    assert "answers within 20 working days" in received
    assert clinic_date(data_request.answer_by, "day_year") in received  # "Wednesday, December 30, 2026"
    assert "prove who you are" in received


def test_the_confirmation_gives_the_date_in_spanish_on_the_spanish_site(client, booking_rules, clinic_content):
    response = client.post("/es/privacidad/solicitud/", REQUEST, follow=True)
    with translation.override("es"):
        spanish_date = clinic_date(DataRequest.objects.get().answer_by, "day_year")
    assert " de " in spanish_date  # "miércoles 23 de diciembre de 2026"
    assert spanish_date in page_text(response)


def test_a_request_with_mistakes_is_explained_and_keeps_what_was_typed(client, booking_rules, clinic_content):
    response = client.post(
        "/privacy/request/",
        {**REQUEST, "kind": "", "email": "ana.lopez@", "details": "x" * 2001},
    )

    assert response.status_code == 400
    text = page_text(response)
    assert text.lstrip().startswith("Error:")
    assert "There is a problem" in text
    assert "Choose what you would like to ask for" in text
    assert "Enter an email address in the correct format, like name@example.com" in text
    assert "Your details must be 2,000 characters or fewer" in text
    page = response.content.decode()
    assert 'href="#id_kind_0"' in page and 'href="#id_email"' in page
    assert 'value="Ana López Ramírez"' in page and 'value="ana.lopez@"' in page
    assert 'aria-describedby="id_email-hint id_email-error"' in page
    assert DataRequest.objects.count() == 0


def test_a_bot_that_fills_the_hidden_field_is_refused_kindly(client, booking_rules, clinic_content):
    page = client.get("/privacy/request/").content.decode()
    assert '<div class="trap" aria-hidden="true">' in page

    response = client.post("/privacy/request/", {**REQUEST, "website": "http://spam.example"})

    assert response.status_code == 400
    assert "We could not accept this form" in page_text(response)
    assert DataRequest.objects.count() == 0


def test_too_many_requests_from_one_address_get_a_friendly_page(client, booking_rules, clinic_content):
    for n in range(5):
        assert client.post("/privacy/request/", {**REQUEST, "email": f"person{n}@example.com"}).status_code == 302

    response = client.post("/privacy/request/", REQUEST)

    assert response.status_code == 429
    assert "Too many requests" in page_text(response)
    assert "This request has not been sent" in page_text(response)
    assert DataRequest.objects.count() == 5


def test_the_patients_details_never_appear_in_a_url_or_the_clinics_email(
    client, booking_rules, clinic_content, run_worker, mailoutbox
):
    response = client.post("/privacy/request/", REQUEST, follow=True)
    urls = [url for url, _status in response.redirect_chain]
    assert urls == ["/privacy/request/received/"]

    run_worker()

    [message] = mailoutbox
    data_request = DataRequest.objects.get()
    assert message.to == [clinic_address()]
    assert "Delete my data" in message.subject
    assert f"/admin/privacy/datarequest/{data_request.pk}/change/" in message.body
    for private in ("Ana", "López", "ana.lopez@example.com", "6641234567", "664 123 4567", "delete everything"):
        assert all(private not in url for url in urls)
        assert private not in message.subject + message.body


def test_the_clinics_notice_is_retried_while_the_mail_server_is_down(booking_rules, monkeypatch, mailoutbox):
    data_request = DataRequest.objects.create(kind=DataRequest.Kind.ACCESS, full_name="Ana", email="ana@example.com")
    notice = ClinicNotice.objects.create(data_request=data_request)

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    assert notify_clinic_of_data_request.call(notice.pk) == "retrying"
    [retry] = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path="privacy.tasks.notify_clinic_of_data_request"
    )
    assert retry.run_after > timezone.now()
    assert retry.args_kwargs["args"] == [notice.pk]

    monkeypatch.undo()
    assert notify_clinic_of_data_request.call(notice.pk) == "sent"
    assert len(mailoutbox) == 1
    assert notify_clinic_of_data_request.call(notice.pk) == "nothing to send"


# Data requests in the admin


def make_request(kind, days_ago, **fields):
    return DataRequest.objects.create(
        **{"full_name": "Ana López", "email": "ana@example.com", **fields},
        kind=kind, received_at=timezone.now() - timedelta(days=days_ago),
    )


def listed(response):
    """The text of the admin's list of results, without the filters beside it."""
    return page_text(response).split("Filter")[0]


def test_the_admin_lists_overdue_requests_first_and_says_by_how_much(admin_client, db):
    overdue = make_request(DataRequest.Kind.ACCESS, days_ago=40)
    make_request(DataRequest.Kind.CANCELLATION, days_ago=1)
    make_request(DataRequest.Kind.OPPOSITION, days_ago=60, status=DataRequest.Status.ANSWERED)
    late_by = (timezone.localdate() - overdue.answer_by).days

    everything = listed(admin_client.get("/admin/privacy/datarequest/"))
    assert f"Overdue by {late_by} days" in everything
    assert re.search(r"\d+ days left", everything)
    assert everything.index("See the data the clinic holds about me") < everything.index("Delete my data")

    only_overdue = listed(admin_client.get("/admin/privacy/datarequest/?deadline=overdue"))
    assert "See the data the clinic holds about me" in only_overdue
    assert "Delete my data" not in only_overdue
    assert "Stop using my data for a purpose" not in only_overdue


def test_staff_find_a_request_by_name_or_email(admin_client, db):
    make_request(DataRequest.Kind.ACCESS, days_ago=1, full_name="Beatriz Soto", email="bea@example.com")
    make_request(DataRequest.Kind.CANCELLATION, days_ago=1)
    found = listed(admin_client.get("/admin/privacy/datarequest/?q=bea@example.com"))
    assert "See the data the clinic holds about me" in found and "Delete my data" not in found
    found = listed(admin_client.get("/admin/privacy/datarequest/?q=Soto"))
    assert "See the data the clinic holds about me" in found and "Delete my data" not in found


def test_marking_requests_answered_records_when_and_who(admin_client, admin_user, db):
    first = make_request(DataRequest.Kind.ACCESS, days_ago=3)
    second = make_request(DataRequest.Kind.RECTIFICATION, days_ago=2)

    response = admin_client.post(
        "/admin/privacy/datarequest/", {"action": "mark_answered", "_selected_action": [first.pk, second.pk]}
    )

    assert response.status_code == 302
    for data_request in (first, second):
        data_request.refresh_from_db()
        assert data_request.status == DataRequest.Status.ANSWERED
        assert data_request.answered_by == admin_user
        assert timezone.now() - data_request.answered_at < timedelta(minutes=1)
    assert "Marked 2 requests as answered." in page_text(admin_client.get(response["Location"]))


def test_reception_can_answer_requests(client, db):
    desk = staff_member("desk", RECEPTION)
    client.force_login(desk)
    data_request = make_request(DataRequest.Kind.ACCESS, days_ago=3)

    client.post("/admin/privacy/datarequest/", {"action": "mark_answered", "_selected_action": [data_request.pk]})

    data_request.refresh_from_db()
    assert data_request.answered_by == desk


def test_a_new_version_starts_from_the_text_of_the_last(admin_client, booking_rules):
    page = admin_client.get("/admin/privacy/privacynotice/add/")
    assert page.status_code == 200
    assert "How we use your data." in page.content.decode()

    response = admin_client.post(
        "/admin/privacy/privacynotice/add/",
        {"title_en": "Privacy notice", "body_en": "Added as new.", "published_at_0": "", "published_at_1": "", "_save": "Save"},
    )

    assert response.status_code == 302
    assert PrivacyNotice.objects.get(version=2).body == "Added as new."


def test_answering_a_request_in_its_own_form_records_who(admin_client, admin_user, db):
    data_request = make_request(DataRequest.Kind.ACCESS, days_ago=3)
    url = f"/admin/privacy/datarequest/{data_request.pk}/change/"
    assert admin_client.get(url).status_code == 200

    response = admin_client.post(url, {
        "kind": data_request.kind, "status": DataRequest.Status.ANSWERED, "full_name": data_request.full_name,
        "email": data_request.email, "phone": "", "details": "", "staff_notes": "Sent a copy by email.",
    })

    assert response.status_code == 302
    data_request.refresh_from_db()
    assert data_request.answered_by == admin_user and data_request.answered_at is not None
    assert data_request.staff_notes == "Sent a copy by email."


def test_a_scheduled_version_nobody_has_seen_is_corrected_in_place_or_withdrawn(admin_client, booking_rules):
    later = timezone.now() + timedelta(days=10)
    edit_notice(admin_client, PrivacyNotice.objects.get(version=1), "From next month, with a typo.", publish_at=later)
    scheduled = PrivacyNotice.objects.get(version=2)

    edit_notice(admin_client, scheduled, "From next month.", publish_at=scheduled.published_at)

    assert PrivacyNotice.objects.count() == 2
    scheduled.refresh_from_db()
    assert scheduled.body == "From next month."
    assert admin_client.post(f"/admin/privacy/privacynotice/{scheduled.pk}/delete/", {"post": "yes"}).status_code == 302
    assert list(PrivacyNotice.objects.values_list("version", flat=True)) == [1]


def test_the_admin_front_page_shows_open_and_overdue_data_requests(admin_client, db):
    from datetime import timedelta

    from django.utils import timezone

    from privacy.models import DataRequest

    DataRequest.objects.create(kind=DataRequest.Kind.ACCESS, full_name="A", email="a@example.com")
    late = DataRequest.objects.create(kind=DataRequest.Kind.CANCELLATION, full_name="B", email="b@example.com")
    DataRequest.objects.filter(pk=late.pk).update(answer_by=timezone.localdate() - timedelta(days=2))
    content = admin_client.get("/admin/").content.decode()
    assert "2 open requests" in content and "1 past its deadline" in content
