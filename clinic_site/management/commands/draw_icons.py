from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from clinic_site.icons import ICO_SIZES, PNG_ICONS, icon


class Command(BaseCommand):
    help = "Draw static/favicon.ico and the PNG app icons from the clinic's mark (run after changing the mark)."

    def handle(self, *args, **options):
        folder = Path(settings.BASE_DIR) / "static"
        largest = icon(max(ICO_SIZES))
        # Each size drawn on its own, not scaled down from one: the lanes stay crisp at 16 pixels.
        largest.save(folder / "favicon.ico", format="ICO", sizes=[(size, size) for size in ICO_SIZES],
                     append_images=[icon(size) for size in ICO_SIZES if size != max(ICO_SIZES)])
        self.stdout.write(f"favicon.ico ({', '.join(str(size) for size in ICO_SIZES)} px)")
        for name, (size, rounded) in PNG_ICONS.items():
            image = icon(size, rounded=rounded)
            if not rounded:
                image = image.convert("RGB")  # Apple shows transparency as black
            image.save(folder / name, format="PNG", optimize=True)
            self.stdout.write(f"{name} ({size} px)")
