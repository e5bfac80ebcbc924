"""`manage.py make_picture_renditions`: every width and format of every picture, made ahead of any page view."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from clinic import pictures
from clinic.models import Picture
from tests.clinic.test_pictures import jpeg_with_gps, upload

pytestmark = pytest.mark.django_db


def renditions(media):
    return sorted(path for path in (Path(media) / pictures.RENDITIONS_FOLDER).rglob("*") if path.is_file())


def make_renditions(*args):
    out = StringIO()
    call_command("make_picture_renditions", *args, stdout=out)
    return out.getvalue()


def test_after_a_restore_without_renditions_the_command_makes_every_one(editor_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    upload(editor_client, jpeg_with_gps())
    picture = Picture.objects.get()
    every = len(pictures.RENDITION_SPECS)
    # As a backup restored from elsewhere leaves it: the originals, no renditions.
    shutil.rmtree(Path(settings.MEDIA_ROOT) / pictures.RENDITIONS_FOLDER)

    assert make_renditions() == f"Made {every} renditions of 1 pictures.\n"

    made = renditions(settings.MEDIA_ROOT)
    assert len(made) == every
    assert {path.suffix for path in made} == {".avif", ".webp", ".jpg"}
    assert all(path.parent.name == Path(picture.image.name).stem and path.stat().st_size > 0 for path in made)
    # What a page names is what is now on disk.
    for rendition in pictures.rendition_files(picture):
        assert (Path(settings.MEDIA_ROOT) / rendition.name).is_file()


def test_run_again_it_makes_nothing_unless_forced(editor_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    upload(editor_client, jpeg_with_gps())

    assert make_renditions() == "Made 0 renditions of 1 pictures.\n"
    assert make_renditions("--force") == f"Made {len(pictures.RENDITION_SPECS)} renditions of 1 pictures.\n"
