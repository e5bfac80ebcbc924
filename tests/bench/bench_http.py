"""The page cache's figures, run by `make bench`: requests a second from gunicorn with DEBUG off.

The site runs as in production: clinic_site.settings, the repository's
gunicorn.conf.py, a migrated database with the clinic's content and the
collected static files. A load generator in this file, keep-alive HTTP over
plain sockets in a few processes, asks side by side, round after round, for
/robots.txt, the cached / and /es/, and / rendered afresh (an address with a
query string, which the cache never serves, and a visitor with a session).
It prints requests a second and the ratio of the cached / to /robots.txt, and
asserts nothing about time: the machine decides that. The query count of a
fresh / is pinned by the test suite.

    BENCH_CACHE_URL     the cache gunicorn uses (locmemcache:// by default; e.g. redis://127.0.0.1:6379/3)
    BENCH_DATABASE_URL  its database (a fresh SQLite file by default)
    BENCH_WORKERS       WEB_CONCURRENCY (one a core by default)
    BENCH_CLIENTS       load-generating processes (twice the workers by default)
    BENCH_SECONDS       seconds each address is asked for, each round (1)
    BENCH_ROUNDS        rounds (10)
    BENCH_GUNICORN_ARGS gunicorn options over its config file (GUNICORN_CMD_ARGS), e.g. "--max-requests 0"
"""

import multiprocessing
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "locmemcache://")
WORKERS = int(os.environ.get("BENCH_WORKERS") or os.cpu_count() or 1)
CLIENTS = int(os.environ.get("BENCH_CLIENTS") or 2 * WORKERS)
SECONDS = float(os.environ.get("BENCH_SECONDS", "1"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))

# (label, path, extra request headers, whether the page cache answers it)
ADDRESSES = [
    ("/robots.txt", "/robots.txt", "", True),
    ("cached /", "/", "", True),
    ("cached /es/", "/es/", "", True),
    ("uncached / (query string)", "/?from=bench", "", False),
    ("uncached / (session cookie)", "/", "Cookie: sessionid=bench-visitor-with-a-session\r\n", False),
]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request_bytes(port, path, extra_headers):
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra_headers}\r\n".encode()


def read_response(connection, pending):
    """(status, headers, body, rest) for one response on `connection`; `pending` is what was read past the last one."""
    while b"\r\n\r\n" not in pending:
        chunk = connection.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the headers")
        pending += chunk
    head, _sep, pending = pending.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {name.strip().lower(): value.strip() for name, _sep, value in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", 0))
    while len(pending) < length:
        chunk = connection.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside the body")
        pending += chunk
    return status, headers, pending[:length], pending[length:]


def fetch(port, path, extra_headers=""):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request_bytes(port, path, extra_headers))
        status, headers, body, _rest = read_response(connection, b"")
    return status, headers, body


def hammer(job):
    """One client: the same request, again and again on a kept-alive connection, for `seconds`. (done, failed, elapsed)"""
    port, request, seconds = job
    done = failed = 0
    connection, pending = None, b""
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        try:
            if connection is None:
                connection = socket.create_connection(("127.0.0.1", port), timeout=10)
                connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                pending = b""
            connection.sendall(request)
            status, headers, _body, pending = read_response(connection, pending)
        except OSError:
            failed += 1
            connection = None
            continue
        if status == 200:
            done += 1
        else:
            failed += 1
        # gunicorn's sync workers answer one request a connection.
        if headers.get("connection", "").lower() == "close":
            connection.close()
            connection = None
    if connection is not None:
        connection.close()
    return done, failed, time.perf_counter() - start


