"""A patient moving their own booking from its private link, through the service staff use."""

from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar
from pytest_django.asserts import assertContains, assertNotContains

from booking.availability import open_times
from booking.models import Booking, BookingSettings, OutgoingEmail
from booking.services import TimeNotOpen, TimeTaken, TooLateToChange, move_booking
from clinic.clock import CLINIC_TZ
from team.models import Practitioner
from tests.booking.racing import race
from tests.booking.test_admin_reception import make_booking
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def new_booking(starts_at, status=Booking.Status.CONFIRMED, practitioner=None, **fields):
    """A booking written straight to the database, confirmed unless said otherwise."""
    return make_booking(starts_at, status, practitioner=practitioner or Practitioner.objects.first(), **fields)


def url(name, booking, language="en"):
    with translation.override(language):
        return reverse(f"booking:{name}", kwargs={"token": booking.token})


@pytest.fixture
def times(booking_rules, clinic):
    """Open times three days ahead and more: past the minimum notice and the cut-off."""
    soon = timezone.now() + timedelta(days=3)
    return [t.starts_at for t in open_times() if t.starts_at > soon]


@pytest.fixture
def booking(times):
    return new_booking(times[0])


def local(moment):
    return timezone.localtime(moment, CLINIC_TZ)


def test_the_manage_page_offers_to_change_the_time_instead_of_cancelling_and_booking_again(client, booking):
    response = client.get(url("manage", booking))
    assertContains(response, f'href="{url("move", booking)}"')
    assert "Change the time" in page_text(response)
    assert "cancel this booking and choose another" not in page_text(response)


def test_the_move_page_lists_days_then_times_without_the_time_already_held(client, booking, times):
    response = client.get(url("move", booking))
    text = page_text(response)
    assert "Choose a new day" in text and "It stays yours until you confirm a new time." in text
    assert response["Cache-Control"] == "no-store, private"

    day = local(booking.starts_at).date()
    response = client.get(url("move", booking) + f"?day={day.isoformat()}")
    values = {t.starts_at.isoformat() for t in open_times() if local(t.starts_at).date() == day}
    assertNotContains(response, f'value="{booking.starts_at.isoformat()}"')
    for value in values - {local(booking.starts_at).isoformat()}:
        assertContains(response, f'value="{value}"')


def test_the_move_page_costs_the_same_queries_however_many_bookings_the_month_holds(
    client, booking, times, django_assert_num_queries
):
    with django_assert_num_queries(9):
        client.get(url("move", booking))
    for starts_at in times[5:40]:
        new_booking(starts_at, patient_name="Someone else")
    with django_assert_num_queries(9):
        client.get(url("move", booking))


def test_choosing_nothing_says_what_to_do(client, booking):
    day = local(booking.starts_at).date().isoformat()
    response = client.post(url("move", booking), {"day": day})
    assert response.status_code == 400
    text = page_text(response)
    assert "There is a problem" in text and "Choose a time" in text
    assert response.content.decode().count("<title>Error:") == 1


def test_choosing_a_time_asks_before_anything_moves(client, booking, times):
    new_time = times[3]
    response = client.post(url("move", booking), {"day": local(new_time).date().isoformat(),
                                                   "starts_at": local(new_time).isoformat()})
    assert response.status_code == 302
    page = client.get(response["Location"])
    text = page_text(page)
    assert "Move your assessment from" in text and "Yes, move my assessment" in text
    booking.refresh_from_db()
    assert booking.starts_at == times[0] and booking.sequence == 0 and not booking.emails.exists()


def test_moving_takes_the_new_time_frees_the_old_and_shows_a_success_panel(client, booking, times):
    old_time, new_time = booking.starts_at, times[5]

    response = client.post(url("move_check", booking), {"starts_at": local(new_time).isoformat()})

    assert response.status_code == 302 and response["Location"] == url("manage", booking)
    booking.refresh_from_db()
    assert booking.starts_at == new_time and booking.status == Booking.Status.CONFIRMED and booking.sequence == 1
    assert sorted(booking.emails.values_list("kind", flat=True)) == ["changed", "clinic_changed"]
    still_open = [t.starts_at for t in open_times()]
    assert old_time in still_open and new_time not in still_open
    text = page_text(client.get(response["Location"]))
    assert "Your assessment is moved to" in text and "We have emailed you the new time." in text


