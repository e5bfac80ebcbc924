"""The front desk's actions on a booking: each does what it says, sends exactly its email, and keeps what was typed."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from booking.availability import open_times
from booking.models import Booking, OutgoingEmail
from booking.services import TimeTaken, move_booking
from clinic_site.staff_groups import CLINIC_EDITORS
from team.models import Practitioner
from tests.booking.test_admin_reception import (
    ANY_DATE,
    BOOKINGS,
    TIJUANA,
    at,
    email_kinds,
    make_booking,
    select,
    slot,
)
from tests.helpers import page_text, staff_member

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9"}
LANGUAGES = [pytest.param({}, id="english"), pytest.param(SPANISH, id="spanish")]


def is_chosen(response, tag, value):
    """Whether the <input> or <option> of `value` is the one chosen on the page."""
    element = next(part for part in response.content.decode().split(f"<{tag}") if f'value="{value}"' in part)
    return ("checked" if tag == "input" else "selected") in element.split(">")[0]


def day_value(starts_at):
    return starts_at.astimezone(TIJUANA).date().isoformat()


def typed_on_the_page(booking, **changes):
    """The booking page's form as posted, with `changes` typed over what it shows."""
    return {
        "patient_name": booking.patient_name,
        "phone": str(booking.phone),
        "email": booking.email,
        "language": booking.language,
        "condition": booking.condition_id or "",
        "note": booking.note,
        "_from_booking_page": "1",
        **changes,
    }


@pytest.fixture
def soto(desk):
    return Practitioner.objects.create(name="Lic. Soto", position=2)


# The booking's page: nothing looks editable unless saving it does something.


def test_the_reason_given_to_the_patient_is_only_typed_on_the_decline_page(reception, tomorrow):
    booking = make_booking(at(tomorrow, 9))

    page = reception.get(f"{BOOKINGS}{booking.pk}/change/")
    assertNotContains(page, 'name="decline_reason"')
    assertNotContains(page, 'name="cancellation_reason"')
    reception.post(f"{BOOKINGS}{booking.pk}/change/", {**typed_on_the_page(booking), "decline_reason": "Away."})

    booking.refresh_from_db()
    assert booking.decline_reason == "" and booking.status == Booking.Status.REQUESTED


def test_the_buttons_submit_the_booking_form(reception, tomorrow):
    booking = make_booking(at(tomorrow, 9))
    page = reception.get(f"{BOOKINGS}{booking.pk}/change/")
    assertContains(page, f'form="booking_form" formaction="{BOOKINGS}{booking.pk}/confirm/"')
    assertContains(page, f'form="booking_form" formaction="{BOOKINGS}{booking.pk}/cancel/"')


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_note_typed_then_confirm_keeps_the_note_and_sends_one_confirmation(reception, tomorrow, language):
    booking = make_booking(at(tomorrow, 9))

    response = reception.post(f"{BOOKINGS}{booking.pk}/confirm/",
                              typed_on_the_page(booking, note="Bring last MRI"), **language)

    assert response.status_code == 302 and response["Location"] == f"{BOOKINGS}{booking.pk}/change/"
    booking.refresh_from_db()
    assert booking.note == "Bring last MRI" and booking.status == Booking.Status.CONFIRMED
    assert email_kinds(booking) == ["confirmed"]
    if not language:
        text = page_text(reception.get(response["Location"]))
        assert "Saved your changes to Note." in text and "Confirmed 1 booking; the patient is emailed." in text
        assert booking.history.filter(note="Bring last MRI", status=Booking.Status.REQUESTED).exists()


def test_confirm_with_nothing_typed_says_only_that_it_confirmed(reception, tomorrow):
    booking = make_booking(at(tomorrow, 9), phone="+526641234567")

    response = reception.post(f"{BOOKINGS}{booking.pk}/confirm/", typed_on_the_page(booking), follow=True)

    text = page_text(response)
    assert "Confirmed 1 booking; the patient is emailed." in text and "Saved your changes" not in text


