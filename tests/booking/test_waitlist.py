"""The waitlist: joining, being told once when a time opens, booking it first or being told it went."""

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from booking import waitlist
from booking.availability import open_times
from booking.erasure import erase_personal_data
from booking.models import Booking, Closure, WaitlistEmail, WaitlistEntry
from booking.retention import remove_old_personal_data
from booking.services import TimeTaken, book_assessment, cancel_booking, move_booking
from booking.views.waitlist import book_from_the_waitlist
from clinic.clock import clinic_date_of, clinic_today
from privacy.models import DataRequest, PrivacyNotice
from tests.booking.racing import race
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def join_data(first_day, last_day=None, **extra):
    return {
        "patient_name": "Lucía Pérez",
        "phone": "664 555 0101",
        "email": "lucia@example.com",
        "first_day": first_day.isoformat(),
        "last_day": (last_day or first_day).isoformat(),
        "consent": "on",
        "notice": "1",
        **extra,
    }


def entry_for(day, name="Lucía Pérez", phone="+526645550101", email="lucia@example.com", **fields):
    return waitlist.join(
        patient_name=name, phone=phone, email=email, first_day=day, last_day=day,
        privacy_notice=PrivacyNotice.current(), **fields,
    )


def taken_time(**details):
    """The first open time, booked by someone else: the day it falls on has people waiting for it."""
    starts_at = open_times()[0].starts_at
    booking = book_assessment(
        starts_at=starts_at, patient_name="Someone Else", phone="+526641110000", email="else@example.com", **details
    )
    return booking


def offer_url(entry, starts_at, language="en"):
    with translation.override(language):
        return waitlist.offer_path(entry, starts_at)


# Joining.


def test_a_patient_joins_the_waitlist_and_is_emailed_a_private_link(client, booking_rules, mailoutbox, run_worker):
    day = clinic_today() + timedelta(days=3)
    page = client.get(reverse("booking:waitlist_join") + f"?day={day.isoformat()}")
    assert page.status_code == 200
    assert f'value="{day.isoformat()}"' in page.content.decode()

    response = client.post(reverse("booking:waitlist_join"), join_data(day, day + timedelta(days=2), reason="knee"))
    assert response.status_code == 302 and response["Location"] == reverse("booking:waitlist_joined")

    entry = WaitlistEntry.objects.get()
    assert (entry.first_day, entry.last_day, entry.reason) == (day, day + timedelta(days=2), "knee")
    assert str(entry.phone) == "+526645550101" and entry.privacy_notice.version == 1 and entry.consent_given_at
    text = page_text(client.get(reverse("booking:waitlist_joined")))
    assert "You are on the waitlist" in text and "lucia@example.com" in text

    run_worker()
    [message] = mailoutbox
    assert message.to == ["lucia@example.com"] and "waitlist" in message.subject
    assert entry.get_private_url() in message.body
    # The private page: the days, and a way to leave.
    entry_page = client.get(entry.get_private_url())
    assert "Leave the waitlist" in page_text(entry_page) and "no-store" in entry_page["Cache-Control"]


def test_the_choose_time_page_offers_the_waitlist(client, booking_rules, clinic_content):
    assert "No time suits? Join the waitlist" in page_text(client.get("/book/"))


@pytest.mark.parametrize("language, said, not_said", [
    ("en", "We email you when a time opens on your days", "We send your confirmation"),
    ("es", "Te escribimos cuando se libere un horario", "Aquí te enviamos la confirmación"),
])
def test_the_email_field_says_what_the_waitlist_sends(client, booking_rules, language, said, not_said):
    with translation.override(language):
        text = page_text(client.get(reverse("booking:waitlist_join")))
    assert said in text and not_said not in text


