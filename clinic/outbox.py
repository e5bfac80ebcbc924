"""An email that must go out, whatever happens to the worker sending it.

Each email is a row, written in the same transaction as the change that
causes it, and a task that sends it. A worker claims the row before sending
(`sending_since`), so two workers never send it at once; a worker killed
mid-send leaves the claim behind, and once it is older than
EMAIL_ABANDONED_AFTER the row counts as abandoned and is sent again
(`requeue_stalled`, run by `manage.py worker`). At most the email in flight
can go out twice, and it carries the same Message-ID both times, so the
patient's mail client can tell. A mail server that refuses an address
outright, or keeps failing for EMAIL_GIVE_UP_AFTER_HOURS, fails the row for
good: staff see it in the admin and can send it again.
"""

import logging
import smtplib
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .mail import retry_delay, site_url

logger = logging.getLogger(__name__)


def abandoned_after():
    """How old a claim is before its worker is taken for dead: longer than any send can take."""
    return timedelta(seconds=getattr(settings, "EMAIL_ABANDONED_AFTER", 180))


def give_up_after():
    return timedelta(hours=getattr(settings, "EMAIL_GIVE_UP_AFTER_HOURS", 48))


class DeliveryQuerySet(models.QuerySet):
    def pending(self):
        """Neither sent nor failed for good."""
        return self.filter(sent_at__isnull=True, failed_at__isnull=True)

    def failed(self):
        return self.filter(sent_at__isnull=True, failed_at__isnull=False)

    def claimable(self, now):
        """Pending and claimed by nobody, or by a worker that has been gone too long."""
        return self.pending().filter(Q(sending_since__isnull=True) | Q(sending_since__lt=now - abandoned_after()))

    def stalled(self, now):
        """Pending rows no live worker is handling: claimed by a dead one, or long past their time to be sent."""
        lease = now - abandoned_after()
        return (
            self.pending()
            .alias(due=Coalesce("next_attempt_at", "created_at"))
            .filter(Q(sending_since__lt=lease) | Q(sending_since__isnull=True, due__lt=lease))
        )


class Delivery(models.Model):
    """The state of one email on its way out; the model that inherits says what the email is."""

    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Only the exception's class name: a mail server's message can quote the patient's address.
    last_error = models.CharField(_("last error"), max_length=120, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sending_since = models.DateTimeField(_("being sent since"), null=True, blank=True, editable=False)
    failed_at = models.DateTimeField(
        _("failed for good"), null=True, blank=True,
        help_text=_("The mail server refused the address, or kept failing for two days. Send it again once fixed."),
    )

    objects = DeliveryQuerySet.as_manager()

    # The name in the Message-ID, so two kinds of email never share one.
    message_id_label = "email"
    # The task that sends one, by its dotted path: the task's module imports the model.
    task_path = None

    class Meta:
        abstract = True

    @property
    def message_id(self):
        """The same on every attempt: a mail client shows a second copy of one email as one."""
        domain = urlsplit(site_url()).hostname or "localhost"
        return f"<{self.message_id_label}.{self.pk}.{int(self.created_at.timestamp())}@{domain}>"

    @property
    def state(self):
        if self.sent_at:
            return _("sent")
        if self.failed_at:
            return _("failed")
        if self.sending_since:
            return _("sending")
        return _("waiting")

    def enqueue(self, run_after=None):
        task = import_string(self.task_path)
        (task.using(run_after=run_after) if run_after else task).enqueue(self.pk)

    def deliver(self, build_message):
        """Send the email `build_message(self)` gives once, unless another worker has it or has sent it.

        Never raises for a failed send: the failure is kept on the row and
        the next try queued.
        """
        now = timezone.now()
        if not type(self).objects.claimable(now).filter(pk=self.pk).update(sending_since=now):
            return "sent or being sent elsewhere"
        self.sending_since = now
        self.attempts += 1
        try:
            message = build_message(self)
            message.extra_headers["Message-ID"] = self.message_id
            message.send()
        except Exception as error:  # noqa: BLE001 - any failure is kept and retried; none may lose the email
            return self._failed(error, now)
        self.sent_at = timezone.now()
        self.sending_since = None
        self.last_error = ""
        self.next_attempt_at = None
        self.save(update_fields=["attempts", "sent_at", "sending_since", "last_error", "next_attempt_at"])
        return "sent"

    def _failed(self, error, now):
        self.last_error = type(error).__name__[:120]
        self.sending_since = None
        if refuses_for_good(error) or time_spent_trying(self.attempts) >= give_up_after():
            self.failed_at = now
            self.next_attempt_at = None
            self.save(update_fields=["attempts", "last_error", "sending_since", "failed_at", "next_attempt_at"])
            logger.error("%s %s failed for good (%s) after %s attempts", self._meta.verbose_name, self.pk,
                         self.last_error, self.attempts)
            return "failed"
        self.next_attempt_at = now + retry_delay(self.attempts)
        self.save(update_fields=["attempts", "last_error", "sending_since", "next_attempt_at"])
        self.enqueue(run_after=self.next_attempt_at)
        logger.warning("%s %s not sent (%s); attempt %s, next at %s", self._meta.verbose_name, self.pk,
                       self.last_error, self.attempts, self.next_attempt_at.isoformat())
        return "retrying"

    def send_again(self):
        """Staff's "send again" for an email that failed for good: back in the queue, with a fresh two days to go."""
        self.failed_at = None
        self.sending_since = None
        self.next_attempt_at = None
        self.attempts = 0
        self.save(update_fields=["failed_at", "sending_since", "next_attempt_at", "attempts"])
        self.enqueue()


def time_spent_trying(attempts):
    """How long `attempts` failed tries have waited between them, by the backoff."""
    return sum((retry_delay(attempt) for attempt in range(1, attempts + 1)), timedelta())


def refuses_for_good(error):
    """The mail server said no with a permanent (5xx) answer: trying again would change nothing."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return error.smtp_code >= 500
    return False


def requeue_stalled(model):
    """Queue again every email of `model` that no live worker is handling.

    The dead worker's claim is released, and the email counts as due now, so
    a worker busy with a backlog is not handed it again at every sweep. The
    update is conditional: an email a worker claimed meanwhile is left to it.
    """
    now = timezone.now()
    requeued = 0
    for delivery in model.objects.stalled(now).only("pk", "created_at"):
        if model.objects.stalled(now).filter(pk=delivery.pk).update(sending_since=None, next_attempt_at=now):
            delivery.enqueue()
            requeued += 1
    if requeued:
        logger.warning("%s: %s stalled emails queued again", model._meta.verbose_name_plural, requeued)
    return requeued
