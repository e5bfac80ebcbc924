"""Make the renditions of every picture ahead of time: after restoring a backup, loading a fixture or changing widths.

Pages only name renditions, never make them (clinic/pictures.py), so a picture
whose renditions are missing would show broken images until this runs.
"""

from django.core.management.base import BaseCommand

from clinic.models import Picture
from clinic.pictures import make_renditions


class Command(BaseCommand):
    help = "Make every missing rendition (each width and format) of every picture; --force makes them all again."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Make every rendition again, even those that exist.")

    def handle(self, *args, force=False, **options):
        pictures = made = 0
        for picture in Picture.objects.exclude(image="").iterator():
            made += make_renditions(picture, force=force)
            pictures += 1
        self.stdout.write(f"Made {made} renditions of {pictures} pictures.")
