"""Back up the database and uploaded media into one archive. Run nightly and before every deploy (README, "Backups").

    python manage.py backup_site --to-dir /var/backups/clinic --keep 3
"""

from argparse import ArgumentTypeError
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from clinic_site import backups


def at_least_one(value):
    number = int(value)
    if number < 1:
        raise ArgumentTypeError("must be 1 or more")
    return number


class Command(BaseCommand):
    help = (
        "Back up the database and uploaded media into one archive, readable by its owner only: "
        "it holds patients' health data. Encrypt it before it leaves the server."
    )

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--output", type=Path, help="The archive to write (replaced atomically if it exists).")
        where.add_argument(
            "--to-dir", type=Path,
            help="The folder to write clinic-backup-<UTC time>.tar.gz into (default: the current folder).",
        )
        parser.add_argument(
            "--keep", type=at_least_one, help="With --to-dir: then delete all but the newest N archives there."
        )
        parser.add_argument(
            "--keep-days", type=at_least_one, help="With --to-dir: then delete the archives there older than N days."
        )
        parser.add_argument(
            "--media-root", type=Path,
            help="Back up this folder as the uploaded media instead of MEDIA_ROOT (or the media storage's).",
        )

    def handle(self, *args, output, to_dir, keep, keep_days, media_root, **options):
        if (keep or keep_days) and not to_dir:
            raise CommandError("--keep and --keep-days prune a folder of archives: use them with --to-dir.")
        try:
            archive = backups.back_up(output=output, folder=to_dir, media_root=media_root)
        except DatabaseError as error:
            raise CommandError(f"Could not read the database: {error}") from error
        self.stdout.write(archive.summary())
        if keep or keep_days:
            for path in backups.prune(to_dir, keep=keep, keep_days=keep_days, spare=archive.path):
                self.stdout.write(f"Deleted {path.name}")
