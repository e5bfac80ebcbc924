"""Logs and error reports: one line per event, a request id, and nothing of the patient's anywhere.

Every line the site's own handler writes is captured while a patient books,
someone fails to sign in to the admin and two booking pages fail with a 500;
then each is searched for the patient's name, phone, email and note, as
written and in every escaped form a line could hold them. The operator's
email and the Sentry event of a 500 are searched the same way.
"""

import gzip
import io
import json
import logging
import re
import signal
import smtplib
import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar
from urllib.parse import quote, quote_plus

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import IntegrityError, close_old_connections, connection
from django.test import Client, RequestFactory

from booking.models import Booking
from clinic_site.log_redaction import JsonFormatter, KeepPatientDataOut, TextFormatter
from tests.helpers import staff_member

ROOT = Path(__file__).resolve().parents[2]

PATIENT = {
    "patient_name": "María Fernanda López",
    "phone": "664 123 4567",
    "email": "maria.lopez@example.com",
}
NOTE = "Knee swells after 10 km since the Tijuana half marathon"
SECRETS = [
    "María Fernanda López", "María", "Fernanda", "López", "Lopez",
    "+526641234567", "526641234567", "6641234567", "664 123 4567", "+52 664 123 4567", "664-123-4567",
    "maria.lopez@example.com", "maria.lopez",
    NOTE, "Knee swells", "half marathon",
]
REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
TEXT_LINE = re.compile(rf"{TIMESTAMP.pattern} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+ \[[A-Za-z0-9-]+\] ")


def written_forms(secret):
    """`secret` as a log line, an email or a JSON document could spell it."""
    return {
        secret,
        secret.encode("unicode_escape").decode("ascii"),  # Django's log_response escapes a path so
        json.dumps(secret)[1:-1],  # JSON with ensure_ascii
        quote(secret),
        quote_plus(secret),
    }


def leaks(text):
    """The patient's details found in `text`, or in any JSON document on its lines once decoded."""
    texts = [text]
    for line in text.splitlines():
        try:
            texts.append(json.dumps(json.loads(line), ensure_ascii=False))
        except ValueError:
            pass
    return sorted({secret for secret in SECRETS for form in written_forms(secret) for t in texts if form in t})


@pytest.fixture(autouse=True)
def no_minimum_time(settings):
    settings.BOOKING_MINIMUM_SECONDS = 0


@contextmanager
def site_log(log_format):
    """Every line the site's own handler writes, at DEBUG, in `log_format`.

    The handler is the one settings.LOGGING built, with its filters; only its
    stream, level and formatter are swapped for the test and put back after.
    The database cursor logs every query (with its parameters) as it would
    with DEBUG on: Django's loggers must still keep them out.
    """
    root = logging.getLogger()
    handler = next(h for h in root.handlers if any(isinstance(f, KeepPatientDataOut) for f in h.filters))
    stream = io.StringIO()
    saved = handler.setStream(stream), handler.formatter, handler.level, root.level, connection.force_debug_cursor
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.setLevel(logging.DEBUG)
    root.setLevel(logging.DEBUG)
    connection.force_debug_cursor = True
    try:
        yield stream
    finally:
        handler.setStream(saved[0])
        handler.setFormatter(saved[1])
        handler.setLevel(saved[2])
        root.setLevel(saved[3])
        connection.force_debug_cursor = saved[4]


def choose_first_time(client):
    day = re.search(r'href="\?day=([0-9-]+)"', client.get("/book/").content.decode()).group(1)
    page = client.get(f"/book/?day={day}").content.decode()
    starts_at = re.search(r'name="starts_at" id="id_starts_at_\d+" value="([^"]+)"', page).group(1)
    client.post("/book/", {"day": day, "starts_at": starts_at})


def book(client):
    """Book the first open time as a patient does, page by page."""
    choose_first_time(client)
    client.post("/book/details/", PATIENT)
    client.post("/book/reason/", {"reason": "not_sure", "note": NOTE})
    submission = re.search(r'name="submission" value="([^"]+)"', client.get("/book/check/").content.decode()).group(1)
    return client.post("/book/check/", {"submission": submission, "consent": "on"})


