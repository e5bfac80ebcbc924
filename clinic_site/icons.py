"""The clinic's mark as icons: the favicons, the home-screen icons and the web app manifest.

The mark is the bend of a running track, two lanes, on a rounded square
(static/favicon.svg draws the same). `manage.py draw_icons` writes
static/favicon.ico (16, 32 and 48 pixels) and the PNG icons from the drawing
here; /favicon.ico and /site.webmanifest answer at the root, where browsers
and crawlers ask for them.
"""

import functools
import json

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.templatetags.static import static
from django.utils import translation
from django.views.decorators.http import require_safe
from PIL import Image, ImageDraw

from clinic.models import Clinic

# The site's tokens (DESIGN.md): white on primary 7.90:1; tint on primary 6.77:1.
PRIMARY = (14, 90, 98)
TINT = (227, 240, 240)
WHITE = (255, 255, 255)
# The share card's lane lines, a shade lighter than primary: decoration, not text.
LANE = (45, 118, 126)

# The PNG icons: file name -> (size, rounded corners). Apple rounds its icons itself, so its own is square.
PNG_ICONS = {
    "apple-touch-icon.png": (180, False),
    "icon-192.png": (192, True),
    "icon-512.png": (512, True),
}
ICO_SIZES = (16, 32, 48)

# Units of a 32-unit square, as static/favicon.svg.
MARK_LANES = ((10, 3.5), (3.5, 3.5))  # (radius of the lane's centre line, stroke width)
MARK_CENTRE = (16, 15)
MARK_FOOT = 27


def draw_mark(image, left, top, size, tile=PRIMARY, lanes=(WHITE, TINT), rounded=True):
    """The clinic's mark, `size` pixels square, drawn onto `image` at (left, top), smoothed by drawing it 8× larger."""
    scale = 8
    big = Image.new("RGBA", (size * scale, size * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    unit = size * scale / 32
    if tile is not None:
        draw.rounded_rectangle((0, 0, big.width - 1, big.height - 1), radius=7 * unit if rounded else 0, fill=tile)
    cx, cy = MARK_CENTRE
    for (radius, stroke), colour in zip(MARK_LANES, lanes, strict=True):
        outer = (radius + stroke / 2) * unit
        draw.arc(
            (cx * unit - outer, cy * unit - outer, cx * unit + outer, cy * unit + outer),
            start=180, end=360, fill=colour, width=round(stroke * unit),
        )
        for x in (cx - radius, cx + radius):
            draw.rectangle(
                ((x - stroke / 2) * unit, cy * unit, (x + stroke / 2) * unit, MARK_FOOT * unit), fill=colour
            )
    small = big.resize((size, size), Image.Resampling.LANCZOS)
    image.alpha_composite(small, (left, top)) if image.mode == "RGBA" else image.paste(small, (left, top), small)


def icon(size, rounded=True):
    """The mark alone, as the favicons and the app icons show it."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw_mark(image, 0, 0, size, rounded=rounded)
    return image



@functools.cache
def static_file(name):
    path = finders.find(name)
    if path is None:
        raise Http404(name)
    with open(path, "rb") as file:
        return file.read()


@require_safe
def favicon_ico(request):
    response = HttpResponse(static_file("favicon.ico"), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def web_manifest(request):
    """The web app manifest in the page's language: name, icons and colours for a phone's home screen."""
    clinic = Clinic.load()
    language = translation.get_language()
    manifest = {
        "name": clinic.name,
        "short_name": clinic.name,
        "description": clinic.description,
        "lang": "es-MX" if language == "es" else "en",
        "dir": "ltr",
        "start_url": "/es/" if language == "es" else "/",
        "scope": "/",
        "display": "browser",
        "theme_color": "#0e5a62",
        "background_color": "#ffffff",
        "icons": [
            {"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
            *({"src": static(name), "sizes": f"{size}x{size}", "type": "image/png"}
              for name, (size, rounded) in PNG_ICONS.items() if rounded),
        ],
    }
    response = HttpResponse(json.dumps(manifest, ensure_ascii=False), content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response
