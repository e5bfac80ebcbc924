"""The receptionist runs the clinic's bookings from the admin: agenda, decisions, phone bookings, export, history."""

import csv
import html
import io
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from booking.availability import open_times
from booking.export import spreadsheet_safe
from booking.models import Booking, OutgoingEmail
from clinic.clock import clinic_today
from clinic_site.staff_groups import CLINIC_EDITORS
from conditions.models import Condition
from privacy.models import PrivacyNotice
from team.models import Practitioner
from tests.helpers import page_text, staff_member

pytestmark = pytest.mark.django_db

TIJUANA = ZoneInfo("America/Tijuana")
BOOKINGS = "/admin/booking/booking/"
# The list shows upcoming bookings unless told otherwise; actions on past ones are posted from "Any date".
ANY_DATE = BOOKINGS + "?when=all"


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=TIJUANA)


def make_booking(starts_at, status=Booking.Status.REQUESTED, **fields):
    """A booking written straight to the database, as if it had come through the site earlier."""
    return Booking.objects.create(
        **{
            "practitioner": Practitioner.objects.first(),
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=1),
            "status": status,
            "price": 750,
            "patient_name": "Ana López",
            "phone": "+526641234567",
            "email": "ana@example.com",
            "consent_given_at": timezone.now() - timedelta(days=1),
            "privacy_notice": PrivacyNotice.objects.first(),
            **fields,
        }
    )


def row_of(response, text):
    """The words of the list's row that mentions `text`."""
    rows = re.findall(r"<tr\b.*?</tr>", response.content.decode(), flags=re.S)
    return next(html.unescape(re.sub(r"<[^>]+>", " ", row)) for row in rows if text in row)


def email_kinds(booking):
    return list(booking.emails.values_list("kind", flat=True))


def select(*bookings):
    return [booking.pk for booking in bookings]


# The agenda.


def test_the_agenda_shows_upcoming_bookings_in_time_order_with_status_practitioner_and_reason(reception, tomorrow):
    knee = Condition.objects.published().first()
    make_booking(at(tomorrow + timedelta(days=9), 10), patient_name="Later Patient")
    make_booking(at(tomorrow, 9), patient_name="First Patient", reason=knee.patient_reason, condition=knee,
                 status=Booking.Status.CONFIRMED)
    make_booking(at(tomorrow + timedelta(days=2), 10), patient_name="Middle Patient")
    make_booking(at(clinic_today() - timedelta(days=1), 10), patient_name="Yesterday Patient")

    response = reception.get(BOOKINGS)

    text = page_text(response)
    assert text.index("First Patient") < text.index("Middle Patient") < text.index("Later Patient")
    assert "Yesterday Patient" not in text
    first = row_of(response, "First Patient")
    assert "Confirmed" in first and "Dra. Ruiz" in first and f"· likely {knee.name}" in first and "9:00 am" in first
    middle = row_of(response, "Middle Patient")
    assert "Requested" in middle and "Not given" in middle and "+52 664 123 4567" in middle


@pytest.fixture
def agenda():
    """Bookings around today, each named for when it is."""
    today = clinic_today()
    monday = today - timedelta(days=today.weekday())
    when = {
        "Yesterday": at(today - timedelta(days=1), 12),
        "Early today": at(today, 0, 30),
        "Late today": at(today, 23, 30),
        "In six days": at(today + timedelta(days=6), 12),
        "In eight days": at(today + timedelta(days=8), 12),
        "Last week": at(monday - timedelta(days=1), 9),
        "Next week": at(monday + timedelta(days=7), 9),
    }
    for name, starts_at in when.items():
        make_booking(starts_at, patient_name=name)
    return when


def names_listed(response, agenda):
    text = page_text(response)
    return {name for name in agenda if name in text}


def test_the_today_filter_shows_only_todays_bookings_on_the_clinics_clock(reception, agenda):
    assert names_listed(reception.get(BOOKINGS + "?when=today"), agenda) == {"Early today", "Late today"}


