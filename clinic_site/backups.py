"""Back up the site to one archive, and restore it: the database, the uploaded media and a manifest.

An archive is a gzipped tar (`clinic-backup-<UTC time>.tar.gz`, mode 0600):

    manifest.json       first, so a restore checks it before reading anything else
    database.pgdump     PostgreSQL: pg_dump's custom format
    database.sqlite3    or SQLite: a copy made with SQLite's online backup API
    media/…             the files under MEDIA_ROOT, when the site keeps them on this server

The manifest records when the backup was taken, the migrations applied per
app, the row count of every table (checked again after a restore), checksums
of the database file and of every media file, and the code that took it.

The email worker sends what the database says is unsent. A restore puts back
the database as it was at the backup, so emails sent since would look unsent
again: see `Restore` for how the restore keeps them from going out twice.
"""

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import timezone as datetime_timezone
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import FileSystemStorage
from django.core.management.base import CommandError
from django.db import DatabaseError, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from booking.models import Booking, OutgoingEmail
from clinic.outbox import Delivery
from privacy.models import DataRequest

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
ARCHIVE_NAME = re.compile(r"^clinic-backup-(?P<stamp>\d{8}T\d{6}Z)\.tar\.gz$")
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
# A backup interrupted by a crash leaves its half-written file under this prefix.
PARTIAL_PREFIX = ".clinic-backup-"
# Rows `migrate` writes into an empty database by itself: not the clinic's data.
WRITTEN_BY_MIGRATE = {
    "django_migrations", "django_content_type", "auth_permission", "auth_group", "auth_group_permissions",
}
# A worker that claimed a task this recently is taken to be running. An idle
# worker leaves no trace in the database, hence the README's "stop it first".
WORKER_QUIET = timedelta(minutes=5)
CHUNK = 1024 * 1024
UTC = datetime_timezone.utc


# The database engines.


def quote(name):
    return '"' + name.replace('"', '""') + '"'


def read_state(cursor, tables_sql):
    """(row count per table, applied migrations per app) as `cursor` sees the database."""
    cursor.execute(tables_sql)
    tables = sorted(row[0] for row in cursor.fetchall())
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    migrations = {}
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    return counts, migrations


