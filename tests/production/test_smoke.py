"""The site as it runs in production: gunicorn from its config file, the email worker, PostgreSQL, Redis, a mail server.

Each test talks to the running processes only through HTTP, SMTP and, for
what no page shows, the database.
"""

import http.client
import time
from collections import Counter

import pytest

from tests.production.browser import Browser
from tests.production.deployment import CLINIC_INBOX, EMAIL_ABANDONED_AFTER
from tests.production.mail_sink import free_port
from tests.production.patient import MARIA, Patient, book, open_days, reference_on
from tests.production.staff import change, sign_in

# The worker looks for abandoned emails every third of the lease, at least every second; a margin on top.
ABANDONED_EMAIL_ARRIVES_WITHIN = EMAIL_ABANDONED_AFTER + 20


@pytest.fixture(scope="module")
def site(services):
    return services.gunicorn("gunicorn")


@pytest.fixture(scope="module")
def worker(services):
    return services.worker()


def probe(host, path, host_header=None):
    """A load balancer's health check: plain HTTP, no proxy headers. (status, body, seconds taken)."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", host.port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host_header or f"127.0.0.1:{host.port}"})
        response = connection.getresponse()
        return response.status, response.read().decode(), time.monotonic() - started
    finally:
        connection.close()


def emails_for(reference, to):
    return lambda received, held: [m for m in received if reference in m.subject and to in m.to]


def test_healthz_answers_ok_over_plain_http_with_the_database_and_redis_up(site):
    status, body, _seconds = probe(site, "/healthz")
    assert (status, body.strip()) == (200, "ok")
    # A load balancer on another host checks by the app host's address, which ALLOWED_HOSTS does not name.
    status, body, _seconds = probe(site, "/healthz", host_header="10.0.0.7:8001")
    assert (status, body.strip()) == (200, "ok")


def test_a_patient_books_through_http_and_both_emails_reach_the_mail_server(site, worker, mail_sink):
    maria = Browser(site, address="203.0.113.10")

    page, _starts_at = book(maria, MARIA, open_days(maria)[0])

    assert page.path == "/book/confirmation/"
    reference = reference_on(page)
    assert "We have sent the details to maria@example.com" in page.text
    [to_patient] = mail_sink.wait_for(emails_for(reference, MARIA.email), 20, "the patient's email")
    [to_clinic] = mail_sink.wait_for(emails_for(reference, CLINIC_INBOX), 20, "the clinic's new request")
    # Instant booking is the clinic's default: the time is the patient's at once, nothing waits for the desk.
    assert to_patient.subject.startswith("Assessment booked: ")
    assert to_clinic.subject.startswith(f"New booking {reference}: ")
    assert MARIA.name in to_clinic.body and MARIA.note in to_clinic.body
    assert to_patient.message_id != to_clinic.message_id


def test_an_email_cut_off_by_a_killed_worker_is_sent_again_with_the_same_message_id(
    site, worker, services, deployment, mail_sink
):
    lucia = Patient(name="Lucía Ramírez Soto", phone="+52 664 765 4321", email="lucia@example.com", note="Hip, 21 km")
    browser = Browser(site, address="203.0.113.11")
    mail_sink.hold_next_message(to=lucia.email)

    page, _starts_at = book(browser, lucia, open_days(browser)[1])
    reference = reference_on(page)
    [held] = mail_sink.wait_for(lambda received, held: held, 20, "the email to hold")
    # The worker is waiting for the mail server's answer (EMAIL_TIMEOUT is 5 s): kill it now.
    worker.kill()
    services.restart_worker(worker)

    [again] = mail_sink.wait_for(
        lambda received, _held: [m for m in received if m.message_id == held.message_id],
        ABANDONED_EMAIL_ARRIVES_WITHIN, f"the email cut off mid-send ({held.to}, {held.subject!r}, {held.message_id})",
    )
    assert (again.to, again.subject) == (held.to, held.subject)
    assert reference in again.subject
    both = mail_sink.wait_for(
        lambda received, _held: len([m for m in received if reference in m.subject]) >= 2 and received,
        20, "the booking's other email",
    )
    assert {m.to for m in both if reference in m.subject} == {lucia.email, CLINIC_INBOX}
    # A sweep or two later, nothing has gone out twice, and the worker has recorded both as sent.
    time.sleep(EMAIL_ABANDONED_AFTER / 3 + 1)
    assert [key for key, count in Counter(m.message_id for m in mail_sink.received).items() if count > 1] == []
    unsent = deployment.sql(
        "SELECT e.kind FROM booking_outgoingemail e JOIN booking_booking b ON b.id = e.booking_id"
        " WHERE b.reference = %s AND e.sent_at IS NULL", [reference],
    )
    assert unsent == []


def test_an_admin_edit_shows_at_once_on_the_cached_home_page(site, deployment):
    def visit(path):
        # A new browser each time: no cookies, as the page cache's anonymous visitors come.
        page = Browser(site, address="203.0.113.20").get(path)
        assert page.status == 200, f"{path}: {page.status} {page.text[:500]}"
        return page

    visit("/")
    visit("/es/")
    # The page says nothing of where it came from. Written behind the site's back, as no admin edit
    # would be, a change cannot show on a page served from the cache: the next visit proves it is.
    deployment.sql("UPDATE clinic_clinic SET phone = %s", ["+52 664 000 0000"])
    assert "+52 664 000 0000" not in visit("/").text, "the home page was rendered again, not served from the page cache"

    staff = Browser(site, address="203.0.113.30")
    sign_in(staff, deployment.superuser)
    change(staff, "/admin/clinic/clinic/1/change/", phone="+52 664 555 0199")

    for path in ("/", "/es/"):
        assert "+52 664 555 0199" in visit(path).text, f"{path} still shows the clinic's details from before the edit"


def test_with_redis_down_healthz_says_so_quickly_and_pages_still_render(services):
    nothing_listens = f"redis://127.0.0.1:{free_port()}/8"
    host = services.gunicorn("gunicorn-without-redis", cache_url=nothing_listens)

    status, _body, seconds = probe(host, "/healthz")

    assert status == 503
    assert seconds < 5
    for path in ("/", "/faq/", "/book/"):
        page = Browser(host, address="203.0.113.40").get(path)
        assert page.status == 200, f"{path} with Redis down: {page.status} {page.text[:500]}"
        assert "Return to Running" in page.text
    # The rate limits live in Redis too: without it they are off, and patients still book.
    patient = Browser(host, address="203.0.113.41")
    page, _starts_at = book(patient, Patient(name="Sofía Castro", phone="+52 664 222 3344", email="sofia@example.com"),
                            open_days(patient)[4])
    reference_on(page)