def test_joining_in_spanish_keeps_the_language_for_the_emails(client, booking_rules):
    day = clinic_today() + timedelta(days=2)
    with translation.override("es"):
        url = reverse("booking:waitlist_join")
    assert url.startswith("/es/")
    response = client.post(url, join_data(day))
    assert response.status_code == 302
    assert WaitlistEntry.objects.get().language == "es"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"consent": ""}, "Tick the box to agree"),
        ({"first_day": ""}, "Enter the first day you could come"),
        ({"first_day": "2020-01-01"}, "The first day must be today or later"),
        ({"last_day": "tomorrow"}, "Enter the last day as a date"),
        ({"phone": "123"}, "Enter a Mexican or US mobile number"),
    ],
)
def test_a_form_with_a_mistake_says_what_to_do_and_keeps_the_answers(client, booking_rules, change, message):
    day = clinic_today() + timedelta(days=2)
    response = client.post(reverse("booking:waitlist_join"), {**join_data(day), **change})
    assert response.status_code == 400
    text = page_text(response)
    assert text.startswith("Error:") or "Error:" in text.split("·")[0]
    assert "There is a problem" in text and message in text
    assert 'value="Lucía Pérez"' in response.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_days_must_run_forwards_and_stay_within_the_booking_horizon(client, booking_rules):
    day = clinic_today() + timedelta(days=5)
    backwards = client.post(reverse("booking:waitlist_join"), join_data(day, day - timedelta(days=2)))
    assert "The last day must be the same as the first day or after it" in page_text(backwards)
    too_far = client.post(reverse("booking:waitlist_join"), join_data(day, clinic_today() + timedelta(days=60)))
    assert "We book up to" in page_text(too_far)
    assert not WaitlistEntry.objects.exists()


def test_one_phone_or_email_waits_for_a_few_sets_of_days_at_most(client, booking_rules):
    day = clinic_today() + timedelta(days=2)
    for _ in range(waitlist.MAX_WAITING_PER_CONTACT):
        assert client.post(reverse("booking:waitlist_join"), join_data(day)).status_code == 302
    response = client.post(reverse("booking:waitlist_join"), join_data(day, phone="664 555 9999"))
    assert response.status_code == 400 and "the most we keep for one phone or email" in page_text(response)
    assert WaitlistEntry.objects.count() == waitlist.MAX_WAITING_PER_CONTACT


def test_joining_is_rate_limited_like_booking(client, booking_rules):
    day = clinic_today() + timedelta(days=2)
    for number in range(10):
        client.post(reverse("booking:waitlist_join"), join_data(day, email=f"p{number}@example.com",
                                                                phone=f"664 555 01{number:02d}"))
    response = client.post(reverse("booking:waitlist_join"), join_data(day, email="late@example.com"))
    assert response.status_code == 429


def test_the_join_page_takes_the_same_queries_whatever_the_waitlist(client, booking_rules, django_assert_num_queries):
    url = reverse("booking:waitlist_join")
    client.get(url)
    with django_assert_num_queries(4):
        client.get(url)
    for number in range(20):
        entry_for(clinic_today() + timedelta(days=2), email=f"p{number}@example.com", phone=f"+52664555{number:04d}")
    with django_assert_num_queries(4):
        client.get(url)


# Being told.


