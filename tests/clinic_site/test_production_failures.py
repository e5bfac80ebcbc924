"""What the site does when a part it runs on fails: a cache that is down, a database that hangs, and /healthz telling."""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connection, transaction

from booking.models import Booking
from tests.booking.test_abuse import walk_to_check
from tests.clinic_site.test_site import run_django

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def port_nobody_listens_on():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_server():
    """A server that accepts connections and never says a word: a database that hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for client in accepted:
        client.close()
    listener.close()


@pytest.fixture
def redis_down(settings, port_nobody_listens_on):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port_nobody_listens_on}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


def test_the_health_check_answers_ok_when_the_database_and_cache_answer(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    # A load balancer probes by address, over plain HTTP.
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8001")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]


def test_the_health_check_says_unavailable_and_nothing_else_when_the_cache_is_down(client, redis_down, caplog):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"unavailable\n"
    assert "cache" in caplog.text  # the reason is for the operator's log, not the probe


def test_a_patient_books_while_the_cache_is_down(client, booking_rules, clinic_content, redis_down, settings, caplog):
    settings.BOOKING_MINIMUM_SECONDS = 0

    submission = walk_to_check(client)
    response = client.post("/book/check/", {"submission": submission, "consent": "on"})

    assert response.status_code == 302
    assert Booking.objects.count() == 1
    assert "Rate limits are off: the cache is not answering" in caplog.text


def test_a_data_request_goes_through_while_the_cache_is_down(client, booking_rules, clinic_content, redis_down):
    response = client.post("/privacy/request/", {"kind": "access", "full_name": "Ana López", "email": "ana@example.com"})

    assert response.status_code == 302


def test_pages_still_render_while_the_cache_is_down(client, clinic_content, redis_down):
    assert client.get("/").status_code == 200
    assert client.get("/robots.txt").status_code == 200


def test_a_database_that_never_answers_costs_a_request_seconds_not_a_hang(silent_server, tmp_path):
    """Production settings against a PostgreSQL that accepts connections and then says nothing."""
    script = (
        "import time, django; django.setup();"
        "from django.test import Client; c = Client();"
        "started = time.monotonic(); r = c.get('/healthz');"
        "print('healthz', r.status_code, round(time.monotonic() - started, 1));"
        "started = time.monotonic(); r = Client(raise_request_exception=False).get('/', secure=True);"
        "print('home', r.status_code, round(time.monotonic() - started, 1))"
    )
    environment = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "DATABASE_URL"}}
    environment.update({"DJANGO_SETTINGS_MODULE": "tests.settings", "ALLOWED_HOSTS": "testserver",
                        "DATABASE_URL": f"postgres://clinic@127.0.0.1:{silent_server}/clinic",
                        "DATABASE_CONNECT_TIMEOUT": "2"})
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True,
                            timeout=60)
    elapsed = time.monotonic() - started

    assert result.returncode == 0, result.stderr[-2000:]
    healthz, home = (line.split() for line in result.stdout.splitlines()[-2:])
    assert healthz[:2] == ["healthz", "503"]
    assert home[:2] == ["home", "500"]  # the error page, not a worker killed by gunicorn's timeout
    assert elapsed < 25  # the connect timeout, not the 30 s gunicorn would wait before killing the worker


def test_the_postgresql_connection_has_connect_and_statement_timeouts(tmp_path):
    script = (
        "import django; django.setup(); from django.conf import settings;"
        "o = settings.DATABASES['default']; print(o['CONN_MAX_AGE'], o['CONN_HEALTH_CHECKS'],"
        " o['OPTIONS']['connect_timeout'], o['OPTIONS']['options'])"
    )
    result = run_django(
        "-c", script,
        env={"SECRET_KEY": "a-production-like-secret-key-for-this-test-only-1234567890",
             "DATABASE_URL": "postgres://clinic@127.0.0.1:5432/clinic"},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["60", "True", "5"]
    assert "statement_timeout=15000" in result.stdout


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own limit; the run on PostgreSQL checks it")
def test_postgresql_ends_a_statement_that_runs_past_the_limit(settings):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("15s",)
        with pytest.raises(OperationalError, match="statement timeout"), transaction.atomic():
            cursor.execute("SET LOCAL statement_timeout = 100")
            cursor.execute("SELECT pg_sleep(2)")
