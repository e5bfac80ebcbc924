"""Photos staff upload: checked by their content, re-encoded to nothing but pixels, and shown in several widths.

An upload is opened by Pillow, never trusted by its name: only a real JPEG,
PNG, WebP or HEIC (iPhones' own format) within MAX_UPLOAD_BYTES,
MAX_UPLOAD_PIXELS and MAX_ASPECT_RATIO is accepted, decoded in full (a
truncated file is refused), made no larger than STORED_LONG_EDGE before any
copy of its pixels, turned upright (EXIF orientation), converted to sRGB and
written again as a new file that carries no metadata at all: no EXIF, no GPS
position, no camera, no colour profile, no comment. Its name is random
(clinic.models.picture_upload_to).

Renditions (django-imagekit's ImageSpec and cache files) are made once, right
after the picture is saved, in the same storage as the original (a local folder
or the S3 bucket): RENDITION_WIDTHS in AVIF, WebP and a JPEG fallback. A page
only computes their names (the "optimistic" strategy): no query and no storage
call per picture per page view. `manage.py make_picture_renditions` makes any
that are missing (after a restore from elsewhere, or a change of widths); every
release runs it (Procfile). A rendition that cannot be made (a full disk, the
bucket out of reach) never fails the save: the photo is kept, the failure logged
and the staff member told (clinic.admin.PictureAdmin.save_model).
"""

import contextlib
import functools
import io
import logging
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from imagekit import ImageSpec
from imagekit.cachefiles import ImageCacheFile
from imagekit.hashers import pickle as spec_hash
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from pilkit.processors import ResizeToFit
from pillow_heif import register_heif_opener

# HEIC/HEIF, what iPhones take photos in: Pillow reads it through libheif.
register_heif_opener(thumbnails=False)

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# 50 megapixels: a phone's full-resolution photo fits; a "decompression bomb" (a small file
# that decodes to gigabytes) does not, and is refused before its pixels are decoded.
MAX_UPLOAD_PIXELS = 50_000_000
# The stored original is never wider or taller than this: larger than any rendition, far smaller than a camera's file.
STORED_LONG_EDGE = 2560
# A strip longer than this many times its width is no photo, and at STORED_LONG_EDGE its narrowest renditions would
# be a pixel or none high. 20 leaves room for any panorama a phone takes (about 4:1) and a banner cut from one.
MAX_ASPECT_RATIO = 20
STORED_JPEG_QUALITY = 90

# Pillow's format names -> what the upload is stored as. MPO is a phone JPEG carrying a second, depth image.
ACCEPTED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "JPEG", "HEIF": "JPEG"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png"}

# Widths in CSS pixels × device pixel ratio the pages ask for: a phone's column at 1×, 2× and 3×, and a wide column.
RENDITION_WIDTHS = (360, 720, 1080, 1600)
# Best first: a browser takes the first <source> it can show; JPEG is the <img> every browser reads.
RENDITION_FORMATS = {
    "avif": ("AVIF", "image/avif", {"quality": 55, "speed": 7}),
    "webp": ("WEBP", "image/webp", {"quality": 72, "method": 5}),
    "jpeg": ("JPEG", "image/jpeg", {"quality": 76, "optimize": True, "progressive": True}),
}
RENDITIONS_FOLDER = "pictures/renditions"


# Checking and cleaning an upload


def refuse(message, code, **params):
    raise ValidationError(message, code=code, params=params)


