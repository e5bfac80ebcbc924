"""The front desk's calendar: a day and a week of bookings, one column per practitioner, in clinic time."""

import html
import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from booking.models import Booking, Closure, OpeningHours
from clinic.clock import clinic_today
from clinic_site.staff_groups import CLINIC_EDITORS
from conditions.models import Condition
from team.models import Practitioner
from tests.booking.test_admin_reception import TIJUANA, at, make_booking
from tests.helpers import page_text, staff_member

pytestmark = pytest.mark.django_db

DAY = "/admin/booking/booking/calendar/"
WEEK = "/admin/booking/booking/calendar/week/"
ADD = "/admin/booking/booking/add/"


@pytest.fixture
def day():
    """A day a week ahead: inside the booking horizon, and every one of its times still to come."""
    return clinic_today() + timedelta(days=7)


@pytest.fixture
def ruiz(booking_rules):
    return Practitioner.objects.get(name="Dra. Ruiz")


@pytest.fixture
def soto(booking_rules):
    return Practitioner.objects.create(name="Lic. Soto", position=2)


def links(response):
    """Each link in the calendar's table as (address, the words a screen reader reads)."""
    table = re.search(r"<table class=\"clinic-calendar.*?</table>", response.content.decode(), flags=re.DOTALL).group(0)
    return [
        (html.unescape(href), " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split()))
        for href, text in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', table, flags=re.DOTALL)
    ]


def booking_links(response):
    return {text: href for href, text in links(response) if "/change/" in href}


def free_times(response):
    """The free times linked, as (practitioner id, aware start)."""
    found = set()
    for href, _text in links(response):
        if href.startswith(ADD):
            query = parse_qs(urlsplit(href).query)
            found.add((int(query["practitioner"][0]), datetime.fromisoformat(query["starts_at"][0])))
    return found


def test_each_booking_shows_in_its_practitioners_column_with_time_first_name_reason_and_status(
    reception, day, ruiz, soto
):
    knee = Condition.objects.published().first()
    maria = make_booking(at(day, 10), patient_name="María Fernanda López", reason=knee.patient_reason,
                         condition=knee, practitioner=ruiz)
    pedro = make_booking(at(day, 12), patient_name="Pedro Soto", status=Booking.Status.CONFIRMED, practitioner=soto)

    response = reception.get(DAY, {"date": day.isoformat()})

    assert response.status_code == 200
    assert booking_links(response) == {
        f"10:00, María, {maria.get_reason_display()} · likely {knee.name}, Requested":
            f"/admin/booking/booking/{maria.pk}/change/",
        "12:00, Pedro, Not given, Confirmed": f"/admin/booking/booking/{pedro.pk}/change/",
    }
    # Each is in its own practitioner's column: that practitioner is not free then, the other is.
    free = free_times(response)
    assert (ruiz.pk, at(day, 10)) not in free and (soto.pk, at(day, 10)) in free
    assert (soto.pk, at(day, 12)) not in free and (ruiz.pk, at(day, 12)) in free
    text = page_text(response)
    assert "Dra. Ruiz" in text and "Lic. Soto" in text
    assert "Fernanda" not in text and "López" not in text and "+52" not in text  # the first name only


def test_the_calendar_shows_no_other_day(reception, day):
    make_booking(at(day + timedelta(days=1), 10), patient_name="Tomorrow Patient")
    make_booking(at(day - timedelta(days=1), 10), patient_name="Yesterday Patient")
    make_booking(at(day, 10), patient_name="Today Patient")

    assert [text.split(", ")[1] for text in booking_links(reception.get(DAY, {"date": day.isoformat()}))] == ["Today"]


def test_declined_and_cancelled_bookings_are_hidden_unless_asked_for(reception, day):
    make_booking(at(day, 9), patient_name="Declined Patient", status=Booking.Status.DECLINED)
    make_booking(at(day, 10), patient_name="Cancelled Patient", status=Booking.Status.CANCELLED)
    make_booking(at(day, 10), patient_name="Rebooked Patient")
    for status, hour in ((Booking.Status.ATTENDED, 11), (Booking.Status.NO_SHOW, 12)):
        make_booking(at(day, hour), patient_name=f"{status} Patient", status=status)

    shown = booking_links(reception.get(DAY, {"date": day.isoformat()}))
    assert sorted(shown) == ["10:00, Rebooked, Not given, Requested", "11:00, attended, Not given, Attended",
                             "12:00, no_show, Not given, Did not attend"]

    everything = reception.get(DAY, {"date": day.isoformat(), "show": "all"})
    shown = booking_links(everything)
    assert "09:00, Declined, Not given, Declined" in shown
    # The cancelled booking and the one that took its time share their cell.
    assert "10:00, Cancelled, Not given, Cancelled" in shown
    assert "10:00, Rebooked, Not given, Requested" in shown
    assertContains(everything, "Hide declined and cancelled")


def test_a_whole_clinic_closure_shades_every_column_and_offers_no_time(reception, day, ruiz, soto):
    Closure.objects.create(first_day=day, last_day=day, reason="Holiday")

    response = reception.get(DAY, {"date": day.isoformat()})

    assertContains(response, '<td rowspan="12" class="cell-closed">', count=2)
    assertContains(response, "Clinic closed: Holiday", count=2)
    assert not free_times(response)


def test_a_practitioners_leave_shades_their_column_only(reception, day, ruiz, soto):
    Closure.objects.create(first_day=day, last_day=day + timedelta(days=2), reason="Course", practitioner=soto)

    response = reception.get(DAY, {"date": day.isoformat()})

    assertContains(response, '<td rowspan="12" class="cell-leave">', count=1)
    assertContains(response, "On leave: Course", count=1)
    assertNotContains(response, "Clinic closed")
    assert not any(practitioner == soto.pk for practitioner, _time in free_times(response))


def test_hours_outside_opening_time_are_shaded(reception, day):
    OpeningHours.objects.filter(weekday=day.weekday()).delete()
    OpeningHours.objects.create(weekday=day.weekday(), opens="09:00", closes="13:00")

    response = reception.get(DAY, {"date": day.isoformat()})

    # The rows run 08:00-20:00 (the rest of the week's hours): 08:00 and 13:00-20:00 are closed.
    assertContains(response, '<td class="cell-outside">', count=1)
    assertContains(response, '<td rowspan="7" class="cell-outside">', count=1)
    assertContains(response, "Outside opening hours", count=2)
    assert {starts_at for _pk, starts_at in free_times(response)} == {at(day, hour) for hour in (9, 10, 11, 12)}


def test_a_free_time_links_to_the_phone_booking_page_with_its_practitioner_and_time(reception, day, ruiz):
    response = reception.get(DAY, {"date": day.isoformat()})

    starts_at = at(day, 10).isoformat().replace(":", "%3A").replace("+", "%2B")
    link = f"{ADD}?practitioner={ruiz.pk}&amp;starts_at={starts_at}"
    assertContains(response, f'<a href="{link}" class="calendar-free">Book 10:00<span class="calendar-hidden"> '
                             f"with Dra. Ruiz</span></a>", html=False)
    assert free_times(response) == {(ruiz.pk, at(day, hour)) for hour in range(8, 20)}
    assert (f"{ADD}?practitioner={ruiz.pk}&starts_at={starts_at}", "Book 10:00 with Dra. Ruiz") in links(response)


def test_past_times_today_are_not_offered(reception):
    today = clinic_today()
    now = datetime.now(TIJUANA)
    for _pk, starts_at in free_times(reception.get(DAY)):
        assert starts_at.date() == today and starts_at >= now


def test_today_is_the_default_and_the_arrows_move_a_day(reception):
    today = clinic_today()
    response = reception.get(DAY)
    text = page_text(response)
    assert f"{today:%A}, {today:%B} {today.day}" in text
    assertContains(response, f'href="{DAY}?date={today - timedelta(days=1)}" class="calendar-previous"')
    assertContains(response, f'href="{DAY}?date={today + timedelta(days=1)}" class="calendar-next"')
    assertContains(response, f'href="{WEEK}?date={today}"')


def test_the_date_field_is_a_plain_get_form(reception, day):
    response = reception.get(DAY, {"date": day.isoformat(), "show": "all"})
    assertContains(response, '<form method="get" class="calendar-date-form">')
    assertContains(response, f'<input type="date" id="calendar-date" name="date" value="{day}" required>')
    assertContains(response, '<input type="hidden" name="show" value="all">')
    # The arrows keep "show all".
    assertContains(response, f'href="{DAY}?date={day + timedelta(days=1)}&amp;show=all" class="calendar-next"')


def test_a_date_that_cannot_be_read_shows_today(reception):
    today = clinic_today()
    assertContains(reception.get(DAY, {"date": "next tuesday"}), f'value="{today}"')


def test_the_week_view_shows_monday_to_sunday_and_the_arrows_move_a_week(reception, day, ruiz, soto):
    monday = day - timedelta(days=day.weekday())
    wednesday = monday + timedelta(days=2)
    make_booking(at(wednesday, 10), patient_name="Wednesday Patient", practitioner=soto)
    make_booking(at(monday + timedelta(days=7), 10), patient_name="Next Week Patient")

    response = reception.get(WEEK, {"date": wednesday.isoformat()})

    assert response.status_code == 200
    headings = re.findall(r'<th scope="colgroup" colspan="2" class="calendar-day"><a href="([^"]+)">([^<]+)</a>',
                          response.content.decode())
    days = [monday + timedelta(days=n) for n in range(7)]
    assert [label for _href, label in headings] == [f"{each:%A}, {each:%B} {each.day}" for each in days]
    assert [html.unescape(href) for href, _label in headings] == [f"{DAY}?date={each}" for each in days]
    assert list(booking_links(response)) == ["10:00, Wednesday, Not given, Requested"]
    assert (soto.pk, at(wednesday, 10)) not in free_times(response)
    assert (ruiz.pk, at(wednesday, 10)) in free_times(response)
    assert f"Book 10:00 on {wednesday:%A}, {wednesday:%B} {wednesday.day} with Lic. Soto" not in [
        text for _href, text in links(response)
    ]
    assert f"Book 10:00 on {wednesday:%A}, {wednesday:%B} {wednesday.day} with Dra. Ruiz" in [
        text for _href, text in links(response)
    ]
    assertContains(response, f'href="{WEEK}?date={monday - timedelta(days=7)}" class="calendar-previous"')
    assertContains(response, f'href="{WEEK}?date={monday + timedelta(days=7)}" class="calendar-next"')
    assertContains(response, f'href="{DAY}?date={wednesday}"')


def test_the_calendar_in_spanish_has_spanish_days_months_and_statuses(reception, day):
    make_booking(at(day, 10), patient_name="María López", status=Booking.Status.CONFIRMED)
    reception.cookies["django_language"] = "es"

    response = reception.get(DAY, {"date": day.isoformat()})

    assert response.status_code == 200
    spanish_days = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
    spanish_months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
                      "octubre", "noviembre", "diciembre"]
    assertContains(response, f"{spanish_days[day.weekday()]} {day.day} de {spanish_months[day.month - 1]}")
    assert "10:00, María, Sin indicar, Confirmada" in booking_links(response)

    week = page_text(reception.get(WEEK, {"date": day.isoformat()}))
    assert all(name in week for name in spanish_days)


