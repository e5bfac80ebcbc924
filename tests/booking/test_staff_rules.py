from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from booking.availability import open_times
from booking.models import Booking, OutgoingEmail
from booking.retention import remove_old_personal_data
from booking.services import (
    mark_attended,
    mark_no_show,
    move_booking,
    send_due_reminders,
)
from clinic_site.staff_groups import RECEPTION
from privacy.models import DataRequest, PrivacyNotice

pytestmark = pytest.mark.django_db

TIJUANA = ZoneInfo("America/Tijuana")


def make_booking(starts_at, status=Booking.Status.CONFIRMED, **fields):
    from team.models import Practitioner

    return Booking.objects.create(
        practitioner=Practitioner.objects.first(),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        status=status,
        price=750,
        patient_name=fields.pop("patient_name", "Ana López"),
        phone="+526641234567",
        email="ana@example.com",
        note="Left knee swells after 10 km",
        consent_given_at=starts_at - timedelta(days=3),
        privacy_notice=PrivacyNotice.objects.first(),
        **fields,
    )


def reminders():
    return OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.REMINDER)


def test_reminders_go_once_to_each_confirmed_booking_in_the_next_day(booking_rules):
    now = timezone.now()
    due = [make_booking(now + timedelta(hours=h)) for h in (2, 10, 23)]
    make_booking(now + timedelta(hours=30))  # not yet
    make_booking(now + timedelta(hours=5), status=Booking.Status.REQUESTED)  # not confirmed
    make_booking(now + timedelta(hours=6), status=Booking.Status.CANCELLED)

    assert send_due_reminders(now) == 3
    assert send_due_reminders(now) == 0  # the command runs again five minutes later
    assert send_due_reminders(now + timedelta(minutes=5)) == 0
    assert sorted(reminders().values_list("booking_id", flat=True)) == sorted(b.pk for b in due)


def test_a_cancelled_booking_is_never_reminded(booking_rules):
    now = timezone.now()
    booking = make_booking(now + timedelta(hours=3))
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)
    assert send_due_reminders(now) == 0 and not reminders().exists()


def test_a_moved_booking_gets_a_fresh_reminder_for_its_new_time(booking_rules):
    now = timezone.now()
    booking = make_booking(open_times()[0].starts_at)
    send_due_reminders(booking.starts_at - timedelta(hours=1))
    assert reminders().count() == 1

    later = open_times()[-1].starts_at
    move_booking(booking, later)
    assert send_due_reminders(now) == 0  # the new time is still far off
    assert send_due_reminders(later - timedelta(hours=1)) == 1
    assert send_due_reminders(later - timedelta(minutes=30)) == 0
    assert reminders().count() == 2


def test_the_reminder_lead_time_is_a_setting(booking_rules):
    booking_rules.reminder_lead_hours = 48
    booking_rules.save()
    now = timezone.now()
    make_booking(now + timedelta(hours=40))
    assert send_due_reminders(now) == 1