def clean_upload(upload):
    """A ContentFile with the upload's pixels alone, re-encoded; ValidationError if it is not a photo we accept."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        refuse(
            _("This file is %(size)s; a photo can be at most %(limit)s. Export it smaller and upload it again."),
            "too_large", size=filesizeformat(upload.size), limit=filesizeformat(MAX_UPLOAD_BYTES),
        )
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        refuse(_("This file is larger than %(limit)s."), "too_large", limit=filesizeformat(MAX_UPLOAD_BYTES))
    not_a_photo = _("This file is not a JPEG, PNG, WebP or HEIC photo. Upload a photo in one of those formats.")
    with warnings.catch_warnings():
        # Pillow warns between its own limit and twice it; we refuse by our own, lower one.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError:
            refuse_too_many_pixels()
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            refuse(not_a_photo, "not_a_photo")
        with image:
            if image.format not in ACCEPTED_FORMATS:
                refuse(not_a_photo, "not_a_photo")
            width, height = image.size
            if width * height > MAX_UPLOAD_PIXELS:
                refuse_too_many_pixels(width, height)
            if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
                refuse(_("This photo is %(width)d × %(height)d pixels: one side is more than %(ratio)d times the "
                         "other, too thin a strip to show. Crop it closer to the usual shape of a photo and upload "
                         "it again."), "too_thin", width=width, height=height, ratio=MAX_ASPECT_RATIO)
            try:
                # verify() reads the file's structure (checksums of a PNG); load() decodes every pixel, which is
                # what finds a JPEG cut short. verify() leaves the image unusable, hence the second open.
                image.verify()
                image = Image.open(io.BytesIO(data))
                if image.format in ("JPEG", "MPO"):
                    # A camera's JPEG is decoded straight at 1/2, 1/4 or 1/8 of its size, never below what is
                    # stored: a 48-megapixel photo takes a quarter of the memory or less. Every byte is still read.
                    image.draft(None, stored_size(width, height))
                image.load()
            except Image.DecompressionBombError:
                refuse_too_many_pixels(width, height)
            except (OSError, ValueError, SyntaxError, EOFError):
                refuse(_("This photo is damaged or incomplete (perhaps cut short while copying). "
                         "Open it on your computer or phone, save it again and upload that copy."), "broken")
            stored_format = ACCEPTED_FORMATS[image.format]
            pixels = clean_pixels(image)
    if stored_format == "PNG" and not has_transparency(pixels):
        stored_format = "JPEG"  # a screenshot or an exported photo without transparency: far smaller as JPEG
    if stored_format == "JPEG":
        pixels = pixels.convert("RGB")
    output = io.BytesIO()
    if stored_format == "JPEG":
        pixels.save(output, "JPEG", quality=STORED_JPEG_QUALITY, optimize=True, progressive=True)
    else:
        pixels.save(output, "PNG", optimize=True)
    return ContentFile(output.getvalue(), name=f"picture.{EXTENSIONS[stored_format]}")


def refuse_too_many_pixels(width=None, height=None):
    limit = MAX_UPLOAD_PIXELS // 1_000_000
    if width and height:
        refuse(_("This photo is %(width)d × %(height)d pixels; it can have at most %(limit)d megapixels. "
                 "Export it smaller and upload it again."), "too_many_pixels", width=width, height=height, limit=limit)
    refuse(_("This file would open to far more than %(limit)d megapixels, so it is refused. "
             "Upload a photo exported at a usual size."), "too_many_pixels", limit=limit)


def stored_size(width, height):
    """The size a `width` × `height` upload is stored at: the same shape, the long edge at most STORED_LONG_EDGE."""
    scale = min(1, STORED_LONG_EDGE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def clean_pixels(image):
    """A new image with `image`'s pixels only: upright, in sRGB, at most STORED_LONG_EDGE, in RGB or RGBA.

    Made smaller first, so that each later step (turning, converting, the final
    copy) copies a stored-size image rather than the camera's: a 7000 × 7000
    PNG would otherwise be copied at full size, some 200 MB a copy.
    """
    profile = image.info.get("icc_profile")
    if image.mode not in ("RGB", "RGBA", "L", "LA") or "transparency" in image.info:
        # A palette or 1-bit image is resized by nearest neighbour, and one transparent colour would not blend
        # at the edges: these are converted first, at full size.
        image = to_rgb(image)
    image.thumbnail((STORED_LONG_EDGE, STORED_LONG_EDGE), Image.Resampling.LANCZOS)  # in place: no copy kept
    ImageOps.exif_transpose(image, in_place=True)
    image = to_rgb(image)
    if profile:
        image = to_srgb(image, profile)
    # A fresh image given only the pixels: nothing of the file's info (EXIF, XMP, ICC, comments) comes along.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def to_rgb(image):
    if image.mode in ("RGB", "RGBA"):
        return image
    return image.convert("RGBA" if has_alpha_band(image) else "RGB")


def has_alpha_band(image):
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def has_transparency(image):
    return image.mode == "RGBA" and image.getchannel("A").getextrema()[0] < 255


def to_srgb(image, profile):
    """`image` converted from its embedded colour profile to sRGB; unchanged if the profile cannot be read."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image


