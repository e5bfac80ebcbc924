"""Durable tasks, run by `manage.py db_worker`."""

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from .models import DataRequest, OutgoingEmail

logger = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)


def retry_delay(attempts):
    """1, 2, 4, 8 … minutes between tries, never more than an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


@task()
def deliver_email(outgoing_email_id):
    """Send one queued email; while the mail server is unreachable, try again later.

    Never raises: the error's class name is kept on the row for staff, because
    a mail server's own message can quote the patient's address.
    """
    from .emails import build_message

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


@task()
def notify_clinic_of_data_request(data_request_id, attempt=1):
    """Tell the clinic a data request has arrived: its kind, deadline and admin link, nothing about the patient.

    Retried with backoff like deliver_email while the mail server is unreachable; never raises.
    """
    from django.conf import settings
    from django.core.mail import EmailMessage
    from django.urls import reverse
    from django.utils import translation

    from .calendar import absolute_url
    from .emails import clinic_address

    data_request = DataRequest.objects.filter(pk=data_request_id).first()
    if data_request is None or data_request.status != DataRequest.Status.OPEN:
        return "nothing to send"
    with translation.override("en"):
        kind = str(data_request.get_kind_display())
        message = EmailMessage(
            f"New data request: {kind}",
            (
                f"A data request (ARCO) came in through the website: {kind}.\n\n"
                f"The law gives {DataRequest.ANSWER_WITHIN_WORKING_DAYS} working days to answer: "
                f"by {data_request.answer_by:%A %d %B %Y}.\n\n"
                f"Open it in the admin:\n{absolute_url(reverse('admin:booking_datarequest_change', args=[data_request.pk]))}\n\n"
                "Who asked is not in this email on purpose: it is in the admin.\n"
            ),
            settings.DEFAULT_FROM_EMAIL,
            [clinic_address()],
        )
    try:
        message.send()
    except Exception as error:  # noqa: BLE001 - any failure is retried, none may lose the notice
        run_after = timezone.now() + retry_delay(attempt)
        notify_clinic_of_data_request.using(run_after=run_after).enqueue(data_request_id, attempt + 1)
        logger.warning(
            "Notice of data request %s not sent (%s); attempt %s, next at %s",
            data_request_id, type(error).__name__, attempt, run_after.isoformat(),
        )
        return "retrying"
    return "sent"