class Site:
    """The site deployed as README.md's "Production" says, with gunicorn on a port of its own."""

    def __init__(self, folder, database_url):
        self.port = free_port()
        self.log = folder / "gunicorn.log"
        self.environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8",
            "DJANGO_SETTINGS_MODULE": "clinic_site.settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url,
            "CACHE_URL": CACHE_URL,
            "STATIC_ROOT": str(folder / "static"),
            "LOG_LEVEL": "WARNING",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(WORKERS),
            **({"GUNICORN_CMD_ARGS": os.environ["BENCH_GUNICORN_ARGS"]} if os.environ.get("BENCH_GUNICORN_ARGS") else {}),
        }
        self.process = None

    def manage(self, *args):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.environment, check=True,
                       capture_output=True, timeout=300)

    def deploy(self):
        # migrate also forgets whatever an earlier run left in a shared cache (clinic_site.page_cache).
        self.manage("migrate", "--no-input")
        self.manage("load_clinic_content")
        self.manage("collectstatic", "--no-input")

    def start(self):
        with open(self.log, "wb") as log:
            # From the repository, so gunicorn reads its gunicorn.conf.py.
            self.process = subprocess.Popen([sys.executable, "-m", "gunicorn", "clinic_site.wsgi"], cwd=ROOT,
                                            env=self.environment, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                if fetch(self.port, "/robots.txt")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def site(tmp_path, request):
    database_url = os.environ.get("BENCH_DATABASE_URL") or request.getfixturevalue("migrated_database_url")
    site = Site(tmp_path, database_url)
    site.deploy()
    site.start()
    yield site
    site.stop()


def check_the_cache_answers_as_labelled(site):
    for label, path, extra, cached in ADDRESSES:
        status, headers, body = fetch(site.port, path, extra)
        assert status == 200, f"{label}: {status} {body[:300]!r}"
        # Only pages that went through the page cache carry its ETag.
        assert ("etag" in headers) == cached, f"{label}: {headers}"
        if cached:
            repeat = fetch(site.port, path, f'If-None-Match: {headers["etag"]}\r\n')
            assert repeat[0] == 304, f"{label}: {repeat[0]}"


def test_report(site):
    check_the_cache_answers_as_labelled(site)
    requests = {label: request_bytes(site.port, path, extra) for label, path, extra, _cached in ADDRESSES}
    done, failed, seconds = (dict.fromkeys(requests, 0) for _ in range(3))
    per_round = {label: [] for label in requests}
    with multiprocessing.get_context("spawn").Pool(CLIENTS) as clients:
        # Every worker renders and caches each page before anything is timed.
        for request in requests.values():
            clients.map(hammer, [(site.port, request, 0.3)] * CLIENTS)
        # Short rounds, the addresses taking turns, each round starting one further on: a busy
        # moment of the machine, or a worker gunicorn replaced (max_requests) rendering its first
        # pages, falls on all of them alike.
        labels = list(requests)
        for round_number in range(ROUNDS):
            for label in labels[round_number % len(labels):] + labels[:round_number % len(labels)]:
                request = requests[label]
                results = clients.map(hammer, [(site.port, request, SECONDS)] * CLIENTS)
                elapsed = max(result[2] for result in results)
                done[label] += sum(result[0] for result in results)
                failed[label] += sum(result[1] for result in results)
                seconds[label] += elapsed
                per_round[label].append(sum(result[0] for result in results) / elapsed)
    rate = {label: done[label] / seconds[label] for label in requests}
    booted = site.log.read_text(errors="replace").count("Booting worker") - WORKERS

    print(f"\n\ngunicorn, DEBUG off: {WORKERS} workers ({booted} replaced during the run), "
          f"cache {CACHE_URL.split('://')[0]}, database {site.environment['DATABASE_URL'].split('://')[0]}; "
          f"{CLIENTS} keep-alive clients, {ROUNDS} rounds of {SECONDS:g} s an address")
    print("what                             req/s   rounds: median (min–max)   failed")
    for label in requests:
        rounds = per_round[label]
        print(f"{label:<29} {rate[label]:>8.0f}   {statistics.median(rounds):>14.0f} ({min(rounds):.0f}–{max(rounds):.0f})"
              f"   {failed[label]:>6}")
    print(f"cached / ÷ /robots.txt: {rate['cached /'] / rate['/robots.txt']:.2f}")
