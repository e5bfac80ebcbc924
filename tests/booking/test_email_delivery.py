"""Every email goes out, whatever happens to the worker sending it, and once failed for good staff can send it again."""

import smtplib
import socket
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from booking.models import OutgoingEmail
from booking.tasks import deliver_email, queue_emails
from clinic.outbox import abandoned_after
from clinic_site.management.commands.worker import sweep
from clinic_site.staff_groups import RECEPTION
from privacy.models import ClinicNotice, DataRequest
from privacy.tasks import queue_clinic_notice
from tests.helpers import page_text, staff_member

pytestmark = pytest.mark.django_db

Kind = OutgoingEmail.Kind


@pytest.fixture
def confirmed_email(booking):
    queue_emails(booking, Kind.CONFIRMED)
    booking.status = booking.Status.CONFIRMED
    booking.save(update_fields=["status"])
    return OutgoingEmail.objects.get()


@contextmanager
def mail_server_answering(error):
    """The mail server answering `error` to every email, inside the block."""

    def send(*args, **kwargs):
        raise error

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.core.mail.EmailMessage.send", send)
        yield


def queued_tasks():
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY).count()


def later(by):
    """Claims and due times as they would look `by` from now: moved into the past instead."""
    OutgoingEmail.objects.filter(sending_since__isnull=False).update(sending_since=timezone.now() - by)
    OutgoingEmail.objects.update(created_at=timezone.now() - by)
    OutgoingEmail.objects.filter(next_attempt_at__isnull=False).update(next_attempt_at=timezone.now() - by)


def test_every_try_at_one_email_carries_the_same_message_id(confirmed_email, mailoutbox):
    with mail_server_answering(ConnectionRefusedError()):
        assert deliver_email.call(confirmed_email.pk) == "retrying"
    assert deliver_email.call(confirmed_email.pk) == "sent"

    [message] = mailoutbox
    confirmed_email.refresh_from_db()
    assert message.extra_headers["Message-ID"] == confirmed_email.message_id
    assert confirmed_email.message_id.startswith(f"<booking-email.{confirmed_email.pk}.")
    assert confirmed_email.message_id.endswith("@127.0.0.1>")


def test_two_emails_never_share_a_message_id(booking, run_worker, mailoutbox):
    queue_emails(booking, Kind.CLINIC_NEW_REQUEST, Kind.RECEIVED)
    run_worker()

    assert len({message.extra_headers["Message-ID"] for message in mailoutbox}) == 2


def test_an_email_whose_worker_was_killed_mid_send_goes_out_once_its_claim_is_old(
    confirmed_email, run_worker, mailoutbox
):
    # A second SIGTERM stops the worker with SystemExit in the middle of the send.
    with mail_server_answering(SystemExit(1)), pytest.raises(SystemExit):
        deliver_email.call(confirmed_email.pk)
    confirmed_email.refresh_from_db()
    assert confirmed_email.sending_since is not None and confirmed_email.sent_at is None

    assert sweep() == 0  # its worker may still be sending: it is left alone for now
    later(abandoned_after() + timedelta(seconds=1))
    assert sweep() == 1
    run_worker()

    [message] = mailoutbox
    confirmed_email.refresh_from_db()
    assert confirmed_email.sent_at is not None and confirmed_email.sending_since is None
    assert message.extra_headers["Message-ID"] == confirmed_email.message_id
    assert sweep() == 0


def test_the_task_a_killed_worker_left_running_is_marked_as_stopped(confirmed_email):
    task = DBTaskResult.objects.get()
    DBTaskResult.objects.filter(pk=task.pk).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - abandoned_after() - timedelta(seconds=1)
    )
    OutgoingEmail.objects.update(sending_since=timezone.now() - abandoned_after() - timedelta(seconds=1))

    sweep()

    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert "stopped before it finished" in task.traceback


def test_an_email_a_live_worker_is_sending_is_not_sent_a_second_time(confirmed_email, mailoutbox):
    OutgoingEmail.objects.update(sending_since=timezone.now())

    assert deliver_email.call(confirmed_email.pk) == "sent or being sent elsewhere"
    assert sweep() == 0
    assert mailoutbox == []


def test_an_email_whose_task_was_lost_is_queued_again(booking, run_worker, mailoutbox):
    # The worker died between recording a failed try and queueing the next one.
    lost = OutgoingEmail.objects.create(booking=booking, kind=Kind.RECEIVED, attempts=1, next_attempt_at=timezone.now())
    assert queued_tasks() == 0

    later(abandoned_after() + timedelta(seconds=1))
    assert sweep() == 1
    assert sweep() == 0  # queued once, not at every sweep
    run_worker()

    lost.refresh_from_db()
    assert lost.sent_at is not None
    assert len(mailoutbox) == 1


def test_a_restarted_worker_sends_what_the_dead_one_left(confirmed_email, monkeypatch, mailoutbox):
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=10))
    OutgoingEmail.objects.update(sending_since=timezone.now() - timedelta(minutes=10))
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)

    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].extra_headers["Message-ID"] == confirmed_email.message_id