def test_the_bookings_list_links_to_the_calendar(reception):
    assertContains(reception.get("/admin/booking/booking/"), f'<a href="{DAY}">Calendar</a>')


def test_clinic_editors_cannot_open_the_calendar(client, clinic_content, booking_rules):
    client.force_login(staff_member("editor", CLINIC_EDITORS))
    assert client.get(DAY).status_code == 403
    assert client.get(WEEK).status_code == 403
    assertNotContains(client.get("/admin/"), DAY)


def test_signed_out_visitors_are_sent_to_sign_in(client, booking_rules):
    response = client.get(DAY)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("view", [DAY, WEEK])
def test_the_calendar_costs_the_same_queries_with_one_booking_or_thirty(
    reception, day, ruiz, soto, django_assert_num_queries, view
):
    make_booking(at(day, 8), practitioner=ruiz)
    reception.get(view, {"date": day.isoformat()})  # the session and permission caches, warmed
    with django_assert_num_queries(QUERIES):
        reception.get(view, {"date": day.isoformat()})
    for n in range(29):
        starts_at = at(day + timedelta(days=n % 7), 9 + n // 7)
        make_booking(starts_at, practitioner=soto if n % 2 else ruiz, status=Booking.Status.CONFIRMED)
    with django_assert_num_queries(QUERIES):
        response = reception.get(view, {"date": day.isoformat()})
    assert len(booking_links(response)) >= 5


# The session, the user and their two kinds of permission (4); the settings, hours, closures, bookings and
# practitioners the calendar draws (5); the open times, as availability.open_times works them out (5); and
# the sidebar's "one row only" models, asked whether another may be added (3).
QUERIES = 17


def test_rows_follow_a_shorter_assessment_and_a_booking_fills_the_rows_it_lasts(reception, day, booking_rules):
    booking_rules.assessment_minutes = 30
    booking_rules.save()
    make_booking(at(day, 10), patient_name="Long Booking")  # an hour: two rows of half an hour

    response = reception.get(DAY, {"date": day.isoformat()})

    assertContains(response, '<th scope="row" class="calendar-time">10:30</th>')
    assertContains(response, '<td rowspan="2" class="cell-bookings">')
    starts = {starts_at for _pk, starts_at in free_times(response)}
    assert at(day, 9, 30) in starts and at(day, 11) in starts
    assert at(day, 10) not in starts and at(day, 10, 30) not in starts


def test_the_admins_front_page_links_to_the_calendar(reception):
    assert 'href="/admin/booking/booking/calendar/"' in reception.get("/admin/").content.decode()
