"""Renditions that cannot be made (a full disk, a bucket out of reach) never cost the photo: it is kept, staff told."""

import errno
import io
import logging
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from PIL import Image
from pytest_django.asserts import assertContains

from clinic import pictures
from clinic.models import Picture
from tests.clinic.test_pictures import form_data, jpeg_with_gps, stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


class FullDisk:
    """The media folder with room for the original (written first) and none for renditions: each is cut short."""

    def __init__(self):
        self.full = True

    def install(self, monkeypatch):
        save = FileSystemStorage._save

        def save_what_fits(storage, name, content):
            if not (self.full and name.startswith(pictures.RENDITIONS_FOLDER)):
                return save(storage, name, content)
            # As the kernel does: the first blocks are written, then the write fails.
            save(storage, name, ContentFile(content.read()[:100]))
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(FileSystemStorage, "_save", save_what_fits)


@pytest.fixture
def full_disk(monkeypatch):
    disk = FullDisk()
    disk.install(monkeypatch)
    return disk


def upload_and_follow(client):
    """The admin's "Save" for a new photo, and the page it leads to, with its messages."""
    return client.post(reverse("admin:clinic_picture_add"), form_data(jpeg_with_gps()), follow=True)


def renditions(media):
    return [path for path in stored_files(media) if "renditions" in path.parts]


def test_a_full_disk_while_making_renditions_keeps_the_photo_and_tells_staff_how_they_will_be_made(
    editor_client, media, full_disk, caplog
):
    with caplog.at_level(logging.WARNING, logger="clinic.pictures"):
        response = upload_and_follow(editor_client)

    assert response.status_code == 200
    assertContains(response, "manage.py make_picture_renditions")
    assert [message.level_tag for message in response.context["messages"]].count("warning") == 1
    picture = Picture.objects.get()
    assert (Path(media) / picture.image.name).is_file()
    # Nothing cut short is left to pass for a finished rendition.
    assert renditions(media) == []
    assert f"picture {picture.pk}" in caplog.text and "No space left on device" in caplog.text
    assert "Ana" not in caplog.text
    # Pages only name renditions, so the photo's page still renders.
    assert 'type="image/avif"' in render_to_string("includes/picture.html", {"picture": picture})

    full_disk.full = False
    out = StringIO()
    call_command("make_picture_renditions", stdout=out)

    assert out.getvalue() == f"Made {len(pictures.RENDITION_SPECS)} renditions of 1 pictures.\n"
    assert len(renditions(media)) == len(pictures.RENDITION_SPECS)


def test_renditions_made_fine_give_no_warning(editor_client, media):
    response = upload_and_follow(editor_client)

    assert [message.level_tag for message in response.context["messages"]] == ["success"]


def test_a_picture_saved_outside_the_admin_is_saved_even_when_its_renditions_cannot_be_encoded(media, caplog):
    # 2560 × 3, as a strip saved before uploads were checked for it: a 360-wide rendition would be 0 pixels high.
    output = io.BytesIO()
    Image.new("RGB", (2560, 3), "white").save(output, "PNG")
    picture = Picture(alt_text="A strip", image=ContentFile(output.getvalue(), name="strip.png"))

    with caplog.at_level(logging.WARNING, logger="clinic.pictures"):
        picture.save()

    assert Picture.objects.get() == picture and picture.renditions_failed
    assert f"picture {picture.pk}" in caplog.text


def test_a_photo_is_taken_down_even_when_the_storage_cannot_remove_its_files(
    editor_client, media, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    upload_and_follow(editor_client)
    picture = Picture.objects.get()

    def bucket_out_of_reach(storage, name):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(FileSystemStorage, "delete", bucket_out_of_reach)
    with caplog.at_level(logging.WARNING, logger="clinic.pictures"), django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(reverse("admin:clinic_picture_delete", args=[picture.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Picture.objects.exists()
    assert f"old files of picture {picture.pk}" in caplog.text and "Input/output error" in caplog.text


def test_the_release_command_carries_on_past_a_picture_it_cannot_finish_and_says_which(editor_client, full_disk):
    from io import StringIO

    from django.core.management import call_command

    upload_and_follow(editor_client)
    full_disk.full = False
    upload_and_follow(editor_client)
    stuck, fine = Picture.objects.order_by("pk")
    full_disk.full = True
    out, err = StringIO(), StringIO()

    call_command("make_picture_renditions", stdout=out, stderr=err)  # raises nothing: a release goes on

    assert f"Picture {stuck.pk}: its renditions could not all be made (OSError)." in err.getvalue()
    assert "1 pictures still lack renditions" in err.getvalue()
    assert f"Picture {fine.pk}" not in err.getvalue()