def test_a_cancellation_tells_the_people_waiting_in_order_once(
    booking_rules, django_capture_on_commit_callbacks, mailoutbox, run_worker
):
    booking = taken_time()
    day = clinic_date_of(booking.starts_at)
    first = entry_for(day, name="First Person", phone="+526645550001", email="first@example.com")
    second = entry_for(day, name="Second Person", phone="+526645550002", email="second@example.com")
    elsewhere = entry_for(day + timedelta(days=1), name="Other Day", phone="+526645550003", email="other@example.com")
    run_worker()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking)

    notices = list(WaitlistEmail.objects.filter(kind=WaitlistEmail.Kind.TIME_OPENED).order_by("pk"))
    assert [notice.entry for notice in notices] == [first, second]
    assert all(notice.starts_at == booking.starts_at for notice in notices)
    assert not elsewhere.emails.filter(kind=WaitlistEmail.Kind.TIME_OPENED).exists()
    run_worker()
    patients = [message for message in mailoutbox if message.to[0] != "clinic@example.com"]
    to_waitlist = [message for message in patients if "A time has opened" in message.subject]
    assert [message.to for message in to_waitlist] == [["first@example.com"], ["second@example.com"]]
    assert offer_url(first, booking.starts_at) in to_waitlist[0].body

    # Booked again and cancelled again: a new opening, so each is told once more, in the same order.
    again = book_assessment(starts_at=booking.starts_at, patient_name="Third", phone="+526641110009",
                            email="third@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(again)
    notices = list(WaitlistEmail.objects.filter(kind=WaitlistEmail.Kind.TIME_OPENED).order_by("pk"))
    assert [notice.entry for notice in notices] == [first, second, first, second]


def test_the_database_refuses_a_second_notice_of_one_time_to_one_entry(booking_rules):
    from django.db import IntegrityError, transaction

    entry = entry_for(clinic_today() + timedelta(days=2))
    starts_at = timezone.now() + timedelta(days=2)
    WaitlistEmail.objects.create(entry=entry, kind=WaitlistEmail.Kind.TIME_OPENED, starts_at=starts_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistEmail.objects.create(entry=entry, kind=WaitlistEmail.Kind.TIME_OPENED, starts_at=starts_at)


def test_a_move_frees_the_old_time_for_the_waitlist(booking_rules, django_capture_on_commit_callbacks):
    booking = taken_time()
    entry = entry_for(clinic_date_of(booking.starts_at))
    later = open_times(first_day=clinic_date_of(booking.starts_at) + timedelta(days=1))[0].starts_at
    with django_capture_on_commit_callbacks(execute=True):
        move_booking(booking, later)
    assert list(entry.emails.filter(kind="time_opened").values_list("starts_at", flat=True)) == [booking.starts_at]


def test_a_change_that_rolls_back_tells_nobody(booking_rules, django_capture_on_commit_callbacks):
    from django.db import transaction

    booking = taken_time()
    entry_for(clinic_date_of(booking.starts_at))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        cancel_booking(booking)
        raise RuntimeError
    assert not WaitlistEmail.objects.filter(kind="time_opened").exists()


def test_a_time_already_open_before_the_change_is_not_news(booking_rules, practitioner, django_capture_on_commit_callbacks):
    # Two practitioners: one booked, the other free, so the time was open all along.
    booking = taken_time()
    entry_for(clinic_date_of(booking.starts_at))
    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking)
    assert not WaitlistEmail.objects.filter(kind="time_opened").exists()


def test_deleting_a_closure_in_the_admin_tells_the_waitlist(admin_client, booking_rules, django_capture_on_commit_callbacks):
    day = clinic_today() + timedelta(days=4)
    closure = Closure.objects.create(first_day=day, last_day=day, reason="Training")
    entry = entry_for(day)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:booking_closure_delete", args=[closure.pk]), {"post": "yes"})
    assert response.status_code == 302
    [notice] = entry.emails.filter(kind="time_opened")
    assert clinic_date_of(notice.starts_at) == day


def test_shortening_a_closure_in_the_admin_tells_those_waiting_for_the_freed_days(
    admin_client, booking_rules, django_capture_on_commit_callbacks
):
    day = clinic_today() + timedelta(days=4)
    closure = Closure.objects.create(first_day=day, last_day=day + timedelta(days=1), reason="Leave")
    freed, still_closed = entry_for(day), entry_for(day + timedelta(days=1), email="b@example.com", phone="+526645550109")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:booking_closure_change", args=[closure.pk]), {
            "first_day": (day + timedelta(days=1)).isoformat(), "last_day": (day + timedelta(days=1)).isoformat(),
            "reason": "Leave", "practitioner": "",
        })
    closure.refresh_from_db()
    assert closure.first_day == day + timedelta(days=1)
    assert freed.emails.filter(kind="time_opened").count() == 1
    assert not still_closed.emails.filter(kind="time_opened").exists()


def test_a_notice_for_a_time_taken_before_it_goes_out_is_not_sent(booking_rules, mailoutbox, run_worker,
                                                                   django_capture_on_commit_callbacks):
    booking = taken_time()
    entry_for(clinic_date_of(booking.starts_at))
    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking)
    book_assessment(starts_at=booking.starts_at, patient_name="Quick", phone="+526641110008", email="q@example.com")
    run_worker()
    notice = WaitlistEmail.objects.get(kind="time_opened")
    assert notice.overtaken_at is not None and notice.sent_at is None
    assert not [message for message in mailoutbox if "A time has opened" in message.subject]


# Booking the time that opened.