def fail_to_keep_the_details(monkeypatch):
    """The details page fails with an exception that quotes what the patient typed, as a careless one might."""

    def answer(self, answers):
        raise ValueError(f"could not keep {answers!r} for {PATIENT['patient_name']}")

    monkeypatch.setattr("booking.views.flow.BookingDraft.answer", answer)


def fail_to_book(monkeypatch):
    """Booking fails as PostgreSQL reports a bad row: the whole row quoted in the DETAIL line."""

    def book_assessment(**details):
        raise IntegrityError(
            'null value in column "practitioner_id" of relation "booking_booking" violates not-null constraint\n'
            f"DETAIL:  Failing row contains (7, {details['patient_name']}, {details['phone']}, {details['email']}, "
            f"{details['note']}, requested)."
        )

    monkeypatch.setattr("booking.views.flow.book_assessment", book_assessment)


def fail_with_patient_data(client, monkeypatch, post=None):
    """Two 500s: the details page with the patient's details in its POST, and the last step with them in the session."""
    client.raise_request_exception = False
    post = post or (lambda path, data, headers=None: client.post(path, data, headers=headers))
    choose_first_time(client)
    with monkeypatch.context() as patch:
        fail_to_keep_the_details(patch)
        details_failed = post("/book/details/", PATIENT, headers={"X-Request-ID": "proxy-req-500-details"})
    client.post("/book/details/", PATIENT)
    client.post("/book/reason/", {"reason": "not_sure", "note": NOTE})
    submission = re.search(r'name="submission" value="([^"]+)"', client.get("/book/check/").content.decode()).group(1)
    with monkeypatch.context() as patch:
        fail_to_book(patch)
        booking_failed = post("/book/check/", {"submission": submission, "consent": "on"})
    assert details_failed.status_code == booking_failed.status_code == 500
    return details_failed, booking_failed


def through_wsgi(client):
    """A `post` for fail_with_patient_data that goes through Django's WSGI application, as gunicorn calls it.

    Sentry reads a request's address, method and headers there, not in the
    test client's handler. The client's cookies and CSRF token go with it.
    """

    def post(path, data, headers=None):
        cookie = "; ".join(f"{morsel.key}={morsel.value}" for morsel in client.cookies.values())
        data = {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
        environ = RequestFactory().post(path, data, headers={"Cookie": cookie, **(headers or {})}).environ
        started = []
        # As the test client does: a request must not close the test's own database connection.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            body = WSGIHandler()(environ, lambda status, response_headers, exc_info=None: started.append(status))
            body.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return SimpleNamespace(status_code=int(started[0].split()[0]))

    return post


def run_worker_logging(monkeypatch):
    """`manage.py db_worker --batch` at its normal verbosity, so each task it runs is logged."""
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=1, stdout=io.StringIO())
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)
        # Back to the quiet the other tests' worker runs use.
        logging.getLogger("django_tasks").setLevel(logging.CRITICAL)
        logging.getLogger("django_tasks_db").setLevel(logging.CRITICAL)


def mail_server_refuses(monkeypatch):
    """The mail server refuses the patient's address, quoting it, as a real one does."""

    def send_messages(self, messages):
        refused = {address: (550, f"5.1.1 <{address}>: Recipient address rejected".encode()) for m in messages for address in m.to}
        raise smtplib.SMTPRecipientsRefused(refused)

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", send_messages)


