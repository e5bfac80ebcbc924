"""Durable tasks, run by `manage.py worker`."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from clinic.mail import absolute_url, clinic_inbox
from clinic.outbox import requeue_stalled

from .models import ClinicNotice, DataRequest


def queue_clinic_notice(data_request):
    """Queue the clinic's notice of `data_request`. Call inside the transaction that saves it."""
    ClinicNotice.objects.create(data_request=data_request).enqueue()


@task()
def notify_clinic_of_data_request(clinic_notice_id):
    """Tell the clinic a data request has arrived (clinic.outbox): retried while the mail server is unreachable."""
    notice = ClinicNotice.objects.select_related("data_request").filter(pk=clinic_notice_id).first()
    if notice is None or notice.sent_at or notice.failed_at:
        return "nothing to send"
    if notice.data_request.status != DataRequest.Status.OPEN:
        return "nothing to send"
    return notice.deliver(build_message)


def build_message(notice):
    data_request = notice.data_request
    with translation.override("en"):
        context = {
            "data_request": data_request,
            "kind": str(data_request.get_kind_display()),
            "working_days": DataRequest.ANSWER_WITHIN_WORKING_DAYS,
            "admin_url": absolute_url(reverse("admin:privacy_datarequest_change", args=[data_request.pk])),
        }
        return EmailMessage(
            render_to_string("privacy/emails/data_request_subject.txt", context).strip(),
            render_to_string("privacy/emails/data_request.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [clinic_inbox()],
        )


def requeue_stalled_notices():
    return requeue_stalled(ClinicNotice)