def test_a_note_typed_then_decline_is_kept_and_the_decline_page_opens(reception, tomorrow):
    booking = make_booking(at(tomorrow, 9))

    response = reception.post(f"{BOOKINGS}{booking.pk}/decline/", typed_on_the_page(booking, note="Called twice"))

    assert response.status_code == 302 and response["Location"] == f"{BOOKINGS}{booking.pk}/decline/"
    booking.refresh_from_db()
    assert booking.note == "Called twice" and booking.status == Booking.Status.REQUESTED
    assert not booking.emails.exists()


def test_a_mistyped_phone_then_confirm_does_nothing_and_keeps_what_was_typed(reception, tomorrow):
    booking = make_booking(at(tomorrow, 9))

    response = reception.post(f"{BOOKINGS}{booking.pk}/confirm/",
                              typed_on_the_page(booking, phone="12", note="Bring last MRI"))

    assert response.status_code == 200
    assertContains(response, "Nothing was done yet: correct the errors below, then press the button again.")
    assertContains(response, "Bring last MRI")
    assertContains(response, f'action="{BOOKINGS}{booking.pk}/change/"')
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED and booking.note == "" and not booking.emails.exists()


# Cancel: a page that asks who cancels and why.


@pytest.mark.parametrize("language", LANGUAGES)
def test_cancel_asks_to_confirm_and_changes_nothing_until_then(reception, tomorrow, language):
    booking = make_booking(at(tomorrow, 9), status=Booking.Status.CONFIRMED)

    page = reception.get(f"{BOOKINGS}{booking.pk}/cancel/", **language)
    assert page.status_code == 200 and booking.reference in page_text(page)
    assertContains(page, 'name="cancelled_by"')
    assertContains(page, 'name="reason"')
    # A bare POST, as a "Cancel booking" button elsewhere sends, only opens the question.
    asked = reception.post(f"{BOOKINGS}{booking.pk}/cancel/", {}, **language)
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    assert "errorlist" not in asked.content.decode()

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and not booking.emails.exists()
    if language:
        assertContains(page, '<html lang="es"')


def test_the_cancel_page_says_what_is_missing(reception, tomorrow):
    booking = make_booking(at(tomorrow, 9), status=Booking.Status.CONFIRMED)
    response = reception.post(f"{BOOKINGS}{booking.pk}/cancel/", {"reason": "Flu"})
    assertContains(response, "Choose who is cancelling: the patient or the clinic.")
    assertContains(response, "Flu")  # what was typed stays
    response = reception.post(f"{BOOKINGS}{booking.pk}/cancel/", {"cancelled_by": "patient"})
    assertContains(response, "Enter the reason for cancelling.")


@pytest.mark.parametrize("language", LANGUAGES)
def test_cancelling_records_who_why_when_and_emails_the_patient(reception, language, run_worker, mailoutbox):
    booking = make_booking(timezone.now() + timedelta(hours=48), status=Booking.Status.CONFIRMED)

    response = reception.post(f"{BOOKINGS}{booking.pk}/cancel/",
                              {"cancelled_by": "patient", "reason": "Has the flu"}, **language)

    assert response.status_code == 302 and response["Location"] == f"{BOOKINGS}{booking.pk}/change/"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.cancelled_by == Booking.CancelledBy.PATIENT and booking.cancellation_reason == "Has the flu"
    assert booking.cancelled_at is not None and booking.cancelled_late is False
    assert email_kinds(booking) == ["cancelled"]
    run_worker()
    assert [message.to for message in mailoutbox] == [["ana@example.com"]]