class Postgres:
    vendor = "postgresql"
    label = "PostgreSQL"
    file_name = "database.pgdump"
    tables_sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    # libpq reads these from the environment: nothing secret goes on a command line, where `ps` shows it.
    OPTION_VARIABLES = {
        "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
        "passfile": "PGPASSFILE", "service": "PGSERVICE", "options": "PGOPTIONS",
        "connect_timeout": "PGCONNECT_TIMEOUT", "target_session_attrs": "PGTARGETSESSIONATTRS",
    }

    def __init__(self, alias, settings_dict):
        self.alias = alias
        self.settings_dict = settings_dict

    @property
    def name(self):
        return self.settings_dict["NAME"]

    def describe(self):
        host = self.settings_dict.get("HOST") or "the local socket"
        return f"PostgreSQL database {self.name} on {host}"

    def client_arguments(self):
        arguments = ["--no-password"]  # fail at once rather than wait for a password at a prompt nobody sees
        for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if self.settings_dict.get(key):
                arguments.append(f"{flag}={self.settings_dict[key]}")
        return [*arguments, f"--dbname={self.name}"]

    def client_environment(self):
        environment = dict(os.environ)
        if self.settings_dict.get("PASSWORD"):
            environment["PGPASSWORD"] = str(self.settings_dict["PASSWORD"])
        for option, variable in self.OPTION_VARIABLES.items():
            value = self.settings_dict.get("OPTIONS", {}).get(option)
            if value not in (None, ""):
                environment[variable] = str(value)
        return environment

    def run(self, program, *arguments, connect=True):
        path = shutil.which(program)
        if path is None:
            raise CommandError(
                f"{program} is not installed, or not on PATH. Install PostgreSQL's client programs of the "
                f"server's major version or newer (Debian: apt-get install postgresql-client)."
            )
        result = subprocess.run(
            [path, *arguments, *(self.client_arguments() if connect else [])],
            env=self.client_environment(), capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            said = "\n".join(result.stderr.strip().splitlines()[-8:]) or f"exit status {result.returncode}"
            raise CommandError(f"{program} failed on the {self.describe()}:\n{said}")
        return result

    def dump(self, path):
        """Dump into `path`; return (when, row counts, migrations), all from the one snapshot pg_dump saw."""
        connection = connections[self.alias]
        if connection.in_atomic_block:
            raise CommandError("A backup cannot run inside a transaction: it takes a snapshot of its own.")
        tool = self.run("pg_dump", "--version", connect=False).stdout.strip()
        connection.ensure_connection()
        # pg_dump dumps the snapshot this transaction exports, and the counts
        # are read in it too, so a booking made meanwhile is in neither or both.
        with transaction.atomic(using=self.alias), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            # The site's limits for pages would end this transaction while pg_dump still needs its snapshot.
            cursor.execute("SET LOCAL statement_timeout = 0")
            cursor.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
            cursor.execute("SELECT pg_export_snapshot(), now()")
            snapshot, taken_at = cursor.fetchone()
            self.run("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                     f"--file={path}")
            counts, migrations = read_state(cursor, self.tables_sql)
        return taken_at, counts, migrations, tool

    def restore(self, path):
        # An idle connection of ours holds no lock, but close it so nothing of this process is in the way.
        connections[self.alias].close()
        self.run("pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                 "--exit-on-error", str(path))


class Sqlite:
    vendor = "sqlite"
    label = "SQLite"
    file_name = "database.sqlite3"
    tables_sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"

    def __init__(self, alias, settings_dict):
        self.alias = alias
        self.settings_dict = settings_dict

    @property
    def path(self):
        name = str(self.settings_dict["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise CommandError("The database is in memory: there is no file to back up or restore into.")
        return Path(name)

    def describe(self):
        return f"SQLite database {self.path}"

    def open(self, path):
        return sqlite3.connect(path, timeout=self.settings_dict.get("OPTIONS", {}).get("timeout", 20))

    def dump(self, path):
        if not self.path.is_file():
            raise CommandError(f"There is no database at {self.path}.")
        source, copy = self.open(self.path), sqlite3.connect(path)
        try:
            taken_at = timezone.now()
            # In one step (pages=-1) the copy is one read transaction: a
            # consistent snapshot, while the site goes on writing to the WAL.
            source.backup(copy)
            counts, migrations = read_state(copy.cursor(), self.tables_sql)
        except sqlite3.Error as error:
            raise CommandError(f"Could not copy the {self.describe()}: {error}") from error
        finally:
            source.close()
            copy.close()
        return taken_at, counts, migrations, f"SQLite {sqlite3.sqlite_version}"

    def restore(self, path):
        connections[self.alias].close()
        source, target = sqlite3.connect(path), self.open(self.path)
        try:
            # The backup API writes the whole copy in one transaction on the
            # target: a reader sees the old database or the new, never a mix,
            # and no stale -wal file is left to replay over it.
            source.backup(target)
        except sqlite3.Error as error:
            raise CommandError(f"Could not write the backup into the {self.describe()}: {error}") from error
        finally:
            source.close()
            target.close()


ENGINES = {engine.vendor: engine for engine in (Postgres, Sqlite)}


def database(alias="default"):
    connection = connections[alias]
    try:
        return ENGINES[connection.vendor](alias, connection.settings_dict)
    except KeyError:
        raise CommandError(f"Backups handle PostgreSQL and SQLite, not {connection.vendor}.") from None


def current_state(engine):
    """(row counts, migrations) of the configured database as it is now; empty when it has no tables."""
    with connections[engine.alias].cursor() as cursor:
        if engine.vendor == "postgresql":
            # Counting a large table may take longer than the limit the site sets for a page's queries.
            cursor.execute("SET statement_timeout = 0")
        return read_state(cursor, engine.tables_sql)


def table_labels():
    """{table: what staff call its rows} for the tables of the installed models."""
    return {
        model._meta.db_table: str(model._meta.verbose_name_plural)
        for model in apps.get_models(include_auto_created=True)
    }


def headline_models():
    """The records an operator about to overwrite a database most needs to hear about."""
    return [Booking, DataRequest, OutgoingEmail, get_user_model()]


def describe_rows(counts):
    """The clinic's records in `counts` first, by name, then the rest in one line."""
    labels = table_labels()
    first = [model._meta.db_table for model in headline_models()]
    lines = [f"  {counts[table]:>7,}  {labels[table]}" for table in first if counts.get(table)]
    rest = {table: count for table, count in counts.items() if count and table not in first}
    if rest:
        lines.append(f"  {sum(rest.values()):>7,}  rows in {plural(len(rest), 'other table')}")
    return lines


# Media.


@dataclass
class Media:
    root: Path | None
    note: str = ""

    def files(self):
        """{path relative to root: file} for every regular file; symbolic links are not followed."""
        if self.root is None or not self.root.is_dir():
            return {}
        found = {}
        for folder, subfolders, names in os.walk(self.root):
            subfolders[:] = sorted(name for name in subfolders if not Path(folder, name).is_symlink())
            for name in sorted(names):
                path = Path(folder, name)
                if path.is_file() and not path.is_symlink():
                    found[path.relative_to(self.root).as_posix()] = path
        return found


def media_location(override=None):
    """Where the uploaded files are: a folder on this server, or elsewhere and said why."""
    if override is not None:
        return Media(Path(override))
    storage = settings.STORAGES.get("default", {})
    backend = storage.get("BACKEND", "django.core.files.storage.FileSystemStorage")
    try:
        on_this_server = issubclass(import_string(backend), FileSystemStorage)
    except ImportError:
        on_this_server = False
    if not on_this_server:
        options = storage.get("OPTIONS", {})
        bucket = options.get("bucket_name") or getattr(settings, "AWS_STORAGE_BUCKET_NAME", "")
        where = f"bucket {bucket}" if bucket else backend
        return Media(None, f"media live in the {where}, not in this archive: the bucket keeps its own versions")
    location = storage.get("OPTIONS", {}).get("location") or getattr(settings, "MEDIA_ROOT", "")
    if not location:
        return Media(None, "MEDIA_ROOT is not set: the site keeps no uploaded files")
    return Media(Path(location))


# The archive.


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def code_fingerprint():
    """A digest of the site's own Python source: which code took the backup, where git is not installed."""
    base = Path(getattr(settings, "BASE_DIR", Path.cwd())).resolve()
    digest = hashlib.sha256()
    folders = sorted({Path(config.path).resolve() for config in apps.get_app_configs()})
    for folder in folders:
        if not folder.is_relative_to(base) or "site-packages" in folder.parts:
            continue
        for path in sorted(folder.rglob("*.py")):
            if "__pycache__" not in path.parts:
                digest.update(path.relative_to(base).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def add_file(tar, path, arcname, expected_sha256):
    """Add `path`, refusing it if it changed since its checksum went into the manifest."""
    info = tar.gettarinfo(path, arcname)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600  # extracted by hand with tar, too, the files are the owner's alone
    with open(path, "rb") as file:
        reading = _Hashing(file)
        tar.addfile(info, reading)
    if reading.digest.hexdigest() != expected_sha256:
        raise CommandError(f"{arcname} changed while it was being backed up; run the backup again.")


class _Hashing:
    """A file that keeps the checksum of what has been read from it."""

    def __init__(self, file):
        self.file, self.digest = file, hashlib.sha256()

    def read(self, size=-1):
        chunk = self.file.read(size)
        self.digest.update(chunk)
        return chunk


def fsync_folder(folder):
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@dataclass
class Archive:
    path: Path
    manifest: dict

    def summary(self):
        database = self.manifest["database"]
        media = self.manifest["media"]
        rows = sum(self.manifest["row_counts"].values())
        if media["included"]:
            size = sum(item["bytes"] for item in media["files"].values())
            media_text = f"{plural(len(media['files']), 'media file')} ({size:,} bytes)"
        else:
            media_text = f"no media ({media['note']})"
        tables = plural(len(self.manifest["row_counts"]), "table")
        return (
            f"Backed up the {database['label']} database ({plural(rows, 'row')} in {tables}) and {media_text} "
            f"to {self.path} ({self.path.stat().st_size:,} bytes, mode 0600)."
        )


def back_up(output=None, folder=None, media_root=None, alias="default"):
    """Write an archive to `output`, or into `folder` under its default name (the current folder by default)."""
    engine = database(alias)
    media = media_location(media_root)
    destination_folder = Path(output).parent if output else Path(folder or ".")
    destination_folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Beside the archive, so the rename at the end stays on one file system.
    with tempfile.TemporaryDirectory(prefix=PARTIAL_PREFIX, suffix=".work", dir=destination_folder) as work:
        database_file = Path(work, engine.file_name)
        taken_at, counts, migrations, tool = engine.dump(database_file)
        media_files = media.files()
        manifest = {
            "format": FORMAT,
            "created_at": taken_at.astimezone(UTC).isoformat(),
            "app": {
                "version": getattr(settings, "APP_VERSION", ""),
                "code_sha256": code_fingerprint(),
                "django": django.get_version(),
            },
            "database": {
                "engine": engine.vendor,
                "label": engine.label,
                "file": engine.file_name,
                "bytes": database_file.stat().st_size,
                "sha256": sha256_of(database_file),
                "tool": tool,
            },
            "migrations": migrations,
            "row_counts": counts,
            "media": {
                "included": media.root is not None,
                "note": media.note or ("" if media_files else "no uploaded files yet"),
                "files": {name: {"bytes": path.stat().st_size, "sha256": sha256_of(path)}
                          for name, path in media_files.items()},
            },
        }
        stamp = taken_at.astimezone(UTC).strftime(STAMP_FORMAT)
        destination = Path(output) if output else destination_folder / f"clinic-backup-{stamp}.tar.gz"
        # mkstemp makes the file 0600 from its first byte: patients' health data is never readable by others.
        descriptor, partial = tempfile.mkstemp(prefix=PARTIAL_PREFIX, suffix=".partial", dir=destination_folder)
        try:
            with os.fdopen(descriptor, "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
                    body = json.dumps(manifest, indent=2, sort_keys=True).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mode, info.mtime = len(body), 0o600, int(taken_at.timestamp())
                    tar.addfile(info, io.BytesIO(body))
                    add_file(tar, database_file, engine.file_name, manifest["database"]["sha256"])
                    for name, path in media_files.items():
                        add_file(tar, path, f"{MEDIA}/{name}", manifest["media"]["files"][name]["sha256"])
                raw.flush()
                os.fsync(raw.fileno())
            os.chmod(partial, 0o600)
            os.replace(partial, destination)
            fsync_folder(destination_folder)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return Archive(destination.resolve(), manifest)


def prune(folder, keep=None, keep_days=None, spare=None, now=None):
    """Delete the archives in `folder` beyond the newest `keep` or older than `keep_days`; return their paths.

    Only files named as backup_site names them are touched, by the time in
    their name (a copy keeps its name but not its modification time).
    """
    now = now or timezone.now()
    folder = Path(folder)
    archives = sorted(
        ((datetime.strptime(match["stamp"], STAMP_FORMAT).replace(tzinfo=UTC), path)
         for path in folder.iterdir() if (match := ARCHIVE_NAME.match(path.name))),
        reverse=True,
    )
    removed = []
    for position, (taken_at, path) in enumerate(archives):
        beyond_count = keep is not None and position >= keep
        too_old = keep_days is not None and taken_at < now - timedelta(days=keep_days)
        if (beyond_count or too_old) and path != spare:
            path.unlink()
            removed.append(path)
    # What a killed backup left half-written holds patients' data too.
    for path in [*folder.glob(f"{PARTIAL_PREFIX}*.partial"), *folder.glob(f"{PARTIAL_PREFIX}*.work")]:
        if datetime.fromtimestamp(path.stat().st_mtime, UTC) < now - timedelta(days=1):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
            removed.append(path)
    return removed


# Restoring.


def read_manifest(path):
    path = Path(path)
    if not path.is_file():
        raise CommandError(f"There is no file at {path}.")
    not_ours = f"{path} is not an archive made by backup_site"
    try:
        with tarfile.open(path, "r:*") as tar:
            member = tar.next()
            if member is None or member.name != MANIFEST or not member.isfile():
                raise CommandError(f"{not_ours}: it does not start with {MANIFEST}.")
            manifest = json.load(tar.extractfile(member))
    except (OSError, EOFError, tarfile.TarError) as error:
        raise CommandError(f"{not_ours}: it is not a readable tar file.") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"{not_ours}: its {MANIFEST} is not JSON ({error}).") from error
    required = {"format", "created_at", "database", "migrations", "row_counts", "media"}
    missing = sorted(required - set(manifest)) if isinstance(manifest, dict) else sorted(required)
    if missing:
        raise CommandError(f"{not_ours}: its {MANIFEST} lacks {', '.join(missing)}.")
    if manifest["format"] != FORMAT:
        raise CommandError(f"{path} is in archive format {manifest['format']}; this code reads format {FORMAT}.")
    return manifest


def safe_member_name(name):
    """The member's path below media/, or None for anything that could land outside the media folder."""
    parts = PurePosixPath(name).parts
    if len(parts) < 2 or parts[0] != MEDIA or any(part in ("..", "") for part in parts) or name.startswith("/"):
        return None
    return PurePosixPath(*parts[1:]).as_posix()


@dataclass
class Target:
    """What the restore would overwrite, and any sign that the email worker is running."""

    counts: dict
    newest_booking: datetime | None = None
    worker_claimed_at: datetime | None = None
    worker_claim_status: str = ""

    @property
    def data(self):
        return {table: count for table, count in self.counts.items() if count and table not in WRITTEN_BY_MIGRATE}


@dataclass
class Outcome:
    mismatches: dict = field(default_factory=dict)
    lines: list = field(default_factory=list)


class Restore:
    """Restore one archive into the configured database and media folder.

    Emails: the worker must be stopped before (README, "Restoring"), and
    `refusals()` holds the restore back while a worker has claimed a task in
    the last few minutes. After the restore, an email the backup holds as
    unsent is:

    - marked sent, when the database being replaced shows it was sent after
      the backup was taken (the same table, row and queued time: the same
      Message-ID);
    - otherwise left for the worker to send when it starts again. Without the
      database the backup replaces, nobody can tell whether it went out, and
      a patient getting a confirmation twice is better than never.

    An email the backup caught in the middle of being sent is the worker's
    to send again, as after any worker that stopped mid-send (clinic.outbox):
    it carries the same Message-ID both times.
    """

    def __init__(self, path, media_root=None, alias="default"):
        self.path = Path(path)
        self.manifest = read_manifest(self.path)
        self.engine = database(alias)
        self.media = media_location(media_root)

    @property
    def taken_at(self):
        return datetime.fromisoformat(self.manifest["created_at"])

    def refusals_for_the_code(self):
        """Reasons this archive cannot go into this site's database at all."""
        engine = self.manifest["database"]["engine"]
        if engine != self.engine.vendor:
            label = ENGINES[engine].label if engine in ENGINES else engine
            return [(
                f"The archive holds a {label} database and this site is configured for {self.engine.label} "
                f"({self.engine.describe()}). Restore it where DATABASE_URL names a {label} database; "
                f"to move between engines, restore it there and use dumpdata/loaddata."
            )]
        loader = MigrationLoader(None, ignore_no_migrations=True)
        known_apps = {app for app, _name in loader.disk_migrations}
        unknown = sorted(
            f"{app}.{name}" for app, names in self.manifest["migrations"].items() for name in names
            if app in known_apps and (app, name) not in loader.disk_migrations
        )
        if unknown:
            listed = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
            return [(
                f"The backup was taken by newer code: its database has migrations this code does not know "
                f"({listed}). Deploy the version that took it (app version "
                f"{self.manifest.get('app', {}).get('version') or 'not recorded'}) before restoring."
            )]
        return []

    def target(self):
        counts, _migrations = current_state(self.engine)
        target = Target(counts)
        if counts.get(Booking._meta.db_table):
            newest = Booking.objects.order_by("-created_at").values_list("created_at", flat=True).first()
            target.newest_booking = newest.astimezone(UTC)
        if DBTaskResult._meta.db_table in counts:
            latest = (DBTaskResult.objects.filter(started_at__gte=timezone.now() - WORKER_QUIET)
                      .order_by("-started_at").values_list("started_at", "status").first())
            if latest:
                target.worker_claimed_at, target.worker_claim_status = latest
        return target

    def refusals(self, target, overwrite=False, worker_stopped=False):
        reasons = self.refusals_for_the_code()
        if reasons:
            return reasons
        if target.worker_claimed_at and not worker_stopped:
            seconds = int((timezone.now() - target.worker_claimed_at).total_seconds())
            reasons.append(
                f"The email worker looks to be running: it claimed a task {seconds} seconds ago "
                f"(status {target.worker_claim_status}). Stop it (systemctl stop clinic-worker) so the emails "
                f"the backup holds are not sent while the database changes under it, then run again "
                f"with --worker-stopped."
            )
        if target.data and not overwrite:
            reasons.append("\n".join([
                (f"The {self.engine.describe()} holds data that the restore would replace "
                 f"with the backup of {self.taken_at:%Y-%m-%d %H:%M} UTC:"),
                *describe_rows(target.data),
                *([f"  the newest booking was made {target.newest_booking:%Y-%m-%d %H:%M} UTC"]
                  if target.newest_booking else []),
                "Run again with --yes to replace it.",
            ]))
        return reasons

    def run(self):
        outcome = Outcome()
        with tempfile.TemporaryDirectory(prefix="clinic-restore-") as work:
            database_file, staged_media = self._extract(Path(work))
            sent_since = self._sent_emails()
            self.engine.restore(database_file)
            outcome.lines.append(
                f"Restored the {self.engine.describe()} from the backup of {self.taken_at:%Y-%m-%d %H:%M:%S} UTC."
            )
            outcome.lines.extend(self._place_media(staged_media))
        outcome.lines.extend(self._settle_emails(sent_since))
        counts, migrations = current_state(self.engine)
        expected = self.manifest["row_counts"]
        outcome.mismatches = {
            table: (count, counts.get(table)) for table, count in expected.items() if counts.get(table) != count
        }
        if not outcome.mismatches:
            outcome.lines.append(f"Row counts match the backup's: {plural(sum(expected.values()), 'row')} "
                                 f"in {plural(len(expected), 'table')}.")
        outcome.lines.extend(self._next_steps(migrations))
        return outcome

    def _extract(self, work):
        """The database file and media files, written to `work` and checked against the manifest."""
        database = self.manifest["database"]
        wanted_media = self.manifest["media"]["files"] if self.manifest["media"]["included"] else {}
        database_file, staged, digests = None, {}, {}
        try:
            with tarfile.open(self.path, "r:*") as tar:
                for member in tar:
                    if member.name == database["file"] and member.isfile():
                        database_file = work / database["file"]
                        digests[member.name] = _copy_out(tar.extractfile(member), database_file)
                    elif (name := safe_member_name(member.name)) in wanted_media and member.isfile():
                        staged[name] = work / "media" / name
                        staged[name].parent.mkdir(parents=True, exist_ok=True)
                        digests[member.name] = _copy_out(tar.extractfile(member), staged[name])
        except (OSError, EOFError, tarfile.TarError) as error:
            raise CommandError(f"{self.path} is damaged: {error}. Nothing was restored.") from error
        if database_file is None or digests[database["file"]] != database["sha256"]:
            raise CommandError(f"{self.path}: the database in it is missing or damaged. Nothing was restored.")
        damaged = sorted(name for name, item in wanted_media.items()
                         if digests.get(f"{MEDIA}/{name}") != item["sha256"])
        if damaged:
            raise CommandError(f"{self.path}: media files missing or damaged: {', '.join(damaged[:5])}. "
                              f"Nothing was restored.")
        return database_file, staged

    def _place_media(self, staged):
        media = self.manifest["media"]
        if not media["included"]:
            return [f"Media: not in the archive ({media['note']})."]
        if self.media.root is None:
            if not staged:
                return ["Media: none in the backup."]
            return [(f"Media: NOT restored: the archive holds {plural(len(staged), 'file')} but {self.media.note}. "
                     f"Extract media/ from the archive there by hand (tar -xzf).")]
        for name, source in staged.items():
            destination = self.media.root / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            partial = destination.with_name(f".{destination.name}.restoring")
            shutil.copyfile(source, partial)
            os.replace(partial, destination)
        extra = len(set(self.media.files()) - set(staged))
        left = f"; {plural(extra, 'file')} there that the backup does not have were left in place" if extra else ""
        return [f"Media: restored {plural(len(staged), 'file')} into {self.media.root}{left}."]

    def _sent_emails(self):
        """{(model, id): (queued at, sent at)} of the emails the database being replaced had sent."""
        sent = {}
        for model in email_models():
            try:
                rows = model.objects.filter(sent_at__isnull=False, created_at__lte=self.taken_at).values_list(
                    "pk", "created_at", "sent_at"
                )
                sent.update({(model, pk): (created_at, sent_at) for pk, created_at, sent_at in rows})
            except DatabaseError:
                pass  # an empty database, or one without this table yet
        return sent

    def _settle_emails(self, sent_since):
        # Only the columns every version of the schema has: the backup may
        # predate a migration the code has, and `migrate` comes after this.
        marked = 0
        try:
            with transaction.atomic(using=self.engine.alias):
                for model in email_models():
                    for pk, created_at in model.objects.filter(sent_at__isnull=True).values_list("pk", "created_at"):
                        known = sent_since.get((model, pk))
                        # The same row, queued at the same moment: the same email, with the same Message-ID.
                        if known and known[0] == created_at:
                            marked += model.objects.filter(pk=pk, sent_at__isnull=True).update(sent_at=known[1])
        except DatabaseError:
            return ["Emails: the restored database has no email queue to check."]
        lines = []
        if marked:
            lines.append(f"Emails: {plural(marked, 'email')} the backup held as unsent had gone out since "
                         f"the backup; marked sent, so they do not go out twice.")
        try:
            waiting = [(model, model.objects.pending().count()) for model in email_models()]
        except DatabaseError:
            return [*lines, "Emails: run `python manage.py migrate` before starting the worker."]
        waiting = [f"{count} {model._meta.verbose_name_plural}" for model, count in waiting if count]
        if waiting:
            lines.append(
                f"Emails: {', '.join(waiting)} queued before the backup and not known to have gone out will be "
                f"sent when the worker starts (Bookings → emails: not sent yet)."
            )
        else:
            lines.append("Emails: none waiting to go out.")
        return lines

    def _next_steps(self, migrations):
        loader = MigrationLoader(None, ignore_no_migrations=True)
        applied = {(app, name) for app, names in migrations.items() for name in names}
        lines = []
        if set(loader.disk_migrations) - applied:
            lines.append("The code has migrations the backup does not: run `python manage.py migrate` now.")
        code = self.manifest.get("app", {}).get("code_sha256")
        if code and code != code_fingerprint():
            lines.append("The backup was taken by other code than this (its app version: "
                         f"{self.manifest.get('app', {}).get('version') or 'not recorded'}).")
        lines.append("Next: `python manage.py remove_old_personal_data`, then start the email worker "
                     "(systemctl start clinic-worker).")
        return lines


def email_models():
    """Every model whose rows are emails the worker sends (clinic.outbox)."""
    return [model for model in apps.get_models() if issubclass(model, Delivery)]


def plural(count, word, words=None):
    return f"{count:,} {word if count == 1 else words or word + 's'}"


def _copy_out(source, destination):
    digest = hashlib.sha256()
    descriptor = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            file.write(chunk)
    return digest.hexdigest()