def opened_for_two(django_capture_on_commit_callbacks):
    booking = taken_time()
    day = clinic_date_of(booking.starts_at)
    first = entry_for(day, name="First Person", phone="+526645550001", email="first@example.com", reason="shin")
    second = entry_for(day, name="Second Person", phone="+526645550002", email="second@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking)
    return booking.starts_at, first, second


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_first_to_book_gets_the_time_and_the_second_is_told_it_was_taken(
    client, booking_rules, django_capture_on_commit_callbacks, language
):
    starts_at, first, second = opened_for_two(django_capture_on_commit_callbacks)

    offer = client.get(offer_url(first, starts_at, language))
    assert offer.status_code == 200
    with translation.override(language):
        assert translation.gettext("Book this time") in page_text(offer)
    response = client.post(offer_url(first, starts_at, language))
    with translation.override(language):
        assert response.status_code == 302 and response["Location"] == reverse("booking:confirmation")
    booking = Booking.objects.active().get(starts_at=starts_at)
    assert booking.patient_name == "First Person" and booking.reason == "shin" and booking.language == language
    first.refresh_from_db()
    assert first.closed_why == WaitlistEntry.Closed.BOOKED and first.booking == booking
    assert booking.reference in page_text(client.get(response["Location"]))

    other = client.__class__()
    taken = other.post(offer_url(second, starts_at, language))
    assert taken.status_code == 409
    if language == "en":
        text = page_text(taken)
        assert "Someone booked that time first" in text and "You are still on the waitlist" in text
    assert Booking.objects.active().filter(starts_at=starts_at).count() == 1
    second.refresh_from_db()
    assert second.closed_at is None


def test_someone_already_holding_two_bookings_is_told_so_on_the_offer_and_keeps_waiting(
    client, booking_rules, clinic, django_capture_on_commit_callbacks
):
    starts_at, first, _second = opened_for_two(django_capture_on_commit_callbacks)
    for later in open_times()[-2:]:
        book_assessment(starts_at=later.starts_at, patient_name="First Person", phone="+526645550001",
                        email="first@example.com")

    response = client.post(offer_url(first, starts_at))

    assert response.status_code == 400
    text = page_text(response)
    assert "There is a problem" in text and "You already have 2 upcoming assessments with us" in text
    assert clinic.phone_link in response.content.decode()
    assert not Booking.objects.active().filter(starts_at=starts_at).exists()
    first.refresh_from_db()
    assert first.closed_at is None


def test_the_waitlist_emails_greet_by_every_given_name(booking_rules, mailoutbox, run_worker):
    entry_for(clinic_today() + timedelta(days=3), name="María Fernanda López")
    run_worker()
    assert "María Fernanda," in mailoutbox[0].body


def test_book_this_time_sent_twice_books_once(client, booking_rules, django_capture_on_commit_callbacks):
    starts_at, first, _second = opened_for_two(django_capture_on_commit_callbacks)
    client.post(offer_url(first, starts_at))
    again = client.post(offer_url(first, starts_at))
    assert again.status_code == 302 and again["Location"] == reverse("booking:confirmation")
    assert Booking.objects.filter(patient_name="First Person").count() == 1


def test_a_newer_privacy_notice_is_agreed_to_before_booking(client, booking_rules, django_capture_on_commit_callbacks):
    starts_at, first, _second = opened_for_two(django_capture_on_commit_callbacks)
    newer = PrivacyNotice.objects.create(version=2, title="Privacy notice", body="New.",
                                         published_at=timezone.now() - timedelta(minutes=1))
    assert "updated its privacy notice" in page_text(client.get(offer_url(first, starts_at)))
    refused = client.post(offer_url(first, starts_at))
    assert refused.status_code == 400 and "Tick the box to agree" in page_text(refused)
    client.post(offer_url(first, starts_at), {"consent": "on", "submission": "waitlist"})
    assert Booking.objects.active().get(starts_at=starts_at).privacy_notice == newer


def test_a_time_outside_the_entrys_days_is_not_found(client, booking_rules):
    entry = entry_for(clinic_today() + timedelta(days=2))
    other_day = open_times(first_day=clinic_today() + timedelta(days=5))[0].starts_at
    assert client.get(offer_url(entry, other_day)).status_code == 404
    assert client.get(f"/book/waitlist/{entry.token}/not-a-time/").status_code == 404


def test_leaving_the_waitlist_asks_first_then_stops_the_emails(client, booking_rules, django_capture_on_commit_callbacks):
    booking = taken_time()
    entry = entry_for(clinic_date_of(booking.starts_at))
    leave_url = reverse("booking:waitlist_leave", kwargs={"token": entry.token})
    assert "Yes, leave the waitlist" in page_text(client.get(leave_url))
    response = client.post(leave_url, follow=True)
    assert "You have left the waitlist" in page_text(response)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking)
    assert not WaitlistEmail.objects.filter(kind="time_opened").exists()
    assert client.get(offer_url(entry, booking.starts_at)).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_the_race_for_an_opened_time_gives_one_booking(booking_rules):
    starts_at = open_times()[0].starts_at
    day = clinic_date_of(starts_at)
    entries = [entry_for(day, name=f"Patient {n}", phone=f"+5266455{n:05d}", email=f"p{n}@example.com") for n in range(8)]
    notice = PrivacyNotice.current()

    def attempt(entry):
        book_from_the_waitlist(entry, starts_at, privacy_notice=notice, language="en")
        return "booked"

    outcomes = race(attempt, [(entry,) for entry in entries], {TimeTaken: "taken"})
    assert outcomes == Counter({"booked": 1, "taken": len(entries) - 1}), outcomes
    assert Booking.objects.filter(starts_at=starts_at).count() == 1
    assert WaitlistEntry.objects.filter(closed_why="booked").count() == 1


