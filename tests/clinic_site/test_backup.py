"""backup_site and restore_site: a site with content, bookings and queued emails comes back whole.

The restores into an empty database run in a process of their own with the
production settings, as on the server. The tests are transactional: pg_dump
and SQLite's backup read the database from connections of their own, which
see only what is committed.
"""

import io
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import tarfile
from datetime import datetime, timedelta
from datetime import timezone as datetime_timezone
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from booking.models import Booking, OutgoingEmail
from clinic_site import backups
from conditions.models import Condition, ServicePage
from privacy.models import DataRequest

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = connection.vendor == "postgresql"
PARAMETER = "%s" if ON_POSTGRES else "?"  # psycopg's placeholder, or sqlite3's

pytestmark = pytest.mark.django_db(transaction=True)


def run_django(*args, env):
    """manage.py in a production process of its own: the settings read only the environment."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    environment.update({"DJANGO_SETTINGS_MODULE": "clinic_site.settings",
                        "SECRET_KEY": "restoring-only-not-a-secret-0123456789-abcdefghij", **env})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=180, check=False)


def table_counts(cursor, tables):
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def counts_here():
    with connection.cursor() as cursor:
        return table_counts(cursor, connection.introspection.table_names(cursor))


@pytest.fixture
def site(clinic_content, book, make_booking, tmp_path):
    """The clinic's content, a booking made online with its emails queued, one at the desk, a data request, a scan."""
    booked = book(note="Hip hurts on the descents; physio in 2024 helped")
    desk = make_booking(patient_name="José Ángel Núñez", note="Dolor de rodilla al bajar escaleras", language="es")
    DataRequest.objects.create(kind=DataRequest.Kind.ACCESS, full_name="Lucía Pérez", email="lucia@example.com")
    media = tmp_path / "media"
    (media / "scans").mkdir(parents=True)
    (media / "scans" / "mri.pdf").write_bytes(bytes(range(256)) * 40)
    return {"booked": booked, "desk": desk, "media": media}


def back_up(tmp_path, *args):
    out = io.StringIO()
    archive = tmp_path / "backups" / "site.tar.gz"
    call_command("backup_site", "--output", str(archive), *args, stdout=out)
    return archive, out.getvalue()


def rewrite_manifest(archive, change):
    """A copy of `archive` with its manifest changed by `change(manifest)`."""
    copy = archive.with_name("changed.tar.gz")
    with tarfile.open(archive) as source, tarfile.open(copy, "w:gz") as target:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return copy


# Restoring into an empty database, in a production process.


@pytest.fixture
def empty_database(request, tmp_path):
    """(DATABASE_URL, connect()) of an empty database of the engine the tests run on; dropped afterwards."""
    if not ON_POSTGRES:
        url = request.getfixturevalue("migrated_database_url")  # a fresh file, migrated and nothing else
        return url, lambda: sqlite3.connect(url.removeprefix("sqlite:///"))

    import psycopg

    settings_dict = connection.settings_dict
    server = {"host": settings_dict["HOST"] or None, "port": settings_dict["PORT"] or None,
              "user": settings_dict["USER"] or None, "password": settings_dict["PASSWORD"] or None}
    name = f"backup_restore_{os.getpid()}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    request.addfinalizer(drop)
    password = f":{server['password']}" if server["password"] else ""
    url = f"postgres://{server['user'] or ''}{password}@{server['host'] or ''}:{server['port'] or 5432}/{name}"
    return url, lambda: psycopg.connect(dbname=name, **server)


