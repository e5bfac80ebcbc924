"""The email worker: django-tasks' `db_worker`, which also sends again what a dead worker left unsent.

A worker killed mid-send (an out-of-memory kill, a reboot, a platform that
stops it after a short grace) leaves its email claimed and its task
"running" for ever. Every few seconds this worker looks for such emails, and
for emails whose task was lost, and queues them again (clinic.outbox), so
every email still goes out within minutes of any worker running again.
"""

import logging
import threading

from django.db import DatabaseError, connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from booking.tasks import requeue_stalled_emails
from clinic.outbox import abandoned_after
from privacy.tasks import requeue_stalled_notices

logger = logging.getLogger(__name__)


def sweep():
    """One look for work a dead worker left behind; safe on any number of hosts at once."""
    now = timezone.now()
    gone = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=now - abandoned_after()).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path="worker stopped",
        traceback="The worker running this task stopped before it finished; its email was queued again.",
    )
    if gone:
        logger.warning("%s tasks were left running by a worker that stopped", gone)
    return requeue_stalled_emails() + requeue_stalled_notices()


class Command(db_worker.Command):
    help = "Send the site's queued emails, and send again any that a stopped worker left unsent."

    def handle(self, *args, **options):
        # At once on starting, so a restarted worker picks up what the dead one left.
        sweep()
        if options["batch"]:
            return super().handle(*args, **options)
        stop = threading.Event()
        threading.Thread(target=self.sweep_until, args=(stop,), name="sweeper", daemon=True).start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()

    @staticmethod
    def sweep_until(stop):
        # Often enough that an abandoned email waits little longer than its lease.
        every = max(1.0, min(30.0, abandoned_after().total_seconds() / 3))
        while not stop.wait(every):
            try:
                sweep()
            except DatabaseError:
                logger.warning("Could not look for abandoned emails; trying again in %s s", every, exc_info=True)
            finally:
                connection.close()  # this thread's own connection