def test_an_address_the_mail_server_refuses_fails_for_good_at_once(confirmed_email):
    queued = queued_tasks()
    with mail_server_answering(smtplib.SMTPRecipientsRefused({"maria.lopez@example.com": (550, b"5.1.1 no such user")})):
        assert deliver_email.call(confirmed_email.pk) == "failed"

    confirmed_email.refresh_from_db()
    assert confirmed_email.failed_at is not None and confirmed_email.last_error == "SMTPRecipientsRefused"
    assert queued_tasks() == queued  # no next try
    assert sweep() == 0  # failed for good is not "stalled"


def test_a_mailbox_full_for_now_is_tried_again(confirmed_email):
    queued = queued_tasks()
    with mail_server_answering(smtplib.SMTPRecipientsRefused({"maria.lopez@example.com": (452, b"4.2.2 mailbox full")})):
        assert deliver_email.call(confirmed_email.pk) == "retrying"

    assert queued_tasks() == queued + 1


def test_a_mail_server_down_for_two_days_fails_the_email_for_good(confirmed_email):
    with mail_server_answering(socket.timeout()):
        OutgoingEmail.objects.update(attempts=40)  # 1, 2, 4 … 60 minutes apart: about 36 hours so far
        assert deliver_email.call(confirmed_email.pk) == "retrying"
        OutgoingEmail.objects.update(attempts=60)
        assert deliver_email.call(confirmed_email.pk) == "failed"


@pytest.fixture
def failed_email(confirmed_email):
    with mail_server_answering(smtplib.SMTPRecipientsRefused({"maria.lopez@example.com": (550, b"no such user")})):
        deliver_email.call(confirmed_email.pk)
    confirmed_email.refresh_from_db()
    return confirmed_email


@pytest.fixture
def reception(client, booking):
    client.force_login(staff_member("desk", RECEPTION))
    return client


def test_reception_sees_a_failed_email_on_the_front_page_and_sends_it_again(
    reception, failed_email, run_worker, mailoutbox
):
    front_page = page_text(reception.get("/admin/"))
    assert "1 email to a patient or the clinic could not be sent" in front_page

    listed = reception.get("/admin/booking/outgoingemail/?state=failed")
    assert failed_email.booking.reference in page_text(listed)
    response = reception.post(
        "/admin/booking/outgoingemail/", {"action": "send_again", "_selected_action": [failed_email.pk]}, follow=True
    )
    assert "1 email queued to be sent again." in page_text(response)
    run_worker()

    failed_email.refresh_from_db()
    assert failed_email.sent_at is not None and failed_email.failed_at is None
    [message] = mailoutbox
    assert message.extra_headers["Message-ID"] == failed_email.message_id
    assert "could not be sent" not in page_text(reception.get("/admin/"))


def test_send_again_leaves_an_email_that_had_not_failed_as_it_was(reception, confirmed_email):
    queued = queued_tasks()
    response = reception.post(
        "/admin/booking/outgoingemail/", {"action": "send_again", "_selected_action": [confirmed_email.pk]}, follow=True
    )

    assert "1 email had not failed and was left as it was." in page_text(response)
    assert queued_tasks() == queued


def test_nothing_in_an_email_can_be_typed_over_in_the_admin(reception, failed_email):
    page = reception.get(f"/admin/booking/outgoingemail/{failed_email.pk}/change/").content.decode()

    assert "<textarea" not in page and 'type="text"' not in page
    assert reception.get("/admin/booking/outgoingemail/add/").status_code == 403


def test_an_editor_sees_no_emails(editor_client, failed_email):
    assert editor_client.get("/admin/booking/outgoingemail/").status_code == 403
    assert "could not be sent" not in page_text(editor_client.get("/admin/"))


def test_the_clinics_notice_of_a_data_request_is_sent_again_after_its_worker_died(
    booking_rules, run_worker, mailoutbox
):
    data_request = DataRequest.objects.create(kind=DataRequest.Kind.ACCESS, full_name="Ana", email="ana@example.com")
    queue_clinic_notice(data_request)
    notice = ClinicNotice.objects.get()
    # A second SIGTERM mid-send: the worker marks the task failed, the notice stays unsent.
    with mail_server_answering(SystemExit(1)):
        run_worker()
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED

    ClinicNotice.objects.update(sending_since=timezone.now() - abandoned_after() - timedelta(seconds=1))
    assert sweep() == 1
    run_worker()

    [message] = mailoutbox
    notice.refresh_from_db()
    assert notice.sent_at is not None
    assert message.extra_headers["Message-ID"] == notice.message_id


def test_a_notice_of_a_request_answered_before_it_went_out_is_not_chased(booking_rules):
    data_request = DataRequest.objects.create(kind=DataRequest.Kind.ACCESS, full_name="Ana", email="ana@example.com")
    ClinicNotice.objects.create(data_request=data_request)
    ClinicNotice.objects.update(created_at=timezone.now() - timedelta(hours=1))
    DataRequest.objects.update(status=DataRequest.Status.ANSWERED)

    assert sweep() == 0
