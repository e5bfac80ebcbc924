"""Share cards: the 1200×630 image a link to any public page shows on WhatsApp, Facebook, X or in a message.

A page with its own photo (the opening photo on "/", a condition's photo)
shares that photo, cropped around its focal point; any other page shares a card
drawn here with Pillow from the page's title and the clinic's name, in the
site's colours and the page's language. The card's address carries what it
shows, signed with the site's secret key (nobody can make the site draw text of
their own) and changing whenever the title or photo does, and only then (no
time in the signature), so it is cached for good, in the shared cache and by
browsers and the networks' crawlers. A cache that is down costs a drawing, never
the card.
"""

import hashlib
import html
import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.core import signing
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe
from PIL import Image, ImageDraw, ImageFont, ImageOps

from clinic.models import Clinic, Picture
from clinic_site.icons import LANE, PRIMARY, TINT, WHITE, draw_mark

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
SALT = "clinic_site.share_cards"
# A plain Signer, not signing.dumps's TimestampSigner: a card's address must be the same at every render
# of the page, or each render would name a new image (drawn again, stored again, fetched again).
SIGNER = signing.Signer(salt=SALT)
# A day in the shared cache is plenty: drawing a card again takes a few hundredths of a second.
CACHE_SECONDS = 24 * 60 * 60
CACHE_PREFIX = "share-card:"
PHOTO_QUALITY = 82


# Debian's DejaVu Sans, from the fonts-dejavu-core package (README.md, "Production"): it has every letter
# of Spanish and English, and the cards' sizes are chosen for its widths.
FONT_PACKAGE = "fonts-dejavu-core"
FONT_FILES = {
    "bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "regular": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
}


@lru_cache(maxsize=16)
def font(weight, size):
    path = Path(FONT_FILES[weight])
    if path.exists():
        return ImageFont.truetype(str(path), size)
    # Without it the cards are still drawn, in Pillow's own scalable font (Aileron, built into Pillow
    # with FreeType), so a link still shows a card; but said once a size, as the letters are not
    # the ones the card was laid out for and the host is missing a package it should have.
    logger.warning("Share cards: %s is missing (Debian's %s); drawing in Pillow's own font instead.",
                   path, FONT_PACKAGE)
    return ImageFont.load_default(size=size)


# What a page shares


@dataclass(frozen=True)
class ShareCard:
    """The card a page shares: its address, size and text alternative, and the page's own title."""

    url: str
    alt: str
    title: str
    document_title: str
    mime_type: str
    width: int = WIDTH
    height: int = HEIGHT


def share_title(document_title, clinic_name):
    """The page's own title from its <title>: "Choose a day · Book an assessment · Clinic" → "Book an assessment".

    The clinic's name and an "Error: " prefix are dropped (a card is shared, not an error); the last part left
    names the page. A page whose title is the clinic's name alone shares the clinic's name.
    """
    title = html.unescape(" ".join(str(document_title).split()))
    error = translation.gettext("Error:")
    if title.startswith(error):
        title = title[len(error):].strip()
    parts = [part.strip() for part in title.split(" · ") if part.strip()]
    if len(parts) > 1 and parts[-1] == clinic_name:
        parts.pop()
    return parts[-1] if parts else clinic_name


def card_for(document_title, clinic_name, picture=None, shared_title=""):
    """The ShareCard of a page titled `document_title` (in the active language), showing `picture` if it has one.

    `shared_title`, when the page gives one, is the card's title instead of the page's own: a private page
    shares a generic one, as the card's address (signed, not secret) is fetched by the networks' crawlers
    and written in logs, and must carry no booking reference or name.
    """
    language = translation.get_language() or "en"
    shared_title = " ".join(str(shared_title).split())
    title = html.unescape(shared_title) if shared_title else share_title(document_title, clinic_name)
    payload = {"t": title, "l": language}
    if picture is not None and picture.image:
        # The photo's file name is new with every upload and its focal point moves the crop: either makes a new card.
        payload.update(p=picture.pk, f=picture.image.name, x=picture.focal_x, y=picture.focal_y)
    token = SIGNER.sign_object(payload, compress=True)
    extension = "jpg" if "p" in payload else "png"
    if "p" in payload:
        alt = picture.alt_text if not picture.is_decorative and picture.alt_text else title
    else:
        alt = f"{title} · {clinic_name}" if title != clinic_name else clinic_name
    return ShareCard(
        url=reverse("share_card", kwargs={"token": token, "extension": extension}),
        alt=alt,
        title=title,
        document_title=str(document_title),
        mime_type="image/jpeg" if extension == "jpg" else "image/png",
    )