def test_the_patient_gets_one_changed_email_with_the_calendar_moved(client, booking, times, run_worker, mailoutbox):
    # A confirmation and a reminder for the old time still wait to go out (the mail server was down).
    OutgoingEmail.objects.create(booking=booking, kind=OutgoingEmail.Kind.CONFIRMED).enqueue()
    Booking.objects.filter(pk=booking.pk).update(reminded_for=booking.starts_at)
    OutgoingEmail.objects.create(booking=booking, kind=OutgoingEmail.Kind.REMINDER).enqueue()

    client.post(url("move_check", booking), {"starts_at": local(times[5]).isoformat()})
    run_worker()

    [message] = [m for m in mailoutbox if m.to == ["ana@example.com"]]
    assert "Your assessment has moved to" in message.body
    [ics] = [a for a in message.attachments if a.filename.endswith(".ics")]
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert int(event["SEQUENCE"]) == 1 and event.decoded("DTSTART") == times[5]
    overtaken = set(booking.emails.filter(overtaken_at__isnull=False).values_list("kind", flat=True))
    assert overtaken == {"confirmed", "reminder"}


def test_the_clinic_is_told_in_english_when_a_patient_moves_or_cancels_online(
    client, booking, times, run_worker, mailoutbox
):
    Booking.objects.filter(pk=booking.pk).update(language="es")
    client.post(url("move_check", booking, "es"), {"starts_at": local(times[5]).isoformat()})
    client.post(url("cancel", booking, "es"))
    run_worker()

    to_clinic = [message for message in mailoutbox if message.to != ["ana@example.com"]]
    moved, cancelled = sorted(to_clinic, key=lambda message: message.subject.startswith("Cancelled"))
    assert moved.subject.startswith(f"Moved by the patient {booking.reference}: now ")
    assert "The new time is theirs; the old one is free again." in moved.body and "Ana López" in moved.body
    assert cancelled.subject.startswith(f"Cancelled by the patient {booking.reference}")
    assert "Price:" not in cancelled.body
    assert moved.reply_to == ["ana@example.com"]


def test_the_desk_moving_or_cancelling_tells_only_the_patient(booking, times):
    from booking.services import cancel_booking, move_booking

    moved = move_booking(booking, times[5])
    cancel_booking(moved, cancelled_by=Booking.CancelledBy.PATIENT)  # the patient phoned the desk

    assert sorted(moved.emails.values_list("kind", flat=True)) == ["cancelled", "changed"]


def test_a_time_taken_in_the_meantime_keeps_the_old_one_and_asks_to_pick_again(client, booking, times):
    new_time = times[5]
    check = client.get(url("move_check", booking) + f"?starts_at={local(new_time).isoformat()}")
    assert check.status_code == 200
    new_booking(new_time, patient_name="Berta Soto", email="berta@example.com")  # someone else books it first

    response = client.post(url("move_check", booking), {"starts_at": local(new_time).isoformat()}, follow=True)

    booking.refresh_from_db()
    assert booking.starts_at == times[0] and booking.sequence == 0 and not booking.emails.exists()
    text = page_text(response)
    assert "That time was just taken. Your assessment is still on" in text and "Choose another time." in text
    assert response.redirect_chain[-1][0].startswith(url("move", booking) + "?day=")
    assert times[0] in [t.starts_at for t in open_times(ignore_bookings=True)]
    assert Booking.objects.filter(starts_at=new_time).count() == 1


def test_past_the_cut_off_the_patient_is_asked_to_call_or_message(client, booking, times):
    BookingSettings.objects.update(cancellation_cutoff_hours=24 * 30)
    response = client.get(url("move", booking))
    text = page_text(response)
    assert "can no longer be changed online" in text and "Change the time" not in text
    assertContains(response, 'href="tel:')
    assertContains(response, "https://wa.me/")

    response = client.post(url("move_check", booking), {"starts_at": local(times[5]).isoformat()})
    assert response.status_code == 409
    booking.refresh_from_db()
    assert booking.starts_at == times[0] and not booking.emails.exists()


def test_a_cancelled_booking_cannot_be_moved(client, booking, times):
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)
    response = client.post(url("move_check", booking), {"starts_at": local(times[5]).isoformat()})
    assert response.status_code == 409
    booking.refresh_from_db()
    assert booking.starts_at == times[0]


def test_a_time_that_is_not_open_is_refused_on_the_check_page(client, booking, times):
    three_am = local(times[0]).replace(hour=3)
    response = client.get(url("move_check", booking) + f"?starts_at={three_am.isoformat()}", follow=True)
    assert "That time is no longer open. Choose another time." in page_text(response)
    response = client.get(url("move_check", booking) + "?starts_at=nonsense", follow=True)
    assert "Choose the new time for your assessment." in page_text(response)