def test_a_backed_up_site_restores_whole_into_an_empty_database(site, empty_database, tmp_path, settings):
    settings.MEDIA_ROOT = str(site["media"])
    archive, report = back_up(tmp_path)
    assert "Backed up the" in report and "1 media file" in report
    before = counts_here()
    booking = Booking.objects.get(pk=site["desk"].pk)
    page = ServicePage.objects.get()
    assert page.title_es and page.title_es != page.title_en
    spanish_names = list(Condition.objects.order_by("slug").values_list("slug", "name_es"))
    assert sum(1 for _slug, name in spanish_names if name) >= 5
    assert OutgoingEmail.objects.unsent().count() == 2  # the online booking's, never sent

    url, connect = empty_database
    restored_media = tmp_path / "restored-media"
    result = run_django("restore_site", str(archive), env={"DATABASE_URL": url, "MEDIA_ROOT": str(restored_media)})

    assert result.returncode == 0, result.stderr
    assert "Row counts match the backup's" in result.stdout
    assert "will be sent when the worker starts" in result.stdout
    with connect() as restored:
        cursor = restored.cursor()
        assert table_counts(cursor, before) == before
        cursor.execute(f"SELECT patient_name, note, email FROM booking_booking WHERE reference = {PARAMETER}",
                       [booking.reference])
        assert cursor.fetchone() == (booking.patient_name, booking.note, booking.email)
        cursor.execute("SELECT title_en, title_es, summary_es FROM conditions_servicepage")
        assert cursor.fetchone() == (page.title_en, page.title_es, page.summary_es)
        cursor.execute("SELECT slug, name_es FROM conditions_condition ORDER BY slug")
        assert cursor.fetchall() == spanish_names
        # Unsent at the backup and nothing says they went out since: the worker sends them.
        cursor.execute("SELECT COUNT(*) FROM booking_outgoingemail WHERE sent_at IS NULL")
        assert cursor.fetchone() == (2,)
    assert (restored_media / "scans" / "mri.pdf").read_bytes() == (site["media"] / "scans" / "mri.pdf").read_bytes()


def test_the_archive_is_readable_by_its_owner_only_and_named_by_the_utc_time(site, tmp_path):
    folder = tmp_path / "nightly"
    call_command("backup_site", "--to-dir", str(folder), stdout=io.StringIO())
    [archive] = folder.iterdir()  # nothing half-written left beside it
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    taken = datetime.strptime(backups.ARCHIVE_NAME.match(archive.name)["stamp"], backups.STAMP_FORMAT)
    assert abs(taken.replace(tzinfo=datetime_timezone.utc) - timezone.now()) < timedelta(minutes=1)
    manifest = backups.read_manifest(archive)
    assert manifest["database"]["engine"] == connection.vendor
    assert manifest["row_counts"]["booking_booking"] == 2
    assert "0001_initial" in manifest["migrations"]["booking"]


def test_media_on_s3_are_left_to_the_bucket_and_said_so(site, tmp_path, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"bucket_name": "clinic-media"}}}
    archive, report = back_up(tmp_path)

    assert "no media (media live in the bucket clinic-media" in report
    manifest = backups.read_manifest(archive)
    assert manifest["media"]["included"] is False and manifest["media"]["files"] == {}
    with tarfile.open(archive) as tar:
        assert not [name for name in tar.getnames() if name.startswith("media/")]


def test_a_media_folder_given_on_the_command_line_is_backed_up_instead(site, tmp_path):
    archive, report = back_up(tmp_path, "--media-root", str(site["media"]))
    assert "1 media file (10,240 bytes)" in report
    with tarfile.open(archive) as tar:
        assert tar.extractfile("media/scans/mri.pdf").read() == (site["media"] / "scans" / "mri.pdf").read_bytes()


def test_pruning_keeps_the_newest_and_deletes_only_old_archives(site, tmp_path):
    folder = tmp_path / "nightly"
    folder.mkdir()
    now = timezone.now()
    old = folder / f"clinic-backup-{(now - timedelta(days=30)):%Y%m%dT%H%M%SZ}.tar.gz"
    recent = folder / f"clinic-backup-{(now - timedelta(days=2)):%Y%m%dT%H%M%SZ}.tar.gz"
    unrelated = folder / "notes.txt"
    for path in (old, recent, unrelated):
        path.write_text("x")

    out = io.StringIO()
    call_command("backup_site", "--to-dir", str(folder), "--keep-days", "14", stdout=out)
    assert not old.exists() and recent.exists() and unrelated.exists()
    assert f"Deleted {old.name}" in out.getvalue()

    call_command("backup_site", "--to-dir", str(folder), "--keep", "1", stdout=io.StringIO())
    assert sorted(path.name for path in folder.iterdir() if path.name.startswith("clinic-backup-")) == [
        max(path.name for path in folder.iterdir() if path.name.startswith("clinic-backup-"))
    ]
    assert not recent.exists() and unrelated.exists()


# What the restore refuses.