def test_the_this_week_filter_runs_monday_to_sunday(reception, agenda):
    listed = names_listed(reception.get(BOOKINGS + "?when=week"), agenda)
    assert {"Early today", "Late today"} <= listed
    assert not listed & {"Last week", "Next week", "In eight days"}


def test_the_next_seven_days_filter_starts_today(reception, agenda):
    listed = names_listed(reception.get(BOOKINGS + "?when=next7"), agenda)
    assert {"Early today", "Late today", "In six days"} <= listed
    assert not listed & {"Yesterday", "Last week", "In eight days"}


def test_the_upcoming_filter_is_the_default_and_keeps_this_mornings_bookings(reception, agenda):
    upcoming = {"Early today", "Late today", "In six days", "In eight days", "Next week"}
    assert names_listed(reception.get(BOOKINGS), agenda) == upcoming
    assert names_listed(reception.get(BOOKINGS + "?when=upcoming"), agenda) == upcoming


def test_the_past_filter_shows_the_most_recent_first(reception, agenda):
    response = reception.get(BOOKINGS + "?when=past")
    assert names_listed(response, agenda) == {"Yesterday", "Last week"}
    text = page_text(response)
    assert text.index("Yesterday") < text.index("Last week")


def test_any_date_shows_every_booking(reception, agenda):
    assert names_listed(reception.get(ANY_DATE), agenda) == set(agenda)


def test_the_status_and_practitioner_filters_narrow_the_list(reception, tomorrow):
    other = Practitioner.objects.create(name="Lic. Soto", position=2)
    make_booking(at(tomorrow, 9), patient_name="Requested Patient")
    make_booking(at(tomorrow, 10), patient_name="Confirmed Patient", status=Booking.Status.CONFIRMED)
    make_booking(at(tomorrow, 9), patient_name="Soto Patient", practitioner=other)

    confirmed = page_text(reception.get(BOOKINGS + "?status__exact=confirmed"))
    assert "Confirmed Patient" in confirmed and "Requested Patient" not in confirmed

    soto = page_text(reception.get(BOOKINGS + f"?practitioner__id__exact={other.pk}"))
    assert "Soto Patient" in soto and "Requested Patient" not in soto and "Confirmed Patient" not in soto


@pytest.mark.parametrize("typed", ["664 123 4567", "(664) 123-4567", "+52 664 123 4567", "6641234567"])
def test_a_phone_number_is_found_however_it_is_typed(reception, tomorrow, typed):
    make_booking(at(tomorrow, 9), patient_name="Ana López", phone="+526641234567")
    make_booking(at(tomorrow, 10), patient_name="Berta Ruiz", phone="+526649998877")

    text = page_text(reception.get(BOOKINGS, {"q": typed}))

    assert "Ana López" in text and "Berta Ruiz" not in text


def test_search_finds_a_patient_by_name_or_email_whatever_the_date(reception, tomorrow):
    make_booking(at(clinic_today() - timedelta(days=30), 9), patient_name="María Fernanda López",
                 email="maria@example.com", status=Booking.Status.ATTENDED)
    make_booking(at(tomorrow, 10), patient_name="Berta Ruiz", email="berta@example.com")

    by_name = page_text(reception.get(BOOKINGS, {"q": "fernanda"}))
    assert "María Fernanda López" in by_name and "Berta Ruiz" not in by_name
    by_email = page_text(reception.get(BOOKINGS, {"q": "berta@example.com"}))
    assert "Berta Ruiz" in by_email and "María Fernanda López" not in by_email


def test_the_front_page_counts_the_requests_waiting_and_links_to_them(reception, tomorrow):
    for hour in (9, 10, 11):
        make_booking(at(tomorrow, hour), patient_name=f"Waiting {hour}")
    make_booking(at(tomorrow, 12), status=Booking.Status.CONFIRMED, patient_name="Already confirmed")

    response = reception.get("/admin/")

    assertContains(response, "3 requests waiting to be confirmed")
    link = response.context["requests_waiting_url"]
    assertContains(response, f'href="{link.replace("&", "&amp;")}"')
    waiting = page_text(reception.get(link))
    assert all(f"Waiting {hour}" in waiting for hour in (9, 10, 11)) and "Already confirmed" not in waiting


