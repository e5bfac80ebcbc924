"""The production smoke run's fixtures: the deployment, its mail server, and the processes each test module starts.

PostgreSQL and Redis are the machine's (127.0.0.1:5432 and :6379); the run
makes its own database, smoke_<pid>, and uses Redis database 8, and leaves
neither behind. The mail server is an aiosmtpd sink in this process. Every
process started here is stopped here, whatever the tests did; a failing
test's report ends with the last lines each of them wrote.
"""

import os
import shutil
import tempfile
import time

import psycopg
import pytest
import redis

from tests.production.deployment import (
    CACHE_DB,
    CLINIC_INBOX,
    POSTGRES,
    REDIS_URL,
    STARTED,
    Deployment,
    Services,
)
from tests.production.mail_sink import MailSink

_TEST_STARTED = pytest.StashKey()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    item.stash[_TEST_STARTED] = time.time()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        since = item.stash.get(_TEST_STARTED, 0)
        for service in STARTED:
            if service.stopped_at is None or service.stopped_at >= since:
                state = "running" if service.running else f"exited with {service.process.returncode}"
                report.sections.append((f"{service.name} ({state}), its last lines", service.tail()))


def pytest_sessionfinish(session):
    # Nothing is normally left by now: this is for a process whose fixture never got to stop it.
    for service in STARTED:
        service.stop(timeout=5)


@pytest.fixture(scope="session")
def machine():
    """The machine's PostgreSQL and Redis, or a failure that says which is missing: never a skip."""
    missing = []
    try:
        psycopg.connect(dbname="postgres", connect_timeout=3, **POSTGRES).close()
    except psycopg.OperationalError as error:
        missing.append(f"PostgreSQL is not reachable on {POSTGRES['host']}:{POSTGRES['port']} as user "
                       f"{POSTGRES['user']}: {error}")
    try:
        redis.Redis.from_url(f"{REDIS_URL}/{CACHE_DB}", socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        missing.append(f"Redis is not reachable at {REDIS_URL}: {error}")
    if missing:
        pytest.fail("The production smoke run needs the machine's PostgreSQL and Redis.\n" + "\n".join(missing),
                    pytrace=False)


@pytest.fixture(scope="session")
def database(machine):
    """A database of this run's own, dropped at the end with anything still connected to it."""
    name = f"smoke_{os.getpid()}"
    with psycopg.connect(dbname="postgres", autocommit=True, **POSTGRES) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(dbname="postgres", autocommit=True, **POSTGRES) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def cache(machine):
    """Redis database 8, empty at the start and at the end."""
    client = redis.Redis.from_url(f"{REDIS_URL}/{CACHE_DB}")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture(scope="session")
def mail_sink():
    sink = MailSink().start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def media_root():
    """The uploads folder, readable by nginx's workers (not root) as /srv/clinic/media/ is by www-data.

    Not under pytest's temporary folder: that one is private to the user running the tests."""
    folder = tempfile.mkdtemp(prefix="clinic-smoke-media-")
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def deployment(database, cache, mail_sink, media_root, tmp_path_factory):
    """The README's deploy, step by step: migrate, the content, static files, the deployment checks, an owner."""
    deployment = Deployment(database, mail_sink, tmp_path_factory.mktemp("static"), media_root,
                            tmp_path_factory.mktemp("logs"))
    deployment.manage("migrate", "--no-input")
    deployment.manage("load_clinic_content")
    deployment.manage("collectstatic", "--no-input")
    # The content leaves the clinic without an inbox, which the deployment checks refuse:
    # staff set one in Booking settings.
    deployment.manage("shell", "-c", (
        "from booking.models import BookingSettings; rules = BookingSettings.load(); "
        f"rules.notification_email = {CLINIC_INBOX!r}; rules.save()"
    ))
    checks = deployment.manage("check", "--deploy", "--fail-level", "WARNING")
    assert "no issues" in checks, checks
    deployment.manage("createsuperuser", "--no-input", environment=deployment.environment(
        DJANGO_SUPERUSER_USERNAME=deployment.superuser["username"],
        DJANGO_SUPERUSER_PASSWORD=deployment.superuser["password"],
        DJANGO_SUPERUSER_EMAIL=deployment.superuser["email"],
    ))
    return deployment


@pytest.fixture(scope="module")
def services(deployment):
    services = Services(deployment)
    yield services
    services.stop_all()