def test_the_move_pages_are_in_spanish_under_es(client, booking, times):
    assert url("move", booking, "es").startswith("/es/reservar/mi-cita/")
    response = client.get(url("move", booking, "es"))
    assertContains(response, '<html lang="es')
    assert "Elige un nuevo día" in page_text(response)
    check = client.get(url("move_check", booking, "es") + f"?starts_at={local(times[5]).isoformat()}")
    text = page_text(check)
    assert "¿Cambiar tu valoración del" in text
    response = client.post(url("move_check", booking, "es"), {"starts_at": local(times[5]).isoformat()}, follow=True)
    assert "Tu valoración cambió al" in page_text(response)


# The service: the online rules for a patient, the staff's for staff.


def test_a_patient_is_held_to_the_minimum_notice_staff_are_not(booking):
    # A notice of two weeks: whatever the hour the test runs, open times lie inside it.
    BookingSettings.objects.update(minimum_notice_hours=14 * 24)
    inside_notice = [t.starts_at for t in open_times(for_staff=True)
                     if t.starts_at < timezone.now() + timedelta(days=14) and t.starts_at != booking.starts_at]
    with pytest.raises(TimeNotOpen):
        move_booking(booking, inside_notice[0], by_patient=True)
    assert move_booking(booking, inside_notice[0]).starts_at == inside_notice[0]


def test_a_patient_cannot_move_past_the_horizon(booking):
    BookingSettings.objects.update(horizon_days=5)
    far = booking.starts_at + timedelta(days=10)
    with pytest.raises(TimeNotOpen):
        move_booking(booking, far, by_patient=True)


def test_the_cut_off_applies_to_the_time_held_not_the_new_one(times):
    now = timezone.now()
    soon = new_booking(now + timedelta(hours=20))
    with pytest.raises(TooLateToChange):
        move_booking(soon, times[5], by_patient=True, now=now)
    soon.refresh_from_db()
    assert soon.sequence == 0


def test_a_patient_keeps_their_practitioner_when_free_and_gets_another_when_not(booking, times):
    soto = Practitioner.objects.create(name="Lic. Soto", position=2)
    ruiz = booking.practitioner
    assert move_booking(booking, times[6], by_patient=True).practitioner_id == ruiz.pk

    new_booking(times[8], practitioner=ruiz, patient_name="Berta")
    moved = move_booking(booking, times[8], by_patient=True)
    assert moved.practitioner_id == soto.pk and moved.starts_at == times[8]


def test_staff_still_move_only_with_the_same_practitioner(booking, times):
    Practitioner.objects.create(name="Lic. Soto", position=2)
    new_booking(times[8], patient_name="Berta")
    with pytest.raises(TimeTaken):
        move_booking(booking, times[8])


def test_moving_clears_the_patients_answer_to_the_old_times_reminder(booking, times):
    Booking.objects.filter(pk=booking.pk).update(patient_confirmed_at=timezone.now())
    booking.refresh_from_db()
    moved = move_booking(booking, times[5], by_patient=True)
    assert moved.patient_confirmed_at is None


# Fifty patients, each with their own booking, moving to the one free time at once.

MOVERS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_patients_moving_to_one_free_time_give_one_move_and_forty_nine_kept_times(booking_rules):
    soon = timezone.now() + timedelta(days=2)
    free = [t.starts_at for t in open_times() if t.starts_at > soon]
    target, held = free[-1], free[:MOVERS]
    bookings = [new_booking(starts_at, email=f"patient{n}@example.com") for n, starts_at in enumerate(held)]

    def attempt(booking):
        move_booking(booking, target, by_patient=True)
        return "moved"

    outcomes = race(attempt, [(booking,) for booking in bookings], {TimeTaken: "taken"})

    assert outcomes == Counter({"moved": 1, "taken": MOVERS - 1})
    [winner] = Booking.objects.filter(starts_at=target)
    assert winner.sequence == 1 and sorted(winner.emails.values_list("kind", flat=True)) == ["changed", "clinic_changed"]
    held_by = {booking.pk: booking.starts_at for booking in bookings}
    kept = Booking.objects.exclude(pk=winner.pk)
    assert kept.count() == MOVERS - 1
    assert all(booking.starts_at == held_by[booking.pk] and booking.sequence == 0 for booking in kept)
    assert not OutgoingEmail.objects.exclude(booking=winner).exists()
    assert held_by[winner.pk] in [t.starts_at for t in open_times()]  # the winner's old time is free again


@pytest.mark.parametrize("value", ["9999-12-31T23:59:00-12:00", "0001-01-01T00:00:00+14:00"])
def test_a_time_past_the_ends_of_the_calendar_is_asked_for_again_not_a_server_error(client, booking, value):
    for response in (client.get(url("move_check", booking), {"starts_at": value}),
                     client.post(url("move_check", booking), {"starts_at": value})):
        assert response.status_code == 302 and response["Location"].endswith(url("move", booking))
    assert client.post("/book/", {"starts_at": value}).status_code == 400  # "Choose a time", by the field
