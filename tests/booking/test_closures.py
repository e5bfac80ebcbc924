"""Closures: the whole clinic closed, or one practitioner's leave, and the bookings already on those days."""

import html
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from booking.availability import open_times
from booking.models import Booking, Closure
from clinic_site.staff_groups import RECEPTION
from privacy.models import PrivacyNotice
from team.models import Practitioner
from tests.helpers import staff_member

pytestmark = pytest.mark.django_db

TIJUANA = ZoneInfo("America/Tijuana")
NOW = datetime(2027, 2, 22, 9, tzinfo=TIJUANA)  # a Monday, a week before the closures below
TUESDAY = date(2027, 3, 2)
CLOSURES = "/admin/booking/closure/"


def at(day, hour):
    return datetime.combine(day, time(hour), tzinfo=TIJUANA)


def make_booking(practitioner, starts_at, status=Booking.Status.CONFIRMED, **fields):
    return Booking.objects.create(
        **{
            "practitioner": practitioner,
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=1),
            "status": status,
            "price": 750,
            "patient_name": "Ana López",
            "phone": "+526641234567",
            "email": "ana@example.com",
            "consent_given_at": timezone.now(),
            "privacy_notice": PrivacyNotice.objects.first(),
            **fields,
        }
    )


@pytest.fixture
def ruiz(booking_rules):
    return Practitioner.objects.get(name="Dra. Ruiz")


@pytest.fixture
def soto(booking_rules):
    return Practitioner.objects.create(name="Lic. Soto", position=2)


@pytest.fixture
def reception(client, booking_rules):
    client.force_login(staff_member("desk", RECEPTION))
    return client


def free_on(day):
    return {pid for t in open_times(day, day, now=NOW) for pid in t.free_practitioner_ids}


def test_a_practitioners_leave_removes_only_their_times(ruiz, soto):
    Closure.objects.create(first_day=TUESDAY, last_day=TUESDAY, practitioner=ruiz, reason="Leave")

    assert free_on(TUESDAY) == {soto.pk}
    assert free_on(TUESDAY + timedelta(days=1)) == {ruiz.pk, soto.pk}


def test_leave_of_every_practitioner_leaves_no_times(ruiz, soto):
    for practitioner in (ruiz, soto):
        Closure.objects.create(first_day=TUESDAY, last_day=TUESDAY, practitioner=practitioner)

    assert open_times(TUESDAY, TUESDAY, now=NOW) == []


def test_a_clinic_closure_removes_everyones_times(ruiz, soto):
    Closure.objects.create(first_day=TUESDAY, last_day=TUESDAY + timedelta(days=1))

    assert open_times(TUESDAY, TUESDAY + timedelta(days=1), now=NOW) == []
    assert free_on(TUESDAY + timedelta(days=2)) == {ruiz.pk, soto.pk}


def test_closures_keep_the_query_count(ruiz, soto, django_assert_num_queries):
    Closure.objects.create(first_day=TUESDAY, last_day=TUESDAY, practitioner=ruiz)
    Closure.objects.create(first_day=TUESDAY + timedelta(days=3), last_day=TUESDAY + timedelta(days=3))
    with django_assert_num_queries(5):
        open_times(now=NOW)


def rows_of(response):
    table = re.search(r'<table id="closure-bookings">.*?</table>', response.content.decode(), flags=re.DOTALL).group()
    rows = re.findall(r"<tr\b.*?</tr>", table, flags=re.DOTALL)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows[1:]]


def test_leave_over_booked_days_lists_that_practitioners_bookings_to_move_or_cancel(reception, ruiz, soto):
    theirs = make_booking(ruiz, at(TUESDAY, 10), patient_name="María López", email="maria@example.com")
    make_booking(ruiz, at(TUESDAY, 12), status=Booking.Status.REQUESTED, patient_name="Luis Peña", email="")
    make_booking(soto, at(TUESDAY, 10), patient_name="Someone Else")
    make_booking(ruiz, at(TUESDAY, 11), status=Booking.Status.CANCELLED, patient_name="Already Cancelled")
    make_booking(ruiz, at(TUESDAY + timedelta(days=1), 10), patient_name="The Day After")

    response = reception.post(
        CLOSURES + "add/",
        {"first_day": "2027-03-02", "last_day": "2027-03-02", "practitioner": ruiz.pk, "reason": "Leave"},
        follow=True,
    )

    page = response.content.decode()
    assert "2 bookings fall on these days" in html.unescape(page)
    rows = rows_of(response)
    assert len(rows) == 2
    assert "Tuesday, March 2, 2027, 10:00 am" in rows[0] and "Dra. Ruiz" in rows[0]
    assert "María López" in rows[0] and "maria@example.com" in rows[0]
    assert "Luis Peña" in rows[1] and "no email" in rows[1]
    assert f'href="/admin/booking/booking/{theirs.pk}/move/"' in page
    assert f'href="/admin/booking/booking/{theirs.pk}/cancel/"' in page
    assert reception.get(f"/admin/booking/booking/{theirs.pk}/cancel/").status_code == 200
    assert reception.get(f"/admin/booking/booking/{theirs.pk}/move/").status_code == 200
    assert "Someone Else" not in page and "Already Cancelled" not in page and "The Day After" not in page


def test_a_clinic_closure_lists_everyones_bookings(reception, ruiz, soto):
    make_booking(ruiz, at(TUESDAY, 10), patient_name="María López")
    make_booking(soto, at(TUESDAY, 10), patient_name="Luis Peña")

    response = reception.post(
        CLOSURES + "add/", {"first_day": "2027-03-02", "last_day": "2027-03-02", "reason": "Holiday"}, follow=True
    )

    page = response.content.decode()
    assert "2 bookings fall on these days" in html.unescape(page)
    assert "María López" in page and "Luis Peña" in page


def test_a_closure_over_free_days_is_saved_as_usual(reception, ruiz):
    response = reception.post(CLOSURES + "add/", {"first_day": "2027-03-02", "last_day": "2027-03-02"})

    assert response.status_code == 302 and response["Location"] == CLOSURES
    assert Closure.objects.count() == 1


def test_widening_a_closure_over_booked_days_lists_the_bookings(reception, ruiz):
    closure = Closure.objects.create(first_day=TUESDAY - timedelta(days=1), last_day=TUESDAY - timedelta(days=1))
    make_booking(ruiz, at(TUESDAY, 10), patient_name="María López")

    response = reception.post(
        f"{CLOSURES}{closure.pk}/change/", {"first_day": "2027-03-01", "last_day": "2027-03-02"}, follow=True
    )

    assert "María López" in response.content.decode()


def test_a_closures_days_are_typed_one_way_in_both_languages(reception):
    page = reception.get(CLOSURES + "add/").content.decode()

    assert 'type="date"' in page and 'name="first_day"' in page
    response = reception.post(CLOSURES + "add/", {"first_day": "02/03/2027", "last_day": "02/03/2027"})
    assert response.status_code == 200 and Closure.objects.count() == 0