def test_the_front_page_count_costs_the_same_queries_however_many_requests_wait(
    reception, tomorrow, django_assert_max_num_queries
):
    make_booking(at(tomorrow, 9))
    reception.get("/admin/")  # warm the session and permission caches
    with django_assert_max_num_queries(15) as first:
        reception.get("/admin/")
    for hour in range(10, 20):
        make_booking(at(tomorrow, hour))
    with django_assert_max_num_queries(len(first.captured_queries)):
        assertContains(reception.get("/admin/"), "11 requests waiting to be confirmed")


def test_staff_who_do_not_run_bookings_see_no_count_on_the_front_page(client, clinic_content, booking_rules):
    client.force_login(staff_member("editor", CLINIC_EDITORS))
    assertNotContains(client.get("/admin/"), "waiting to be confirmed")


# Confirm, attended, no-show: one click on the booking's page, or an action on the list.

STATUS_CHANGES = [
    # (button, status before, starts in (hours), status after, emails queued)
    ("confirm", Booking.Status.REQUESTED, 48, Booking.Status.CONFIRMED, ["confirmed"]),
    ("attended", Booking.Status.CONFIRMED, -2, Booking.Status.ATTENDED, []),
    ("no_show", Booking.Status.CONFIRMED, -2, Booking.Status.NO_SHOW, []),
]
ACTIONS = {"confirm": "confirm", "attended": "mark_attended", "no_show": "mark_no_show"}


@pytest.mark.parametrize("button, before, starts_in, after, emails", STATUS_CHANGES)
def test_a_button_on_the_booking_page_changes_its_status_and_queues_the_right_email(
    reception, button, before, starts_in, after, emails
):
    booking = make_booking(timezone.now() + timedelta(hours=starts_in), status=before)

    response = reception.post(f"{BOOKINGS}{booking.pk}/{button}/")

    assert response.status_code == 302 and response["Location"] == f"{BOOKINGS}{booking.pk}/change/"
    booking.refresh_from_db()
    assert booking.status == after
    assert email_kinds(booking) == emails


@pytest.mark.parametrize("button, before, starts_in, after, emails", STATUS_CHANGES)
def test_an_action_on_the_list_changes_every_selected_booking_and_queues_one_email_each(
    reception, button, before, starts_in, after, emails
):
    first = make_booking(timezone.now() + timedelta(hours=starts_in), status=before)
    second = make_booking(timezone.now() + timedelta(hours=starts_in + 1), status=before, patient_name="Berta Ruiz")
    untouched = make_booking(timezone.now() + timedelta(hours=starts_in + 2), status=before)

    response = reception.post(ANY_DATE, {"action": ACTIONS[button], "_selected_action": select(first, second)})

    assert response.status_code == 302
    for booking in (first, second):
        booking.refresh_from_db()
        assert booking.status == after
        assert email_kinds(booking) == emails
    untouched.refresh_from_db()
    assert untouched.status == before and not untouched.emails.exists()


def test_the_booking_page_offers_only_what_its_status_allows(reception, tomorrow):
    requested = make_booking(at(tomorrow, 9))
    page = page_text(reception.get(f"{BOOKINGS}{requested.pk}/change/"))
    assert all(label in page for label in ["Confirm", "Decline…", "Move to another time…", "Cancel booking"])
    assert "Mark attended" not in page  # not before the assessment

    finished = make_booking(timezone.now() - timedelta(hours=2), status=Booking.Status.CONFIRMED)
    page = page_text(reception.get(f"{BOOKINGS}{finished.pk}/change/"))
    assert "Mark attended" in page and "Mark did not attend" in page and "Decline…" not in page