def test_a_cancellation_inside_the_cut_off_is_recorded_as_late(reception, booking_rules):
    booking = make_booking(timezone.now() + timedelta(hours=booking_rules.cancellation_cutoff_hours - 1),
                           status=Booking.Status.CONFIRMED)

    reception.post(f"{BOOKINGS}{booking.pk}/cancel/", {"cancelled_by": "clinic", "reason": "Physio ill"})

    booking.refresh_from_db()
    assert booking.cancelled_late is True and booking.cancelled_by == Booking.CancelledBy.CLINIC
    assert email_kinds(booking) == ["cancelled"]


def test_cancelling_several_asks_once_and_records_the_same_for_each(reception, tomorrow):
    first = make_booking(at(tomorrow, 9))
    second = make_booking(at(tomorrow, 10), patient_name="Berta Ruiz", status=Booking.Status.CONFIRMED)
    untouched = make_booking(at(tomorrow, 11))
    chosen = {"action": "cancel", "_selected_action": select(first, second)}

    page = reception.post(BOOKINGS, chosen)
    assert page.status_code == 200
    assert first.reference in page_text(page) and second.reference in page_text(page)
    first.refresh_from_db()
    assert first.status == Booking.Status.REQUESTED

    response = reception.post(BOOKINGS, {**chosen, "apply": "yes", "cancelled_by": "clinic",
                                         "reason": "Clinic closed for a burst pipe"}, follow=True)

    assert "Cancelled 2 bookings; the patients are emailed." in page_text(response)
    for booking in (first, second):
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CANCELLED and booking.cancelled_by == Booking.CancelledBy.CLINIC
        assert booking.cancellation_reason == "Clinic closed for a burst pipe"
        assert email_kinds(booking) == ["cancelled"]
    untouched.refresh_from_db()
    assert untouched.status == Booking.Status.REQUESTED and not untouched.emails.exists()


def test_the_patients_own_cancel_is_recorded_as_the_patients(client, booking_rules, clinic_content):
    booking = make_booking(timezone.now() + timedelta(days=3), status=Booking.Status.CONFIRMED)

    client.post(f"/book/manage/{booking.token}/cancel/")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.cancelled_by == Booking.CancelledBy.PATIENT
    assert booking.cancelled_at is not None and booking.cancelled_late is False
    assert email_kinds(booking) == ["cancelled", "clinic_cancelled"]  # the patient, and the clinic told


def test_staff_without_booking_permissions_cannot_open_the_cancel_page(client, tomorrow, clinic_content, booking_rules):
    booking = make_booking(at(tomorrow, 9))
    client.force_login(staff_member("editor", CLINIC_EDITORS))
    assert client.get(f"{BOOKINGS}{booking.pk}/cancel/").status_code == 403
    assert client.post(f"{BOOKINGS}{booking.pk}/cancel/", {"cancelled_by": "clinic", "reason": "x"}).status_code == 403
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


# A booking taken by phone or at the desk.


@pytest.fixture
def desk_booking(clinic_content):
    return {
        "patient_name": "Carmen Díaz",
        "phone": "664 123 4567",
        "email": "carmen@example.com",
        "reason": "shin",
        "note": "Shin pain",
        "language": "es",
        "consent": "on",
    }


def test_the_phone_booking_page_offers_a_day_then_its_times_with_who_is_free(reception, soto):
    # Staff can book inside the online minimum notice: the first day offered is the first a walk-in could have.
    first = open_times(for_staff=True)[0]
    later_day = open_times()[-1].starts_at.astimezone(TIJUANA).date()

    page = reception.get(f"{BOOKINGS}add/")
    assertContains(page, 'name="day"')
    assertContains(page, f'value="{slot(first.starts_at)}"')
    assertContains(page, f'value="{slot(first.starts_at, soto)}"')
    assertContains(page, "· Lic. Soto")

    other_day = reception.get(f"{BOOKINGS}add/", {"day": later_day.isoformat()})
    assertContains(other_day, f'value="{slot(open_times()[-1].starts_at)}"')
    assertNotContains(other_day, f'value="{slot(first.starts_at)}"')