def fail_to_sign_in(client):
    staff_member("reception", "Clinic editors")
    return client.post("/admin/login/?next=/admin/", {"username": "reception", "password": "not-the-password"})


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_no_log_line_holds_the_patients_details(client, booking_rules, clinic_content, monkeypatch, log_format):
    with site_log(log_format) as log:
        mail_server_refuses(monkeypatch)
        assert book(client).status_code == 302
        run_worker_logging(monkeypatch)  # the emails fail: the server refuses the patient's address
        client.post(Booking.objects.get().get_manage_url() + "cancel/")
        fail_to_sign_in(Client())
        fail_with_patient_data(Client(), monkeypatch)

    lines = log.getvalue().splitlines()
    assert leaks(log.getvalue()) == []
    text = log.getvalue()
    # What the operator needs is still there.
    assert "Internal Server Error: /book/details/" in text and "Internal Server Error: /book/check/" in text
    assert "ValueError" in text and "IntegrityError" in text and "violates not-null constraint" in text
    assert "AXES: New login failure" in text
    assert "(SMTPRecipientsRefused)" in text
    assert "django.db.backends" not in text  # no query, and so no query's parameters
    if log_format == "json":
        records = [json.loads(line) for line in lines]
        assert all({"timestamp", "level", "logger", "message", "request_id"} <= set(record) for record in records)
        assert all(TIMESTAMP.fullmatch(record["timestamp"]) for record in records)
        assert all(record["request_id"] == "-" or REQUEST_ID.fullmatch(record["request_id"]) for record in records)
        errors = [record for record in records if record["level"] == "ERROR" and record["logger"] == "django.request"]
        assert len(errors) == 2 and all("Traceback" in record["exc_info"] for record in errors)
        assert errors[0]["request_id"] == "proxy-req-500-details"
        assert not any("request" in record for record in records)
        # Django's line for a 4xx is written after the last middleware has returned: still the request's.
        assert all(record["request_id"] != "-" for record in records if record["logger"] == "django.request")
        emails = [record for record in records if record["logger"] == "clinic.outbox"]
        assert emails and all(re.fullmatch(r"[0-9a-f-]{36}", record["request_id"]) for record in emails)
    else:
        assert TEXT_LINE.match(lines[0])
        assert re.search(rf"{TIMESTAMP.pattern} ERROR django\.request \[proxy-req-500-details\] Internal Server Error: /book/details/", text)


def test_a_json_line_is_one_line_even_with_a_traceback(client, booking_rules, clinic_content, monkeypatch):
    with site_log("json") as log:
        fail_with_patient_data(client, monkeypatch)
    records = [json.loads(line) for line in log.getvalue().splitlines()]
    assert any("\n" in record.get("exc_info", "") for record in records)


def test_the_request_id_comes_back_in_the_response_and_is_on_its_lines(client, db):
    with site_log("json") as log:
        response = client.get("/no-such-page/", headers={"X-Request-ID": "edge-7f3a9c21"})
    assert response["X-Request-ID"] == "edge-7f3a9c21"
    (not_found,) = [json.loads(line) for line in log.getvalue().splitlines() if "Not Found" in line]
    assert not_found["request_id"] == "edge-7f3a9c21" and not_found["message"] == "Not Found: /no-such-page/"


def test_without_a_request_id_from_the_proxy_the_site_makes_one(client, db):
    first, second = client.get("/robots.txt"), client.get("/robots.txt")
    assert REQUEST_ID.fullmatch(first["X-Request-ID"]) and first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.parametrize(
    "header", ["short", "x" * 65, "has space in it", "id\r\nSet-Cookie: x=1", "<script>alert(1)</script>", "ünïcode-ïd-123", ""]
)
def test_an_insane_request_id_is_replaced(client, db, header):
    response = client.get("/robots.txt", headers={"X-Request-ID": header})
    assert response["X-Request-ID"] != header and REQUEST_ID.fullmatch(response["X-Request-ID"])


def test_lines_outside_a_request_carry_a_dash(db):
    with site_log("json") as log:
        logging.getLogger("clinic_site").warning("Outside any request")
    assert json.loads(log.getvalue())["request_id"] == "-"


def test_a_record_never_carries_the_request_or_its_post(rf):
    request = rf.post("/book/details/", PATIENT)
    with site_log("json") as log:
        logging.getLogger("django.request").warning("Bad Request: %s", "/book/details/", extra={"request": request, "status_code": 400})
        logging.getLogger("clinic_site").warning("Posted %s", request.POST, extra={"form": request.POST, "patient": PATIENT})
    records = [json.loads(line) for line in log.getvalue().splitlines()]
    assert records[0] == {**records[0], "message": "Bad Request: /book/details/", "status_code": 400}
    assert "request" not in records[0] and "form" not in records[1] and "patient" not in records[1]
    assert records[1]["message"] == "Posted [hidden]"
    assert leaks(log.getvalue()) == []


def test_a_message_quoting_an_email_phone_link_or_query_is_scrubbed(db):
    token = "Abc123_-" * 6
    with site_log("text") as log:
        logging.getLogger("clinic_site").warning(
            "Mail to %s, call %s, from /book/manage/%s/?next=/es/?q=%s", PATIENT["email"], "+526641234567", token, quote_plus(PATIENT["patient_name"])
        )
    line = log.getvalue()
    assert "Mail to [email], call [phone], from /book/manage/[private]/" in line
    assert token not in line and "?" not in line and leaks(line) == []