@pytest.mark.django_db(transaction=True)
def test_two_hosts_running_the_command_at_once_send_each_reminder_once(booking_rules):
    import threading

    from django.db import connection

    now = timezone.now()
    for hours in range(1, 11):
        make_booking(now + timedelta(hours=hours, minutes=hours))
    barrier = threading.Barrier(4)
    counts = []

    def host():
        try:
            barrier.wait(timeout=30)
            counts.append(send_due_reminders(now))
        finally:
            connection.close()

    threads = [threading.Thread(target=host) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(counts) == 10
    assert reminders().count() == 10
    assert len(set(reminders().values_list("booking_id", flat=True))) == 10


def test_attended_and_no_show_follow_the_allowed_transitions(booking_rules):
    from booking.models import InvalidTransition

    booking = make_booking(timezone.now() - timedelta(hours=2))
    mark_attended(booking)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.ATTENDED
    mark_no_show(booking)  # a desk mistake put right
    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW

    requested = make_booking(timezone.now() + timedelta(days=3), status=Booking.Status.REQUESTED)
    with pytest.raises(InvalidTransition):
        mark_attended(requested)
    assert not OutgoingEmail.objects.exists()  # none of these email the patient


def test_attended_or_not_is_refused_before_the_assessment_starts_whoever_asks(booking_rules):
    from booking.models import InvalidTransition

    upcoming = make_booking(timezone.now() + timedelta(hours=2))
    for mark in (mark_attended, mark_no_show):
        with pytest.raises(InvalidTransition, match="The assessment has not started yet."):
            mark(upcoming)
    upcoming.refresh_from_db()
    assert upcoming.status == Booking.Status.CONFIRMED
    assert mark_attended(upcoming, now=upcoming.starts_at).status == Booking.Status.ATTENDED


def test_old_bookings_lose_personal_data_and_keep_what_the_accounts_need(booking_rules):
    now = datetime(2026, 11, 25, 12, tzinfo=TIJUANA)
    old = make_booking(datetime(2024, 11, 20, 10, tzinfo=TIJUANA), status=Booking.Status.ATTENDED)
    young = make_booking(datetime(2024, 11, 30, 10, tzinfo=TIJUANA), status=Booking.Status.ATTENDED)
    old_token = old.token

    assert remove_old_personal_data(now) == 1

    old.refresh_from_db()
    assert (old.patient_name, old.email, old.note, str(old.phone or "")) == ("", "", "", "")
    assert old.condition is None and old.anonymised_at == now
    assert (old.starts_at, old.price, old.status, old.reference) == (
        datetime(2024, 11, 20, 10, tzinfo=TIJUANA), 750, Booking.Status.ATTENDED, old.reference,
    )
    assert old.token != old_token
    for row in old.history.all():
        assert row.patient_name == "" and row.note == "" and row.email == ""

    young.refresh_from_db()
    assert young.patient_name == "Ana López" and young.note and young.anonymised_at is None
    assert young.history.first().patient_name == "Ana López"

    assert remove_old_personal_data(now) == 0  # nothing left to do


def test_the_retention_period_is_a_setting(booking_rules):
    booking_rules.retention_months = 6
    booking_rules.save()
    now = timezone.now()
    make_booking(now - timedelta(days=200), status=Booking.Status.ATTENDED)
    make_booking(now - timedelta(days=150), status=Booking.Status.ATTENDED)
    assert remove_old_personal_data(now) == 1


def test_a_data_request_is_due_in_twenty_working_days(db):
    request = DataRequest.objects.create(
        kind=DataRequest.Kind.ACCESS, full_name="Ana López", email="ana@example.com",
        received_at=datetime(2026, 11, 25, 10, tzinfo=TIJUANA),  # a Wednesday
    )
    assert request.answer_by.isoformat() == "2026-12-23"


def test_reception_runs_bookings_but_not_users_or_rules(db):
    reception = Group.objects.get(name=RECEPTION)
    codenames = set(reception.permissions.values_list("codename", flat=True))
    assert {"view_booking", "add_booking", "change_booking", "add_closure"} <= codenames
    assert "delete_booking" not in codenames and "change_bookingsettings" not in codenames
    assert not any(code.endswith("_user") or code.endswith("_group") for code in codenames)
    user = User.objects.create_user("desk", password="x", is_staff=True)
    user.groups.add(reception)
    assert user.has_perm("booking.change_booking") and not user.has_perm("auth.change_user")


def test_password_guessing_on_the_admin_login_is_locked_out(client, db):
    User.objects.create_user("reception", password="the-right-password-123", is_staff=True)
    for _ in range(4):
        response = client.post("/admin/login/", {"username": "reception", "password": "wrong"})
        assert response.status_code == 200  # the login form again
    assert client.post("/admin/login/", {"username": "reception", "password": "wrong"}).status_code == 429
    response = client.post("/admin/login/", {"username": "reception", "password": "the-right-password-123"})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_can_book_a_walk_in_inside_the_online_minimum_notice(booking_rules):
    from booking.services import TimeNotOpen, book_assessment
    from clinic.clock import clinic_today

    day = clinic_today() + timedelta(days=2)
    now = datetime(day.year, day.month, day.day, 6, tzinfo=TIJUANA)
    eight = datetime(day.year, day.month, day.day, 8, tzinfo=TIJUANA)  # two hours away
    details = {"patient_name": "Walk In", "phone": "+526641234567", "email": "walkin@example.com", "now": now}
    with pytest.raises(TimeNotOpen):
        book_assessment(starts_at=eight, **details)
    booking = book_assessment(starts_at=eight, source=Booking.Source.PHONE, consent_method=Booking.Consent.PHONE, **details)
    assert booking.starts_at == eight


def test_the_cron_commands_run_twice_over_a_day_of_bookings(booking_rules):
    from io import StringIO

    from django.core.management import call_command

    now = timezone.now()
    confirmed = [make_booking(now + timedelta(hours=h)) for h in range(1, 24, 3)]
    make_booking(now + timedelta(hours=4, minutes=30), status=Booking.Status.CANCELLED)
    outputs = []
    for _ in range(2):
        out = StringIO()
        call_command("send_reminders", stdout=out)
        outputs.append(out.getvalue().strip())
    assert outputs == [f"Queued {len(confirmed)} reminder(s).", "Queued 0 reminder(s)."]
    assert sorted(reminders().values_list("booking_id", flat=True)) == sorted(b.pk for b in confirmed)

    out = StringIO()
    call_command("remove_old_personal_data", stdout=out)
    assert out.getvalue().strip() == "Removed personal data from 0 booking(s)."


def test_an_email_a_later_change_made_wrong_is_not_sent(booking_rules, mailoutbox, run_worker, review_requests):
    """The mail server was down while the clinic confirmed and the patient then cancelled."""
    from booking.services import book_assessment, cancel_booking, confirm_booking

    booking = book_assessment(
        starts_at=open_times()[-1].starts_at, patient_name="Ana López", phone="+526641234567", email="ana@example.com"
    )
    confirm_booking(booking)
    cancel_booking(booking)

    run_worker()

    to_patient = [message.subject for message in mailoutbox if message.to == ["ana@example.com"]]
    assert len(to_patient) == 1 and "cancelled" in to_patient[0].lower()
    overtaken = set(booking.emails.filter(overtaken_at__isnull=False).values_list("kind", flat=True))
    assert overtaken == {"received", "confirmed"}
    assert not booking.emails.unsent().exists()


def test_every_cancellation_records_who_when_and_whether_it_was_late(booking_rules):
    from booking.services import cancel_booking

    now = timezone.now()
    early = make_booking(now + timedelta(hours=booking_rules.cancellation_cutoff_hours + 1))
    late = make_booking(now + timedelta(hours=booking_rules.cancellation_cutoff_hours - 1), patient_name="Berta")

    cancel_booking(early, cancelled_by=Booking.CancelledBy.PATIENT, now=now)
    cancel_booking(late, cancelled_by=Booking.CancelledBy.CLINIC, reason="Physio ill", now=now)

    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.cancelled_by, early.cancelled_at, early.cancelled_late) == (Booking.CancelledBy.PATIENT, now, False)
    assert (late.cancelled_by, late.cancellation_reason, late.cancelled_late) == (
        Booking.CancelledBy.CLINIC, "Physio ill", True,
    )
    assert list(OutgoingEmail.objects.values_list("kind", flat=True)) == ["cancelled", "cancelled"]


