"""Two app hosts on one PostgreSQL and one Redis, as README.md's "Two app hosts" runs them.

Patients' sessions live in the database and the page cache in Redis, so a
patient may be sent to either host at any step, and both hosts answer the same.
"""

import re
import threading
from collections import Counter
from datetime import datetime

import pytest

from tests.production.browser import Browser
from tests.production.deployment import CLINIC_INBOX
from tests.production.patient import (
    MARIA,
    TAKEN,
    agree_and_book,
    booked,
    choose_time,
    give_details,
    give_reason,
    open_days,
    patient_number,
    reference_on,
)
from tests.production.staff import change, sign_in

PATIENTS = 50


@pytest.fixture(scope="module")
def hosts(services):
    return services.gunicorns("host-a", "host-b")


@pytest.fixture(scope="module")
def workers(services):
    """A worker beside each host: each email is claimed by one of them only."""
    return services.worker("worker-a"), services.worker("worker-b")


def test_fifty_patients_racing_for_one_time_through_two_hosts_make_one_booking(hosts, workers, deployment, mail_sink):
    day = open_days(Browser(hosts[0]))[2]
    ready = threading.Barrier(PATIENTS, timeout=60)
    outcomes, lock = {}, threading.Lock()

    def patient(number):
        details, address = patient_number(number)
        browser = Browser(hosts[number % 2], address=address)
        try:
            page, starts_at = choose_time(browser, day)
            page = give_reason(browser, give_details(browser, page, details), details)
            ready.wait()  # everyone on the check page, the time still open to all: now press "Book assessment"
            page = agree_and_book(browser, page)
            if booked(page):
                outcome = ("booked", starts_at, reference_on(page))
            elif TAKEN in page.text and page.path.startswith("/book/?day="):
                outcome = ("taken", starts_at, None)
            else:
                outcome = ("unexpected", page.path, page.text[:300])
        except Exception as error:  # noqa: BLE001 - reported below with every other outcome
            outcome = ("error", repr(error), None)
            ready.abort()
        with lock:
            outcomes[number] = outcome

    threads = [threading.Thread(target=patient, args=(number,)) for number in range(PATIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert Counter(kind for kind, *_rest in outcomes.values()) == {"booked": 1, "taken": PATIENTS - 1}, outcomes
    [(_kind, starts_at, reference)] = [outcome for outcome in outcomes.values() if outcome[0] == "booked"]
    assert {outcome[1] for outcome in outcomes.values()} == {starts_at}  # everyone wanted the same time
    assert deployment.sql("SELECT reference FROM booking_booking WHERE starts_at = %s",
                          [datetime.fromisoformat(starts_at)]) == [(reference,)]
    received = mail_sink.wait_for(
        lambda received, _held: len([m for m in received if reference in m.subject]) >= 2 and received,
        20, f"the two emails of {reference}",
    )
    assert sorted(m.to for m in received if reference in m.subject) == sorted([CLINIC_INBOX, _winner(outcomes)])


def _winner(outcomes):
    [number] = [number for number, outcome in outcomes.items() if outcome[0] == "booked"]
    return patient_number(number)[0].email


def test_a_booking_started_on_one_host_is_finished_on_the_other(hosts):
    host_a, host_b = hosts
    maria = Browser(host_a, address="203.0.113.50")
    page, _starts_at = choose_time(maria, open_days(maria)[3])
    page = give_details(maria, page, MARIA)

    maria.host = host_b
    page = give_reason(maria, maria.get("/book/reason/"), MARIA)
    page = agree_and_book(maria, page)
    reference = reference_on(page)

    maria.host = host_a
    assert reference_on(maria.get("/book/confirmation/")) == reference


def test_an_admin_edit_on_one_host_shows_on_the_others_cached_page(hosts, deployment):
    host_a, host_b = hosts

    def faq_on(host):
        page = Browser(host, address="203.0.113.60").get("/faq/")
        assert page.status == 200, page.text[:500]
        return page.text

    staff = Browser(host_a, address="203.0.113.61")
    sign_in(staff, deployment.superuser)
    question = staff.get("/admin/faq/question/").links(r"^/admin/faq/question/\d+/change/")[0]
    faq_on(host_b)
    # Written behind the site's back: host B's copy of /faq/ comes from the shared cache, so it cannot show it.
    deployment.sql("UPDATE faq_question SET answer_en = %s WHERE id = %s",
                   ["Written straight to the database.", int(re.search(r"/(\d+)/change/", question).group(1))])
    assert "Written straight to the database." not in faq_on(host_b), "host B rendered /faq/ again, not from the cache"
    answer = "Most runners are back to easy running within six to eight weeks, edited on host A."

    change(staff, question, answer_en=answer)

    assert answer in faq_on(host_b)
    # The staff member's session is the database's too: host B knows them.
    staff.host = host_b
    assert staff.get("/admin/").path == "/admin/"