def test_restore_refuses_to_overwrite_a_database_with_data_without_yes(site, tmp_path):
    archive, _report = back_up(tmp_path)
    Booking.objects.filter(pk=site["desk"].pk).update(note="Changed after the backup")

    with pytest.raises(CommandError) as refused:
        call_command("restore_site", str(archive), stdout=io.StringIO())

    assert "holds data that the restore would replace" in str(refused.value)
    assert re.search(r"\b2  bookings\n", str(refused.value))
    assert "the newest booking was made" in str(refused.value)
    assert "--yes" in str(refused.value)
    assert Booking.objects.get(pk=site["desk"].pk).note == "Changed after the backup"


def test_restore_refuses_an_archive_from_the_other_database_engine(site, tmp_path):
    archive, _report = back_up(tmp_path)
    other = "sqlite" if ON_POSTGRES else "postgresql"
    foreign = rewrite_manifest(archive, lambda manifest: manifest["database"].update(engine=other))

    with pytest.raises(CommandError, match=f"holds a {backups.ENGINES[other].label} database"):
        call_command("restore_site", str(foreign), "--yes", stdout=io.StringIO())


def test_restore_refuses_a_backup_taken_by_newer_code(site, tmp_path):
    archive, _report = back_up(tmp_path)
    newer = rewrite_manifest(archive, lambda manifest: manifest["migrations"]["booking"].append("9999_from_the_future"))

    with pytest.raises(CommandError, match="booking.9999_from_the_future"):
        call_command("restore_site", str(newer), "--yes", stdout=io.StringIO())


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    junk = tmp_path / "site.tar.gz"
    junk.write_text("not an archive")
    with pytest.raises(CommandError, match="not an archive made by backup_site"):
        call_command("restore_site", str(junk), "--yes")
    with pytest.raises(CommandError, match="There is no file"):
        call_command("restore_site", str(tmp_path / "missing.tar.gz"), "--yes")


def test_restore_refuses_while_a_worker_has_just_claimed_a_task(site, tmp_path):
    archive, _report = back_up(tmp_path)
    DBTaskResult.objects.filter(pk=DBTaskResult.objects.first().pk).update(status="RUNNING", started_at=timezone.now())

    with pytest.raises(CommandError, match="worker looks to be running") as refused:
        call_command("restore_site", str(archive), "--yes", stdout=io.StringIO())
    assert "systemctl stop clinic-worker" in str(refused.value) and "--worker-stopped" in str(refused.value)

    out = io.StringIO()
    call_command("restore_site", str(archive), "--yes", "--worker-stopped", stdout=out)
    assert "Row counts match the backup's" in out.getvalue()


# Emails around a restore.


def test_emails_sent_after_the_backup_are_not_sent_again_when_it_is_restored_over_the_live_database(
    site, tmp_path, run_worker, mailoutbox
):
    archive, _report = back_up(tmp_path)
    run_worker()  # after the backup the worker sends the booking's two emails
    assert len(mailoutbox) == 2 and not OutgoingEmail.objects.unsent().exists()

    out = io.StringIO()
    call_command("restore_site", str(archive), "--yes", "--worker-stopped", stdout=out)
    assert "2 emails the backup held as unsent had gone out since" in out.getvalue()
    assert not OutgoingEmail.objects.unsent().exists()

    run_worker()
    assert len(mailoutbox) == 2


def test_emails_that_never_went_out_are_sent_after_a_restore(site, tmp_path, run_worker, mailoutbox):
    archive, _report = back_up(tmp_path)
    call_command("restore_site", str(archive), "--yes", stdout=io.StringIO())

    run_worker()
    assert len(mailoutbox) == 2
    assert "maria.lopez@example.com" in {address for message in mailoutbox for address in message.to}


# The database's own programs.


def test_the_password_goes_to_pg_dump_in_its_environment_never_on_its_command_line():
    engine = backups.Postgres("default", {"NAME": "clinic", "USER": "clinic", "PASSWORD": "s3cret-pass",
                                          "HOST": "db.internal", "PORT": "5432", "OPTIONS": {"sslmode": "require"}})
    assert not any("s3cret-pass" in argument for argument in engine.client_arguments())
    assert "--host=db.internal" in engine.client_arguments() and "--dbname=clinic" in engine.client_arguments()
    assert engine.client_environment()["PGPASSWORD"] == "s3cret-pass"
    assert engine.client_environment()["PGSSLMODE"] == "require"


def test_a_missing_pg_dump_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda program: None)
    engine = backups.Postgres("default", {"NAME": "clinic"})
    with pytest.raises(CommandError, match="pg_dump is not installed"):
        engine.run("pg_dump", "--version", connect=False)
