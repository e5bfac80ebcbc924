"""Restore an archive from backup_site over the configured database and media. Stop the email worker first.

    systemctl stop clinic-worker
    python manage.py restore_site /var/backups/clinic/clinic-backup-20270302T110000Z.tar.gz --yes --worker-stopped
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from clinic_site import backups


class Command(BaseCommand):
    help = (
        "Restore the database and uploaded media from an archive made by backup_site, "
        "then check every table's row count against the backup's."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="Replace a database that already holds data.")
        parser.add_argument(
            "--worker-stopped", action="store_true",
            help="Go ahead although a task was claimed in the last few minutes: the email worker has been stopped.",
        )
        parser.add_argument(
            "--media-root", type=Path,
            help="Restore the media into this folder instead of MEDIA_ROOT (or the media storage's).",
        )

    def handle(self, *args, archive, yes, worker_stopped, media_root, **options):
        restore = backups.Restore(archive, media_root=media_root)
        try:
            refusals = restore.refusals(restore.target(), overwrite=yes, worker_stopped=worker_stopped)
        except DatabaseError as error:
            raise CommandError(f"Could not read the database to restore into: {error}") from error
        if refusals:
            raise CommandError("Nothing was restored.\n" + "\n".join(f"- {reason}" for reason in refusals))
        try:
            outcome = restore.run()
        except DatabaseError as error:
            raise CommandError(f"The restore stopped on a database error: {error}") from error
        for line in outcome.lines:
            self.stdout.write(line)
        if outcome.mismatches:
            differing = "\n".join(
                f"  {table}: {expected} in the backup, {found} now"
                for table, (expected, found) in outcome.mismatches.items()
            )
            raise CommandError(f"Restored, but these tables' row counts differ from the backup's:\n{differing}")