# The image


@require_safe
def share_card(request, token, extension):
    """The card at a signed address: 200 with the image, or 404 for an address the site never made."""
    try:
        payload = SIGNER.unsign_object(token)
    except signing.BadSignature:
        raise Http404("No such card.") from None
    key = CACHE_PREFIX + hashlib.sha256(token.encode()).hexdigest()
    content_type, body = cached_card(key, payload)
    response = HttpResponse(body, content_type=content_type)
    # The address changes whenever what it shows does.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def cached_card(key, payload):
    """The card, from the shared cache when it has it, else drawn and stored there; drawn alone when the cache is down.

    A cache that is down never breaks a page. The warnings name neither the key nor the address: the
    address carries the page's title, and the exception's message could quote either.
    """
    try:
        stored = cache.get(key)
    except Exception:  # whatever the backend raises when its server is gone
        logger.warning("Share cards: the cache is not answering; the card is drawn without it.")
        return render_card(payload)
    if stored is None:
        stored = render_card(payload)
        try:
            cache.set(key, stored, CACHE_SECONDS)
        except Exception:
            logger.warning("Share cards: the cache is not answering; the card is not kept.")
    return stored


def render_card(payload):
    """(content type, bytes) of the card `payload` describes: the page's photo if it is still there, else a drawn card."""
    with translation.override(payload.get("l", "en")):
        if "p" in payload:
            picture = Picture.objects.filter(pk=payload["p"], image=payload.get("f", "")).first()
            if picture is not None:
                photo = cropped_photo(picture, payload.get("x", 50), payload.get("y", 50))
                if photo is not None:
                    return photo
        clinic = Clinic.load()
        return "image/png", drawn_card(str(payload.get("t", clinic.name)), clinic.name, clinic.locality)


def cropped_photo(picture, focal_x, focal_y):
    """The picture scaled to cover 1200×630 and cropped around its focal point, as a JPEG; None if it cannot be read."""
    try:
        with picture.image.open("rb") as file, Image.open(file) as original:
            original.load()
            image = original.convert("RGB")
    except (OSError, ValueError):
        logger.warning("Share card: picture %s could not be read; a drawn card is shared instead.", picture.pk)
        return None
    image = ImageOps.fit(
        image, (WIDTH, HEIGHT), Image.Resampling.LANCZOS, centering=(focal_x / 100, focal_y / 100)
    )
    output = io.BytesIO()
    image.save(output, "JPEG", quality=PHOTO_QUALITY, optimize=True, progressive=True)
    return "image/jpeg", output.getvalue()


def wrapped(draw, text, typeface, width):
    """`text` broken into lines no wider than `width` (a single word wider than that keeps a line of its own)."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=typeface) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def fits(draw, lines, typeface, width, max_lines):
    return len(lines) <= max_lines and all(draw.textlength(line, font=typeface) <= width for line in lines)


def drawn_card(title, clinic_name, locality):
    """A PNG: the mark and the clinic's name, the title large, the place, and lane lines along the foot."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PRIMARY)
    draw = ImageDraw.Draw(image)
    margin = 80
    # The foot: lane lines, as the site's rules.
    for index, y in enumerate((HEIGHT - 58, HEIGHT - 34)):
        draw.rectangle((0, y, WIDTH, y + 6 - index * 2), fill=LANE)
    draw_mark(image, margin, 64, 72, tile=WHITE, lanes=(PRIMARY, LANE))
    draw.text((margin + 96, 100), clinic_name, font=font("bold", 40), fill=WHITE, anchor="lm")
    # The title: as large as fits in three lines, shortened with an ellipsis only when even the smallest does not.
    text_width = WIDTH - 2 * margin
    for size in (84, 76, 68, 60, 52):
        typeface = font("bold", size)
        lines = wrapped(draw, title, typeface, text_width)
        if fits(draw, lines, typeface, text_width, 3):
            break
    else:
        lines = lines[:3]
        while draw.textlength(lines[-1] + "…", font=typeface) > text_width and " " in lines[-1]:
            lines[-1] = lines[-1].rsplit(" ", 1)[0]
        lines[-1] += "…"
    leading = round(size * 1.18)
    top = 176 + (3 - len(lines)) * leading // 2
    for number, line in enumerate(lines):
        draw.text((margin, top + number * leading), line, font=typeface, fill=WHITE)
    if locality:
        draw.text((margin, HEIGHT - 92), locality, font=font("regular", 34), fill=TINT, anchor="ls")
    output = io.BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()
