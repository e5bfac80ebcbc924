"""Durable tasks, run by `manage.py db_worker`: the emails a booking causes, queued with it and sent here."""

import logging

from django.utils import timezone
from django_tasks import task

from clinic.mail import retry_delay

from .emails import build_message
from .models import OutgoingEmail

logger = logging.getLogger(__name__)


def queue_emails(booking, *kinds):
    """Queue `kinds` of email for `booking`. Call inside the transaction that changes the booking."""
    for kind in kinds:
        outgoing = OutgoingEmail.objects.create(booking=booking, kind=kind)
        deliver_email.enqueue(outgoing.pk)


@task()
def deliver_email(outgoing_email_id):
    """Send one queued email; while the mail server is unreachable, try again later.

    Never raises: the error's class name is kept on the row for staff, because
    a mail server's own message can quote the patient's address.
    """
    outgoing = OutgoingEmail.objects.select_related("booking").filter(pk=outgoing_email_id).first()
    if outgoing is None or outgoing.sent_at is not None or outgoing.overtaken_at is not None:
        return "nothing to send"
    if outgoing.is_out_of_date:
        outgoing.overtaken_at = timezone.now()
        outgoing.save(update_fields=["overtaken_at"])
        return "out of date"
    now = timezone.now()
    outgoing.attempts += 1
    try:
        build_message(outgoing).send()
    except Exception as error:  # noqa: BLE001 - any failure is retried, none may lose the email
        outgoing.last_error = type(error).__name__[:120]
        outgoing.next_attempt_at = now + retry_delay(outgoing.attempts)
        outgoing.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        deliver_email.using(run_after=outgoing.next_attempt_at).enqueue(outgoing.pk)
        logger.warning(
            "Email %s for booking %s not sent (%s); attempt %s, next at %s",
            outgoing.pk, outgoing.booking.reference, outgoing.last_error, outgoing.attempts,
            outgoing.next_attempt_at.isoformat(),
        )
        return "retrying"
    outgoing.sent_at = timezone.now()
    outgoing.last_error = ""
    outgoing.next_attempt_at = None
    outgoing.save(update_fields=["attempts", "sent_at", "last_error", "next_attempt_at"])
    return "sent"