def test_changing_the_day_keeps_what_was_typed_and_books_nothing(reception, desk_booking):
    later_day = open_times()[-1].starts_at.astimezone(TIJUANA).date()

    response = reception.post(f"{BOOKINGS}add/", {**desk_booking, "day": later_day.isoformat(), "show_times": "1"})

    assert response.status_code == 200 and not Booking.objects.exists()
    assertContains(response, 'value="carmen@example.com"')
    assertContains(response, "Shin pain")
    assertContains(response, f'value="{slot(open_times()[-1].starts_at)}"')
    assertNotContains(response, "errorlist")


def test_a_link_from_the_calendar_chooses_the_time_and_practitioner(reception, soto):
    chosen = open_times()[-1].starts_at

    page = reception.get(f"{BOOKINGS}add/", {"practitioner": soto.pk, "starts_at": chosen.isoformat()})

    assert is_chosen(page, "input", slot(chosen, soto))
    assert is_chosen(page, "option", day_value(chosen))


def test_a_link_in_utc_or_with_its_plus_sign_lost_still_chooses_the_time(reception, soto):
    chosen = open_times()[-1].starts_at
    utc = chosen.astimezone(UTC).isoformat().replace("+", " ")

    page = reception.get(f"{BOOKINGS}add/?practitioner={soto.pk}&starts_at={utc}")

    assert is_chosen(page, "input", slot(chosen, soto))


def test_a_desk_booking_with_the_chosen_practitioner_is_confirmed_with_one_email(reception, desk_booking, soto):
    starts_at = open_times()[0].starts_at

    response = reception.post(f"{BOOKINGS}add/", {**desk_booking, "slot": slot(starts_at, soto)}, **SPANISH)

    booking = Booking.objects.get()
    assert response.status_code == 302
    assert booking.practitioner == soto and booking.status == Booking.Status.CONFIRMED
    assert email_kinds(booking) == ["confirmed"]


def test_a_patient_without_email_is_booked_and_no_email_is_queued(reception, desk_booking):
    response = reception.post(f"{BOOKINGS}add/", {**desk_booking, "email": "", "slot": slot(open_times()[0].starts_at)},
                              follow=True)

    booking = Booking.objects.get()
    assert booking.email == "" and booking.status == Booking.Status.CONFIRMED
    assert not OutgoingEmail.objects.exists()
    assert "The patient has no email" in page_text(response)


def test_a_desk_booking_never_switches_to_another_practitioner(reception, desk_booking, soto):
    starts_at = open_times()[0].starts_at
    make_booking(starts_at, practitioner=soto, patient_name="Ana López")

    response = reception.post(f"{BOOKINGS}add/", {**desk_booking, "slot": slot(starts_at, soto)})

    assertContains(response, "That time was just taken. Choose another time.")
    assertContains(response, 'value="carmen@example.com"')
    assert Booking.objects.count() == 1


def test_an_error_shows_the_chosen_times_day(reception, desk_booking):
    last = open_times()[-1].starts_at
    response = reception.post(f"{BOOKINGS}add/", {**desk_booking, "consent": "", "slot": slot(last)})
    assert is_chosen(response, "option", day_value(last))
    assert is_chosen(response, "input", slot(last))


# Move.


def test_the_move_page_shows_who_is_free_at_each_time_and_not_the_current_time(reception, soto):
    booking = make_booking(open_times()[0].starts_at, status=Booking.Status.CONFIRMED)

    page = reception.get(f"{BOOKINGS}{booking.pk}/move/")

    assertNotContains(page, f'value="{slot(booking.starts_at, soto)}"')
    assertContains(page, f'value="{slot(open_times()[-1].starts_at, soto)}"')
    assertContains(page, "· Dra. Ruiz")
    assertContains(page, "Now with Dra. Ruiz.")


