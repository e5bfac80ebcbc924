"""The site deployed as README.md's "Production" says, in processes of its own, on the machine's PostgreSQL and Redis.

Every process is started with the environment a service manager would give
it, and nothing from the shell that runs the tests.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from tests.production.browser import Host
from tests.production.mail_sink import free_port

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS_URL = "redis://127.0.0.1:6379"
CACHE_DB = 8
# A claim this old is a dead worker's: short, so the run waits seconds, not the production default's minutes.
EMAIL_ABANDONED_AFTER = 5
CLINIC_INBOX = "recepcion@clinic.example"

# Every process the run started, for the failure reports and for the last stop.
STARTED = []


class Service:
    """A process of the deployment, its output in a file of its own."""

    def __init__(self, name, args, environment, log_dir):
        self.name = name
        self.args = args
        self.environment = environment
        self.log_path = Path(log_dir) / f"{name}.log"
        self.process = None
        self.stopped_at = None

    def start(self):
        # Appending: a restarted worker's log follows the one it replaces.
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, *self.args], cwd=ROOT, env=self.environment,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.stopped_at = None
        if self not in STARTED:
            STARTED.append(self)
        return self

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        """SIGKILL, as the kernel's out-of-memory killer or a pulled plug does: no clean-up at all."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.stopped_at = time.time()

    def stop(self, timeout=20):
        """SIGTERM, as a service manager stops it; SIGKILL for whatever of it is left after `timeout`."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        # The process group is this service's own (start_new_session): gunicorn's workers, if they outlived it.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)
        self.stopped_at = self.stopped_at or time.time()

    def output(self):
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def tail(self, lines=40):
        return "\n".join(self.output().splitlines()[-lines:])

    def wait_for_output(self, text, timeout=30, after=0):
        """Wait for `text` in what the process wrote past the first `after` characters."""
        deadline = time.monotonic() + timeout
        while text not in self.output()[after:]:
            self._fail_if_gone(f"before it wrote {text!r}")
            if time.monotonic() > deadline:
                pytest.fail(f"{self.name} did not write {text!r} within {timeout} s:\n{self.tail()}")
            time.sleep(0.1)

    def wait_until_listening(self, port, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            self._fail_if_gone(f"before listening on {port}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{self.name} is not listening on {port} after {timeout} s:\n{self.tail()}")
                time.sleep(0.1)

    def _fail_if_gone(self, when):
        if not self.running:
            pytest.fail(f"{self.name} exited with {self.process.returncode} {when}:\n{self.tail()}")


class Deployment:
    """The site as deployed: its environment, its database, and the steps README.md's "Production" lists."""

    def __init__(self, database, sink, static_root, media_root, log_dir):
        self.database = database
        self.media_root = media_root
        self.log_dir = log_dir
        self.superuser = {"username": "owner", "password": secrets.token_urlsafe(18), "email": "owner@clinic.example"}
        self.base_environment = {
            # Only what a service manager would give it: nothing from the shell that runs the tests.
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "clinic_site.settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
            "CACHE_URL": f"{REDIS_URL}/{CACHE_DB}",
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "EMAIL_TIMEOUT": "5",
            "EMAIL_ABANDONED_AFTER": str(EMAIL_ABANDONED_AFTER),
            "SITE_URL": "https://clinic.example",
            "DEFAULT_FROM_EMAIL": "Return to Running <citas@clinic.example>",
            "STATIC_ROOT": str(static_root),
            # Uploads on this host, as one server keeps them: nginx serves the folder at /media/.
            "MEDIA_ROOT": str(media_root),
            # Otherwise the form takes a booking sent within 8 s of choosing a time for a bot's.
            "BOOKING_MINIMUM_SECONDS": "0",
            # Staff sign in with a password only: the second factor has tests of its own.
            "STAFF_REQUIRE_2FA": "false",
        }

    def environment(self, **overrides):
        return {**self.base_environment, **{key: str(value) for key, value in overrides.items()}}

    def manage(self, *args, environment=None, timeout=120):
        """`python manage.py …` as the README runs it; a failure shows what the command wrote."""
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment or self.environment(),
                                capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            pytest.fail(f"manage.py {' '.join(args)} exited with {result.returncode}:\n"
                        f"{result.stdout}\n{result.stderr}")
        return result.stdout

    def sql(self, query, params=()):
        """A query on the site's database, from outside the site, for what no page shows."""
        with psycopg.connect(dbname=self.database, autocommit=True, **POSTGRES) as connection:
            cursor = connection.execute(query, params)
            return cursor.fetchall() if cursor.description else None


class Services:
    """Starts the site's processes for one test module, and stops every one of them after it."""

    def __init__(self, deployment):
        self.deployment = deployment
        self.started = []

    def gunicorns(self, *names, cache_url=None):
        """One gunicorn a name, each on a free port, started as README.md says: from the repository, with its config."""
        ports = [free_port() for _name in names]
        origins = ",".join(Host(port).origin for port in ports)
        hosts = []
        for name, port in zip(names, ports):
            environment = self.deployment.environment(
                GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=2, CSRF_TRUSTED_ORIGINS=origins,
                **({"CACHE_URL": cache_url} if cache_url else {}),
            )
            service = self._start(name, ["-m", "gunicorn", "clinic_site.wsgi"], environment)
            hosts.append((service, port))
        for service, port in hosts:
            service.wait_until_listening(port)
        return [Host(port) for _service, port in hosts]

    def gunicorn(self, name, cache_url=None):
        return self.gunicorns(name, cache_url=cache_url)[0]

    def worker(self, name="worker"):
        service = self._start(name, ["manage.py", "worker", "--interval", "0.5"], self.deployment.environment())
        service.wait_for_output("Starting worker")
        return service

    @staticmethod
    def restart_worker(service):
        """Start a stopped or killed worker again, as its service manager would, and wait until it works."""
        written = len(service.output())
        service.start()
        service.wait_for_output("Starting worker", after=written)

    def _start(self, name, args, environment):
        service = Service(name, args, environment, self.deployment.log_dir).start()
        self.started.append(service)
        return service

    def stop_all(self):
        for service in reversed(self.started):
            service.stop()