def test_a_refused_change_warns_about_that_booking_and_does_the_others(reception, tomorrow):
    waiting = make_booking(at(tomorrow, 9))
    cancelled = make_booking(at(tomorrow, 10), status=Booking.Status.CANCELLED)

    response = reception.post(BOOKINGS, {"action": "confirm", "_selected_action": select(waiting, cancelled)},
                              follow=True)

    assert response.status_code == 200
    text = page_text(response)
    assert f"{cancelled.reference}: A cancelled booking cannot become confirmed." in text
    assert "Confirmed 1 booking; the patient is emailed." in text
    cancelled.refresh_from_db()
    assert cancelled.status == Booking.Status.CANCELLED and not cancelled.emails.exists()


def test_a_booking_cannot_be_marked_attended_before_it_starts(reception, tomorrow):
    booking = make_booking(at(tomorrow, 9), status=Booking.Status.CONFIRMED)

    response = reception.post(f"{BOOKINGS}{booking.pk}/attended/", follow=True)

    assertContains(response, f"{booking.reference}: The assessment has not started yet.")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_a_status_button_must_be_posted(reception, tomorrow):
    booking = make_booking(at(tomorrow, 9))
    assert reception.get(f"{BOOKINGS}{booking.pk}/confirm/").status_code == 405
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


# Decline, with a reason the patient reads.


def test_declining_from_the_booking_page_asks_for_a_reason_and_emails_it_to_the_patient(
    reception, tomorrow, run_worker, mailoutbox
):
    booking = make_booking(at(tomorrow, 9))
    form = reception.get(f"{BOOKINGS}{booking.pk}/decline/")
    assertContains(form, 'name="csrfmiddlewaretoken"')
    assertContains(form, 'name="reason"')

    response = reception.post(f"{BOOKINGS}{booking.pk}/decline/", {"reason": "The physio is away that week."})

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.DECLINED
    assert booking.decline_reason == "The physio is away that week."
    assert email_kinds(booking) == ["declined"]
    run_worker()
    assert [message.to for message in mailoutbox] == [["ana@example.com"]]
    assert "The physio is away that week." in mailoutbox[0].body


def test_declining_several_requests_gives_each_the_same_reason(reception, tomorrow):
    first = make_booking(at(tomorrow, 9))
    second = make_booking(at(tomorrow, 10), patient_name="Berta Ruiz")
    chosen = {"action": "decline", "_selected_action": select(first, second)}

    page = reception.post(BOOKINGS, chosen)
    assert page.status_code == 200  # the page that asks for the reason
    assert first.reference in page_text(page) and second.reference in page_text(page)
    assertContains(page, 'name="csrfmiddlewaretoken"')
    first.refresh_from_db()
    assert first.status == Booking.Status.REQUESTED  # nothing happens until the reason is given

    response = reception.post(BOOKINGS, {**chosen, "apply": "yes", "reason": "The clinic is closed for training."})

    assert response.status_code == 302
    for booking in (first, second):
        booking.refresh_from_db()
        assert booking.status == Booking.Status.DECLINED
        assert booking.decline_reason == "The clinic is closed for training."
        assert email_kinds(booking) == ["declined"]


def test_declining_without_a_reason_is_allowed(reception, tomorrow):
    booking = make_booking(at(tomorrow, 9))
    reception.post(f"{BOOKINGS}{booking.pk}/decline/", {"reason": ""})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.DECLINED and booking.decline_reason == ""


def test_a_confirmed_booking_cannot_be_declined(reception, tomorrow):
    booking = make_booking(at(tomorrow, 9), status=Booking.Status.CONFIRMED)
    response = reception.post(f"{BOOKINGS}{booking.pk}/decline/", {"reason": "No."}, follow=True)
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and not booking.emails.exists()


# Move to another open time.


def slot(starts_at, practitioner=None):
    """A time with its practitioner, as the booking pages post it."""
    return f"{starts_at.astimezone(TIJUANA).isoformat()}|{(practitioner or Practitioner.objects.first()).pk}"