class PictureFileField(forms.ImageField):
    """The admin's upload box for a Picture: refuses anything clean_upload refuses, and keeps only the clean file."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        accepted = ["image/jpeg", "image/png", "image/webp", "image/heic", "image/heif", ".heic", ".heif"]
        # What the file picker offers; the file is still checked by its content on the server.
        self.widget.attrs["accept"] = ",".join(accepted)

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        return clean_upload(upload)


# Renditions


class Rendition(ImageSpec):
    """One width of a picture in one format, saved beside the original under a name made from it."""

    cachefile_strategy = "imagekit.cachefiles.strategies.Optimistic"
    width = RENDITION_WIDTHS[0]
    kind = "jpeg"

    def __init__(self, source):
        super().__init__(source)
        self.format, _type, self.options = RENDITION_FORMATS[self.kind]
        self.processors = [OnWhite(self.kind), ResizeToFit(width=self.width, upscale=False)]

    @property
    def cachefile_name(self):
        stem = PurePosixPath(self.source.name).stem
        # The hash changes with the settings above, so changed settings make new files rather than reuse stale ones.
        version = spec_hash([self.width, self.format, self.options])[:8]
        return f"{RENDITIONS_FOLDER}/{stem}/{self.width}-{version}.{self.kind if self.kind != 'jpeg' else 'jpg'}"


class OnWhite:
    """For JPEG, which has no transparency: a transparent PNG is set on white, as on the page, not on black."""

    def __init__(self, kind):
        self.kind = kind

    def process(self, image):
        if self.kind != "jpeg" or image.mode != "RGBA":
            return image
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background


RENDITION_SPECS = {
    (kind, width): type(f"Rendition{kind.title()}{width}", (Rendition,), {"kind": kind, "width": width})
    for kind in RENDITION_FORMATS
    for width in RENDITION_WIDTHS
}


def rendition_files(picture):
    """Every rendition of `picture`, as imagekit cache files (nothing is read or made until asked)."""
    return [ImageCacheFile(spec(source=picture.image)) for spec in RENDITION_SPECS.values()]


def make_renditions(picture, force=False):
    """Make the renditions of `picture` that do not exist yet (all of them with force). Returns how many were made.

    Raises what the storage or an encoder raises (storage_errors), having
    removed the rendition it was writing.
    """
    if not picture.image:
        return 0
    made = 0
    for rendition in rendition_files(picture):
        exists = rendition.storage.exists(rendition.name)
        if force or not exists:
            if exists:
                rendition.storage.delete(rendition.name)  # else the storage would save it under another name
            try:
                rendition.generate(force=True)
            except Exception:
                # A write cut short (a full disk) can leave the start of a file, which would pass for a rendition
                # from then on: pages and make_picture_renditions only ask whether the name exists.
                with contextlib.suppress(*storage_errors()):
                    rendition.storage.delete(rendition.name)
                raise
            made += 1
    return made


@functools.cache
def storage_errors():
    """What the storage or an image encoder raises when it fails (a full disk, the bucket out of reach, a size it
    cannot encode), as against a bug in the code."""
    # The S3 bucket's too (django-storages): imported here, not at start-up, as the local folder needs none of it.
    from botocore.exceptions import BotoCoreError, ClientError

    return (OSError, ValueError, BotoCoreError, ClientError)


def make_renditions_or_log(picture):
    """make_renditions, with a failure logged rather than raised. Returns whether every rendition now exists.

    The photo itself is saved either way; `manage.py make_picture_renditions`
    (which every release runs) makes what is missing once the storage is back.
    """
    try:
        make_renditions(picture)
    except storage_errors() as error:
        # The picture's number and the error alone: never its alt text or caption, which may name a person.
        logger.warning(
            "The renditions of picture %s could not all be made (%s: %s); manage.py make_picture_renditions "
            "makes the missing ones.", picture.pk, type(error).__name__, error,
        )
        return False
    return True


def delete_files(image, picture_pk):
    """A picture's original and renditions, out of storage: a photo taken down is gone, not just unlinked.

    Run once the change is committed, so a storage that fails then cannot undo it or fail the staff member's
    request: the failure is logged, and the files are left behind.
    """
    if not image:
        return
    try:
        for spec in RENDITION_SPECS.values():
            rendition = ImageCacheFile(spec(source=image))
            rendition.storage.delete(rendition.name)
        image.storage.delete(image.name)
    except storage_errors() as error:
        # By the picture's number: the log keeps random names such as the file's out (clinic_site.log_redaction).
        logger.warning(
            "The old files of picture %s (replaced or taken down) could not all be removed (%s: %s); they are left "
            "in storage.", picture_pk, type(error).__name__, error,
        )


def previous_image(sender, instance, raw=False, **kwargs):
    """Before a save: the file the row had, to delete once a new upload replaced it."""
    instance._replaced_image = None
    if raw or instance.pk is None:
        return
    before = sender._default_manager.filter(pk=instance.pk).values_list("image", flat=True).first()
    if before and before != instance.image.name:
        instance._replaced_image = sender._meta.get_field("image").attr_class(instance, instance.image.field, before)


def after_save(sender, instance, raw=False, **kwargs):
    """Renditions right away, so the first page view finds them; the replaced file goes once the save is committed.

    `instance.renditions_failed` says whether some could not be made (the admin tells the staff member).
    """
    if raw:
        return  # loading a fixture or a backup: make_picture_renditions makes them
    instance.renditions_failed = not make_renditions_or_log(instance)
    replaced = getattr(instance, "_replaced_image", None)
    if replaced:
        transaction.on_commit(lambda: delete_files(replaced, instance.pk))


def after_delete(sender, instance, **kwargs):
    image, pk = instance.image, instance.pk
    transaction.on_commit(lambda: delete_files(image, pk))


def connect_signals(picture_model):
    pre_save.connect(previous_image, sender=picture_model, dispatch_uid="picture_previous_image")
    post_save.connect(after_save, sender=picture_model, dispatch_uid="picture_renditions")
    post_delete.connect(after_delete, sender=picture_model, dispatch_uid="picture_files_deleted")


@dataclass(frozen=True)
class Source:
    type: str
    srcset: str


@dataclass(frozen=True)
class Shown:
    """What templates/includes/picture.html writes for one picture."""

    sources: list
    src: str
    srcset: str
    focal_class: str
    preload: str  # the AVIF a wide screen most often takes, for <link rel="preload" href>


def widths_for(picture):
    """The rendition widths worth offering for `picture`: none wider than the picture itself (never upscaled)."""
    widths = [width for width in RENDITION_WIDTHS if width < picture.width]
    # The first width at or above the picture's own is the picture at its full width.
    wider = [width for width in RENDITION_WIDTHS if width >= picture.width]
    return [(width, width) for width in widths] + ([(wider[0], picture.width)] if wider else [])


def shown(picture):
    """The <source>s, fallback and focal class of `picture`, computed from its name and size alone."""
    widths = widths_for(picture)
    srcsets = {}
    for kind in RENDITION_FORMATS:
        srcsets[kind] = ", ".join(
            f"{ImageCacheFile(RENDITION_SPECS[kind, spec_width](source=picture.image)).url} {real_width}w"
            for spec_width, real_width in widths
        )
    fallback_width = next((spec for spec, real in widths if real >= 720), widths[-1][0])
    fallback = ImageCacheFile(RENDITION_SPECS["jpeg", fallback_width](source=picture.image)).url
    preload_width = next((spec for spec, real in widths if real >= 1080), widths[-1][0])
    preload = ImageCacheFile(RENDITION_SPECS["avif", preload_width](source=picture.image)).url
    return Shown(
        sources=[Source(type=mime, srcset=srcsets[kind]) for kind, (_f, mime, _o) in RENDITION_FORMATS.items()
                 if kind != "jpeg"],
        src=fallback,
        srcset=srcsets["jpeg"],
        focal_class=focal_class(picture),
        preload=preload,
    )


def focal_class(picture):
    """CSS classes for the focal point, rounded to a 25% grid (site.css: no style attribute under the CSP)."""
    return f"focal-x{round(picture.focal_x / 25) * 25} focal-y{round(picture.focal_y / 25) * 25}"
