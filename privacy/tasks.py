"""Durable tasks, run by `manage.py db_worker`."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from clinic.mail import absolute_url, clinic_inbox, retry_delay

from .models import DataRequest

logger = logging.getLogger(__name__)


@task()
def notify_clinic_of_data_request(data_request_id, attempt=1):
    """Tell the clinic a data request has arrived: its kind, deadline and admin link, nothing about the patient.

    Retried with backoff while the mail server is unreachable; never raises.
    """
    data_request = DataRequest.objects.filter(pk=data_request_id).first()
    if data_request is None or data_request.status != DataRequest.Status.OPEN:
        return "nothing to send"
    with translation.override("en"):
        context = {
            "data_request": data_request,
            "kind": str(data_request.get_kind_display()),
            "working_days": DataRequest.ANSWER_WITHIN_WORKING_DAYS,
            "admin_url": absolute_url(reverse("admin:privacy_datarequest_change", args=[data_request.pk])),
        }
        message = EmailMessage(
            render_to_string("privacy/emails/data_request_subject.txt", context).strip(),
            render_to_string("privacy/emails/data_request.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [clinic_inbox()],
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