def test_closing_a_request_whose_time_has_passed_emails_nobody(booking_rules):
    from booking.services import cancel_booking

    past = make_booking(timezone.now() - timedelta(hours=1), status=Booking.Status.REQUESTED)
    assert past.refusal_to_change_to(Booking.Status.CONFIRMED) is not None
    assert past.refusal_to_change_to(Booking.Status.DECLINED) is not None
    assert past.can_change_to(Booking.Status.NO_SHOW) and past.can_change_to(Booking.Status.ATTENDED)

    cancel_booking(past, reason="Never came back to us")

    past.refresh_from_db()
    assert past.status == Booking.Status.CANCELLED and past.cancelled_by == Booking.CancelledBy.CLINIC
    assert not OutgoingEmail.objects.exists()


def test_a_patient_without_email_is_sent_nothing_and_reminded_by_the_desk(booking_rules):
    from booking.services import book_assessment, cancel_booking

    booking = book_assessment(
        starts_at=open_times()[-1].starts_at, patient_name="Sin Correo", phone="+526641234567", email="",
        source=Booking.Source.PHONE, consent_method=Booking.Consent.PHONE,
    )
    assert booking.status == Booking.Status.CONFIRMED
    assert send_due_reminders(booking.starts_at - timedelta(hours=1)) == 0
    cancel_booking(booking)
    assert not OutgoingEmail.objects.exists()


def test_booking_a_chosen_practitioner_never_falls_back_to_another(booking_rules):
    from booking.services import TimeTaken, book_assessment
    from team.models import Practitioner

    ruiz = Practitioner.objects.get()
    soto = Practitioner.objects.create(name="Lic. Soto", position=2)
    starts_at = open_times()[-1].starts_at
    details = {"patient_name": "Ana", "phone": "+526641234567", "email": "ana@example.com"}
    assert book_assessment(starts_at=starts_at, practitioner=soto, **details).practitioner == soto
    with pytest.raises(TimeTaken):
        book_assessment(starts_at=starts_at, practitioner=soto, **details)
    assert book_assessment(starts_at=starts_at, **details).practitioner == ruiz  # the patient online takes anyone
