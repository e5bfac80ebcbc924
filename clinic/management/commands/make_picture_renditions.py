"""Make the renditions of every picture ahead of time: after restoring a backup, loading a fixture or changing widths.

Pages only name renditions, never make them (clinic/pictures.py), so a picture
whose renditions are missing would show broken images until this runs.
"""

from django.core.management.base import BaseCommand

from clinic.models import Picture
from clinic.pictures import make_renditions, storage_errors


class Command(BaseCommand):
    help = "Make every missing rendition (each width and format) of every picture; --force makes them all again."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Make every rendition again, even those that exist.")

    def handle(self, *args, force=False, **options):
        pictures = made = 0
        failed = []
        for picture in Picture.objects.exclude(image="").iterator():
            pictures += 1
            try:
                made += make_renditions(picture, force=force)
            except storage_errors() as error:
                # One picture the storage cannot take (a full disk, the bucket out of reach) stops no release:
                # its page shows the alt text until a later run makes the files.
                failed.append(picture.pk)
                self.stderr.write(f"Picture {picture.pk}: its renditions could not all be made ({type(error).__name__}).")
        self.stdout.write(f"Made {made} renditions of {pictures} pictures.")
        if failed:
            self.stderr.write(f"{len(failed)} pictures still lack renditions: run this again once the storage is back.")