# The operator's email for a 500.


def test_a_500_emails_the_operator_without_the_patients_details(client, booking_rules, clinic_content, mailoutbox, monkeypatch, settings):
    settings.ADMINS = [("Operator", "ops@clinic.example")]
    details_failed, _booking_failed = fail_with_patient_data(client, monkeypatch)

    reports = [message for message in mailoutbox if message.to == ["ops@clinic.example"]]
    assert len(reports) == 2
    details, booking_report = reports
    assert "Internal Server Error: /book/details/" in details.subject
    assert "ValueError" in details.body and 'File "' in details.body  # the traceback, so the operator can act
    assert "Request URL: http://testserver/book/details/" in details.body
    assert "patient_name = '********************'" in details.body  # the field's name, never its value
    assert f"Request id: {details_failed['X-Request-ID']}" in details.body
    assert "IntegrityError" in booking_report.body and "DETAIL: [hidden]" in booking_report.body
    for report in reports:
        assert leaks(report.subject) == [] and leaks(report.body) == []
        assert "sessionid" not in report.body or "sessionid = '********************'" in report.body


def test_the_operators_email_gives_no_private_link_query_or_cookie(client, booking, mailoutbox, monkeypatch, settings):
    settings.ADMINS = [("Operator", "ops@clinic.example")]

    def broken(token):
        raise RuntimeError(f"could not open booking {token!r}")

    monkeypatch.setattr("booking.views.manage._booking_by_token", broken)
    client.raise_request_exception = False
    client.cookies["sessionid"] = "a-session-key-that-opens-a-draft"
    response = client.get(
        booking.get_manage_url() + f"?email={PATIENT['email']}",
        headers={"Referer": f"http://testserver{booking.get_manage_url()}?q={quote_plus(PATIENT['patient_name'])}"},
    )

    assert response.status_code == 500
    (report,) = mailoutbox
    assert report.subject.endswith("Internal Server Error: /book/manage/[private]/")
    for part in (report.subject, report.body):
        assert booking.token not in part and leaks(part) == []
        assert "a-session-key-that-opens-a-draft" not in part
    assert "Request URL: http://testserver/book/manage/[private]/\n" in report.body
    assert "email = '********************'" in report.body  # the query's names, never its values
    assert "HTTP_REFERER = '/book/manage/[private]/'" in report.body


def test_the_operators_email_hides_what_staff_typed_in_the_admin(admin_client, booking, mailoutbox, monkeypatch, settings):
    """The admin's forms are not marked sensitive as the booking pages are: every value is hidden all the same."""
    settings.ADMINS = [("Operator", "ops@clinic.example")]

    def broken(*args, **kwargs):
        raise RuntimeError("the admin broke")

    monkeypatch.setattr("django.contrib.admin.ModelAdmin.save_model", broken)
    admin_client.raise_request_exception = False
    response = admin_client.post(
        f"/admin/booking/booking/{booking.pk}/change/",
        {"patient_name": PATIENT["patient_name"], "phone": "+526641234567", "email": PATIENT["email"], "note": NOTE},
    )
    assert response.status_code in (200, 500)
    for report in mailoutbox:
        assert leaks(report.subject) == [] and leaks(report.body) == []


def test_an_html_report_shows_no_local_variable_a_form_value_or_a_cookie(rf):
    """include_html is off; were it turned on, the report would still hold nothing of the patient's."""
    from clinic_site.error_reports import PatientSafeExceptionReporter

    request = rf.post("/book/details/?day=2027-03-02", PATIENT, headers={"Cookie": "sessionid=a-session-key-that-opens-a-draft"})
    try:
        patient_name = PATIENT["patient_name"]  # noqa: F841 - a local variable, as a view would have
        raise ValueError(f"could not keep {PATIENT['email']!r}")
    except ValueError:
        report = PatientSafeExceptionReporter(request, *sys.exc_info(), is_email=True)
        html, text = report.get_traceback_html(), report.get_traceback_text()
    for part in (html, text):
        assert leaks(part) == [] and "a-session-key-that-opens-a-draft" not in part and "2027-03-02" not in part
    assert "patient_name" in html and "ValueError" in text


# Sentry, for real: a local server stands in for sentry.io and collects what the SDK sends.