# Ending: expiry, retention, erasure; and staff.


def test_entries_past_their_last_day_expire_and_are_deleted_within_the_retention_period(booking_rules):
    old = entry_for(clinic_today() + timedelta(days=1))
    WaitlistEntry.objects.filter(pk=old.pk).update(first_day=clinic_today() - timedelta(days=60),
                                                   last_day=clinic_today() - timedelta(days=50))
    recent = entry_for(clinic_today() + timedelta(days=1), email="r@example.com", phone="+526645550111")
    WaitlistEntry.objects.filter(pk=recent.pk).update(first_day=clinic_today() - timedelta(days=3),
                                                      last_day=clinic_today() - timedelta(days=1))
    waiting = entry_for(clinic_today() + timedelta(days=1), email="w@example.com", phone="+526645550112")

    remove_old_personal_data()

    assert not WaitlistEntry.objects.filter(pk=old.pk).exists()
    assert not WaitlistEmail.objects.filter(entry_id=old.pk).exists()
    # Ended yesterday: marked expired, and kept a month for the patient's link to say so.
    recent.refresh_from_db()
    assert recent.closed_why == WaitlistEntry.Closed.EXPIRED
    waiting.refresh_from_db()
    assert waiting.closed_at is None


def test_a_data_request_to_delete_removes_the_persons_waitlist_entries(booking_rules, admin_user):
    entry = entry_for(clinic_today() + timedelta(days=2))
    other = entry_for(clinic_today() + timedelta(days=2), email="other@example.com", phone="+526645550199")
    data_request = DataRequest.objects.create(
        kind=DataRequest.Kind.CANCELLATION, full_name="Lucía Pérez", email="LUCIA@example.com", phone="",
    )
    done = erase_personal_data(data_request, by=admin_user)
    assert done.erasure_report["waitlist_entries"] == 1
    assert not WaitlistEntry.objects.filter(pk=entry.pk).exists()
    assert WaitlistEntry.objects.filter(pk=other.pk).exists()


def test_reception_sees_who_waits_and_what_was_sent_but_changes_nothing(reception, django_capture_on_commit_callbacks):
    booking = taken_time()
    entry = entry_for(clinic_date_of(booking.starts_at))
    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking)
    listing = reception.get(reverse("admin:booking_waitlistentry_changelist"))
    assert listing.status_code == 200 and "Lucía Pérez" in page_text(listing)
    detail = reception.get(reverse("admin:booking_waitlistentry_change", args=[entry.pk]))
    assert detail.status_code == 200 and "A time opened" in page_text(detail)
    assert not re.search(r'name="_save"', detail.content.decode())
    assert reception.get(reverse("admin:booking_waitlistentry_add")).status_code == 403
