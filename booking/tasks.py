"""Durable tasks, run by `manage.py worker`: the emails a booking causes, queued with it and sent here."""

from django.utils import timezone
from django_tasks import task

from clinic.outbox import requeue_stalled

from .emails import build_message
from .models import OutgoingEmail, WaitlistEmail
from .waitlist import build_message as build_waitlist_message
from .waitlist import is_out_of_date as waitlist_email_is_out_of_date


def queue_emails(booking, *kinds):
    """Queue `kinds` of email for `booking`. Call inside the transaction that changes the booking."""
    for kind in kinds:
        OutgoingEmail.objects.create(booking=booking, kind=kind).enqueue()


@task()
def deliver_email(outgoing_email_id):
    """Send one queued email (clinic.outbox): retried while the mail server is unreachable, never raises."""
    outgoing = OutgoingEmail.objects.select_related("booking").filter(pk=outgoing_email_id).first()
    if outgoing is None or outgoing.sent_at or outgoing.overtaken_at or outgoing.failed_at:
        return "nothing to send"
    if outgoing.is_out_of_date:
        outgoing.overtaken_at = timezone.now()
        outgoing.save(update_fields=["overtaken_at"])
        return "out of date"
    return outgoing.deliver(build_message)


def requeue_stalled_emails():
    return requeue_stalled(OutgoingEmail) + requeue_stalled(WaitlistEmail)


@task()
def deliver_waitlist_email(waitlist_email_id):
    """Send one waitlist email (clinic.outbox), unless the entry has ended or the time offered has gone."""
    email = WaitlistEmail.objects.select_related("entry").filter(pk=waitlist_email_id).first()
    if email is None or email.sent_at or email.overtaken_at or email.failed_at:
        return "nothing to send"
    if waitlist_email_is_out_of_date(email):
        email.overtaken_at = timezone.now()
        email.save(update_fields=["overtaken_at"])
        return "out of date"
    return email.deliver(build_waitlist_message)