class EnvelopeCollector(BaseHTTPRequestHandler):
    received: ClassVar[list] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.received.append((self.path, body.decode("utf-8")))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def envelope_items(text):
    """(item type, payload) for every item in the envelopes received: a header line, then each item's header and payload."""
    items = []
    lines = text.splitlines()
    for index in range(1, len(lines) - 1, 2):
        header = json.loads(lines[index])
        items.append((header.get("type"), json.loads(lines[index + 1])))
    return items


@pytest.fixture
def sentry_server():
    import sentry_sdk

    from clinic_site.error_reports import start_sentry

    EnvelopeCollector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), EnvelopeCollector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    start_sentry(
        f"http://public@127.0.0.1:{server.server_port}/1",
        environment="tests", release="clinic@test", traces_sample_rate=1.0,
    )
    try:
        yield EnvelopeCollector.received
    finally:
        sentry_sdk.get_client().close(timeout=2)
        sentry_sdk.get_global_scope().set_client(None)
        server.shutdown()
        server.server_close()


def test_a_500_reaches_sentry_without_the_patients_details(client, booking_rules, clinic_content, monkeypatch, sentry_server):
    import sentry_sdk

    fail_with_patient_data(client, monkeypatch, post=through_wsgi(client))
    sentry_sdk.flush(timeout=5)

    assert sentry_server and all(path == "/api/1/envelope/" for path, _body in sentry_server)
    items = [item for _path, body in sentry_server for item in envelope_items(body)]
    events = [payload for kind, payload in items if kind == "event"]
    errors = {event["exception"]["values"][-1]["type"]: event for event in events if event.get("exception")}
    assert set(errors) >= {"ValueError", "IntegrityError"}
    details = errors["ValueError"]
    assert details["request"]["url"] == "http://testserver/book/details/" and details["request"]["method"] == "POST"
    assert set(details["request"]) == {"method", "url", "headers"}  # no data, cookies, query string or environment
    assert "user" not in details
    assert details["tags"]["request_id"] == "proxy-req-500-details"
    assert details["environment"] == "tests" and details["release"] == "clinic@test"
    assert all("vars" not in frame for frame in details["exception"]["values"][-1]["stacktrace"]["frames"])
    assert "DETAIL: [hidden]" in errors["IntegrityError"]["exception"]["values"][-1]["value"]
    assert any(kind == "transaction" for kind, _payload in items)  # timings too, scrubbed the same way
    for _path, body in sentry_server:
        assert leaks(body) == []


def test_sentry_is_started_by_the_settings_only_when_sentry_dsn_is_set():
    script = (
        "import django, json, sentry_sdk; django.setup(); from django.conf import settings; client = sentry_sdk.get_client();"
        "print(json.dumps({'active': client.is_active(), 'admins': settings.ADMINS, 'options': {key: client.options.get(key) for key in"
        " ('send_default_pii', 'include_local_variables', 'max_request_body_size', 'traces_sample_rate', 'environment')}}))"
    )
    environment = {"DJANGO_SETTINGS_MODULE": "clinic_site.settings", "SECRET_KEY": "tests-only", "PATH": "/usr/bin:/bin",
                   "ADMINS": '"Ruiz, Ana" <ana@clinic.example>, ops@clinic.example'}

    def settings_with(**variables):
        run = subprocess.run([sys.executable, "-c", script], check=False, cwd=ROOT, env={**environment, **variables},
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        return json.loads(run.stdout.splitlines()[-1])

    without = settings_with()
    assert without["active"] is False
    assert without["admins"] == [["Ruiz, Ana", "ana@clinic.example"], ["", "ops@clinic.example"]]
    with_dsn = settings_with(SENTRY_DSN="http://public@127.0.0.1:9/1")
    assert with_dsn["active"] is True
    assert with_dsn["options"] == {"send_default_pii": False, "include_local_variables": False,
                                   "max_request_body_size": "never", "traces_sample_rate": 0.0, "environment": "production"}


def test_an_admins_entry_without_an_address_stops_the_start():
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], check=False, cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={"DJANGO_SETTINGS_MODULE": "clinic_site.settings", "SECRET_KEY": "tests-only", "PATH": "/usr/bin:/bin", "ADMINS": "Ana Ruiz"},
    )
    assert run.returncode != 0 and "ADMINS" in run.stderr