def test_the_move_page_lists_open_times_by_day_in_tijuana_time(reception):
    booking = make_booking(open_times()[0].starts_at, status=Booking.Status.CONFIRMED)
    later = open_times()[-1]

    response = reception.get(f"{BOOKINGS}{booking.pk}/move/")

    assertContains(response, f'value="{slot(later.starts_at)}"')
    assertContains(response, later.starts_at.astimezone(TIJUANA).strftime("%A, %B %-d, %Y"))
    assertContains(response, 'type="radio"')


def test_moving_a_booking_to_an_open_time_moves_it_and_emails_the_patient(reception):
    booking = make_booking(open_times()[0].starts_at, status=Booking.Status.CONFIRMED)
    later = open_times()[-1].starts_at

    response = reception.post(f"{BOOKINGS}{booking.pk}/move/", {"slot": slot(later)})

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.starts_at == later and booking.status == Booking.Status.CONFIRMED
    assert email_kinds(booking) == ["changed"]


def test_moving_onto_a_taken_time_is_refused_and_nothing_changes(reception):
    booking = make_booking(open_times()[0].starts_at, status=Booking.Status.CONFIRMED)
    taken = make_booking(open_times()[-1].starts_at, patient_name="Berta Ruiz")
    before = booking.starts_at

    response = reception.post(f"{BOOKINGS}{booking.pk}/move/", {"slot": slot(taken.starts_at)})

    assertContains(response, "That time was just taken. Choose another time.")
    booking.refresh_from_db()
    assert booking.starts_at == before and not OutgoingEmail.objects.exists()


def test_moving_onto_a_closed_time_is_refused_with_a_message(reception):
    booking = make_booking(open_times()[0].starts_at, status=Booking.Status.CONFIRMED)
    three_am = at(clinic_today() + timedelta(days=3), 3)

    response = reception.post(f"{BOOKINGS}{booking.pk}/move/", {"slot": slot(three_am)})

    assertContains(response, "That time is not open for booking.")
    assert not OutgoingEmail.objects.exists()


def test_the_move_action_opens_the_move_page_for_one_booking_only(reception, tomorrow):
    first = make_booking(at(tomorrow, 9))
    second = make_booking(at(tomorrow, 10))

    one = reception.post(BOOKINGS, {"action": "move", "_selected_action": select(first)})
    assert one.status_code == 302 and one["Location"] == f"{BOOKINGS}{first.pk}/move/"

    two = reception.post(BOOKINGS, {"action": "move", "_selected_action": select(first, second)}, follow=True)
    assertContains(two, "Select one booking to move at a time.")


# A booking taken by phone or at the desk.


@pytest.fixture
def phone_booking(clinic_content):
    return {
        "slot": slot(open_times()[0].starts_at),
        "patient_name": "Carmen  Díaz",
        "phone": "664 123 4567",
        "email": "carmen@example.com",
        "reason": "shin",
        "condition": str(Condition.objects.published().first().pk),
        "note": "Shin pain after the half marathon",
        "language": "es",
        "consent": "on",
    }


def test_the_desk_asks_why_they_come_in_the_patients_words_in_both_languages(reception):
    english = reception.get(f"{BOOKINGS}add/")
    assertContains(english, "Why they come")
    assertContains(english, '<option value="knee">Knee</option>', html=True)
    assertContains(english, "Likely condition")

    reception.cookies["django_language"] = "es"
    spanish = reception.get(f"{BOOKINGS}add/")
    assertContains(spanish, "Por qué viene")
    assertContains(spanish, '<option value="knee">Rodilla</option>', html=True)
    assertContains(spanish, "Padecimiento probable")


def test_a_desk_booking_without_a_likely_condition_takes_the_one_the_patients_answer_points_to(
    reception, phone_booking
):
    heel = Condition.objects.published().filter(patient_reason="heel_foot")
    assert heel.count() == 1

    reception.post(f"{BOOKINGS}add/", {**phone_booking, "reason": "heel_foot", "condition": ""})

    booking = Booking.objects.get()
    assert booking.reason == "heel_foot" and booking.condition == heel.get()