def test_moving_to_a_time_the_practitioner_is_taken_is_refused_though_another_is_free(reception, soto):
    ruiz = Practitioner.objects.get(name="Dra. Ruiz")
    booking = make_booking(open_times()[0].starts_at, status=Booking.Status.CONFIRMED, practitioner=ruiz)
    later = open_times()[-1].starts_at
    make_booking(later, practitioner=ruiz, patient_name="Berta Ruiz")

    with pytest.raises(TimeTaken):
        move_booking(booking, later)
    response = reception.post(f"{BOOKINGS}{booking.pk}/move/", {"slot": slot(later, ruiz)})

    assertContains(response, "That time was just taken. Choose another time.")
    booking.refresh_from_db()
    assert booking.practitioner == ruiz and booking.starts_at != later
    assert not booking.emails.exists()


def test_moving_to_another_practitioner_is_what_was_chosen(reception, soto):
    booking = make_booking(open_times()[0].starts_at, status=Booking.Status.CONFIRMED)
    later = open_times()[-1].starts_at

    reception.post(f"{BOOKINGS}{booking.pk}/move/", {"slot": slot(later, soto)})

    booking.refresh_from_db()
    assert booking.practitioner == soto and booking.starts_at == later and email_kinds(booking) == ["changed"]


# Requests whose time has passed.


@pytest.fixture
def past_request(desk):
    return make_booking(timezone.now() - timedelta(hours=2), patient_name="Nobody Confirmed")


def test_a_past_request_offers_attended_no_show_and_close_not_confirm_or_decline(reception, past_request):
    page = page_text(reception.get(f"{BOOKINGS}{past_request.pk}/change/"))
    assert "Mark attended" in page and "Mark did not attend" in page and "Close without emailing…" in page
    assert "Decline…" not in page and " Confirm " not in page


@pytest.mark.parametrize("button, after", [("attended", Booking.Status.ATTENDED), ("no_show", Booking.Status.NO_SHOW)])
def test_a_past_request_marked_stops_waiting_and_emails_nobody(reception, past_request, button, after):
    # Its time has passed, so it can no longer be confirmed: it is not counted as waiting for that.
    assertContains(reception.get("/admin/"), "No requests waiting to be confirmed")

    reception.post(f"{BOOKINGS}{past_request.pk}/{button}/")

    past_request.refresh_from_db()
    assert past_request.status == after and not past_request.emails.exists()
    assertContains(reception.get("/admin/"), "No requests waiting to be confirmed")
    waiting = reception.get(ANY_DATE + "&status__exact=requested")
    assert "Nobody Confirmed" not in page_text(waiting)


def test_a_past_request_cannot_be_confirmed(reception, past_request):
    response = reception.post(f"{BOOKINGS}{past_request.pk}/confirm/", follow=True)
    assert "Its time has passed: mark whether the patient came, or close the request." in page_text(response)
    past_request.refresh_from_db()
    assert past_request.status == Booking.Status.REQUESTED and not past_request.emails.exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_past_request_is_closed_with_a_reason_and_no_email(reception, past_request, language):
    page = reception.get(f"{BOOKINGS}{past_request.pk}/cancel/", **language)
    assertNotContains(page, 'name="cancelled_by"')

    response = reception.post(f"{BOOKINGS}{past_request.pk}/cancel/", {"reason": "Never answered the phone"},
                              **language)

    assert response.status_code == 302
    past_request.refresh_from_db()
    assert past_request.status == Booking.Status.CANCELLED
    assert past_request.cancelled_by == Booking.CancelledBy.CLINIC
    assert past_request.cancellation_reason == "Never answered the phone"
    assert not past_request.emails.exists()
    assertContains(reception.get("/admin/"), "No requests waiting to be confirmed")


def test_an_upcoming_request_still_cannot_be_marked_attended(reception, tomorrow):
    upcoming = make_booking(at(tomorrow, 9))
    reception.post(f"{BOOKINGS}{upcoming.pk}/attended/")
    upcoming.refresh_from_db()
    assert upcoming.status == Booking.Status.REQUESTED