def test_a_phone_booking_follows_the_online_rules_is_confirmed_at_once_and_records_who_took_consent(
    reception, desk, phone_booking
):
    form = reception.get(f"{BOOKINGS}add/")
    assertContains(form, "The patient agreed by phone to the clinic processing their health data")

    response = reception.post(f"{BOOKINGS}add/", phone_booking)

    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BOOKINGS}{booking.pk}/change/"
    assert booking.patient_name == "Carmen Díaz" and str(booking.phone) == "+526641234567"
    assert booking.source == Booking.Source.PHONE and booking.status == Booking.Status.CONFIRMED
    assert booking.consent_method == Booking.Consent.PHONE and booking.consent_recorded_by == desk
    assert booking.privacy_notice == PrivacyNotice.current() and booking.language == "es"
    assert booking.reason == "shin" and booking.condition == Condition.objects.published().first()
    # Agreed there and then: one confirmation to the patient, and no email telling the clinic what it just did.
    assert email_kinds(booking) == ["confirmed"]


def test_a_phone_booking_needs_the_patients_consent(reception, phone_booking):
    response = reception.post(f"{BOOKINGS}add/", {**phone_booking, "consent": ""})
    assertContains(response, "Ask the patient to agree to the processing of their health data before booking.")
    assert not Booking.objects.exists()


def test_a_phone_booking_for_a_taken_time_is_refused_keeping_what_was_typed(reception, phone_booking):
    make_booking(open_times()[0].starts_at, patient_name="Ana López")

    response = reception.post(f"{BOOKINGS}add/", phone_booking)

    assertContains(response, "That time was just taken. Choose another time.")
    assertContains(response, 'value="carmen@example.com"')
    assertContains(response, "Shin pain after the half marathon")
    assert Booking.objects.count() == 1


def test_a_phone_booking_cannot_be_made_for_a_closed_time(reception, phone_booking):
    three_am = at(clinic_today() + timedelta(days=3), 3)
    response = reception.post(f"{BOOKINGS}add/", {**phone_booking, "slot": slot(three_am)})
    assertContains(response, "That time is not open for booking.")
    assert not Booking.objects.exists()


# The bookings as a spreadsheet.


def parse_csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_export_follows_the_lists_filters_in_time_order(reception, tomorrow):
    knee = Condition.objects.published().first()
    later = make_booking(at(tomorrow, 11), status=Booking.Status.CONFIRMED, patient_name="Berta Ruiz",
                         phone="+16195550142", email="berta@example.com")
    first = make_booking(at(tomorrow, 9), status=Booking.Status.CONFIRMED, reason="knee", condition=knee)
    make_booking(at(tomorrow, 10), patient_name="Not confirmed")

    rows = parse_csv(reception.get(f"{BOOKINGS}export/?status__exact=confirmed"))

    assert rows[0] == ["Reference", "Date", "Time (Tijuana)", "Status", "Practitioner", "Patient", "Phone", "Email",
                       "Why they come", "Likely condition", "Booked", "Price (MXN)"]
    assert rows[1] == [first.reference, tomorrow.isoformat(), "09:00", "Confirmed", "Dra. Ruiz", "Ana López",
                       "52 664 123 4567", "ana@example.com", "Knee", knee.name, "Online", "750.00"]
    assert [row[0] for row in rows[1:]] == [first.reference, later.reference]


def test_the_list_links_to_an_export_of_what_it_shows(reception, tomorrow):
    make_booking(at(tomorrow, 9))
    response = reception.get(BOOKINGS + "?status__exact=requested")
    assertContains(response, f'href="{BOOKINGS}export/?status__exact=requested"')


def test_the_export_action_exports_the_selected_bookings(reception, tomorrow):
    chosen = make_booking(at(tomorrow, 9))
    make_booking(at(tomorrow, 10), patient_name="Not chosen")

    rows = parse_csv(reception.post(BOOKINGS, {"action": "export_csv", "_selected_action": select(chosen)}))

    assert [row[0] for row in rows[1:]] == [chosen.reference]


def test_the_export_cannot_run_a_formula_a_patient_typed(reception, tomorrow):
    make_booking(at(tomorrow, 9), patient_name='=HYPERLINK("http://evil.example","Click")',
                 email="@evil@example.com")

    rows = parse_csv(reception.get(f"{BOOKINGS}export/"))

    assert rows[1][5] == '\'=HYPERLINK("http://evil.example","Click")'


@pytest.mark.parametrize(
    "value, safe",
    [
        ("=1+1", "'=1+1"),
        ("+52 664", "'+52 664"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("María López", "María López"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_spreadsheet_safe_cell_never_starts_like_a_formula(value, safe):
    assert spreadsheet_safe(value) == safe


# What Reception may not do, and who did what.


@pytest.mark.parametrize("url", ["/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/"])
def test_reception_cannot_see_users_or_groups(reception, url):
    assert reception.get(url).status_code == 403


def test_reception_cannot_change_the_booking_rules(reception, booking_rules):
    response = reception.post(f"/admin/booking/bookingsettings/{booking_rules.pk}/change/",
                              {"assessment_minutes": 5, "minimum_notice_hours": 0, "horizon_days": 365,
                               "cancellation_cutoff_hours": 0, "reminder_lead_hours": 1, "retention_months": 1})
    assert response.status_code == 403
    booking_rules.refresh_from_db()
    assert booking_rules.assessment_minutes == 60


def test_reception_cannot_delete_a_booking(reception, tomorrow):
    booking = make_booking(at(tomorrow, 9))
    assert reception.get(f"{BOOKINGS}{booking.pk}/delete/").status_code == 403
    assert reception.post(f"{BOOKINGS}{booking.pk}/delete/", {"post": "yes"}).status_code == 403
    assertNotContains(reception.get(BOOKINGS), "delete_selected")
    reception.post(BOOKINGS, {"action": "delete_selected", "_selected_action": select(booking), "post": "yes"})
    assert Booking.objects.filter(pk=booking.pk).exists()


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "{pk}/confirm/"),
        ("post", "{pk}/cancel/"),
        ("get", "{pk}/decline/"),
        ("get", "{pk}/move/"),
        ("get", "add/"),
        ("get", "export/"),
    ],
)
def test_staff_without_booking_permissions_are_refused_every_booking_page(client, tomorrow, clinic_content,
                                                                          booking_rules, method, path):
    booking = make_booking(at(tomorrow, 9))
    client.force_login(staff_member("editor", CLINIC_EDITORS))

    assert getattr(client, method)(BOOKINGS + path.format(pk=booking.pk)).status_code == 403
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


def test_staff_who_may_only_view_bookings_can_export_but_not_change_them(client, tomorrow, booking_rules):
    booking = make_booking(at(tomorrow, 9))
    viewer = User.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_booking"))
    client.force_login(viewer)

    assert client.get(f"{BOOKINGS}export/").status_code == 200
    assert client.post(f"{BOOKINGS}{booking.pk}/confirm/").status_code == 403
    assert client.get(f"{BOOKINGS}add/").status_code == 403
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


def test_anonymous_visitors_are_sent_to_the_login_from_every_booking_page(client, tomorrow, booking_rules):
    booking = make_booking(at(tomorrow, 9))
    for path in [f"{booking.pk}/confirm/", f"{booking.pk}/move/", "export/", "add/"]:
        response = client.post(BOOKINGS + path)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], path
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


def test_the_history_shows_who_confirmed_a_booking(reception, desk, tomorrow):
    booking = make_booking(at(tomorrow, 9))
    reception.post(f"{BOOKINGS}{booking.pk}/confirm/")

    latest = booking.history.first()
    assert latest.status == Booking.Status.CONFIRMED and latest.history_user == desk
    history = page_text(reception.get(f"{BOOKINGS}{booking.pk}/history/"))
    assert "desk" in history and "Confirmed" in history
