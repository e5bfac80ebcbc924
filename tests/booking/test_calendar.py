from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from booking.calendar import booking_ics
from booking.services import cancel_booking, confirm_booking, decline_booking

TIJUANA = ZoneInfo("America/Tijuana")


def parse(ics):
    calendar = Calendar.from_ical(ics)
    [event] = calendar.events
    return calendar, event


def unfolded(ics):
    """The file's text with long lines joined back, as a calendar reads it."""
    return ics.decode().replace("\r\n ", "")


def test_the_ics_has_a_vtimezone_for_tijuana_and_local_times(booking):
    ics = booking_ics(booking)
    calendar, event = parse(ics)

    assert [tz.tz_name for tz in calendar.timezones] == ["America/Tijuana"]
    assert event["DTSTART"].params["TZID"] == "America/Tijuana"
    assert event["DTEND"].params["TZID"] == "America/Tijuana"
    assert "DTSTART;TZID=America/Tijuana:20270302T100000" in unfolded(ics)
    assert "DTEND;TZID=America/Tijuana:20270302T110000" in unfolded(ics)
    assert event.start == datetime(2027, 3, 2, 10, 0, tzinfo=TIJUANA)
    assert event.start.utcoffset() == timedelta(hours=-8)


def test_a_summer_booking_is_on_pacific_daylight_time(make_booking):
    ics = booking_ics(make_booking(starts_at=datetime(2027, 7, 6, 10, 0, tzinfo=TIJUANA)))
    calendar, event = parse(ics)

    assert "DTSTART;TZID=America/Tijuana:20270706T100000" in unfolded(ics)
    assert event.start.utcoffset() == timedelta(hours=-7)
    daylight = calendar.timezones[0].walk("DAYLIGHT")
    assert daylight and daylight[0]["TZOFFSETTO"].td == timedelta(hours=-7)


def test_every_version_of_a_booking_keeps_its_uid_and_raises_its_sequence(booking, settings):
    settings.SITE_URL = "https://returntorunning.example"
    calendar, requested = parse(booking_ics(booking))
    calendar_after, confirmed = parse(booking_ics(confirm_booking(booking)))

    assert requested.uid == confirmed.uid == f"{booking.reference}@returntorunning.example"
    assert (requested.sequence, confirmed.sequence) == (0, 1)
    assert calendar["METHOD"] == calendar_after["METHOD"] == "REQUEST"
    assert (requested["STATUS"], confirmed["STATUS"]) == ("TENTATIVE", "CONFIRMED")


def test_a_cancelled_booking_gives_a_cancel_with_a_higher_sequence(booking):
    confirmed = confirm_booking(booking)
    _, before = parse(booking_ics(confirmed))
    calendar, after = parse(booking_ics(cancel_booking(confirmed)))

    assert calendar["METHOD"] == "CANCEL"
    assert after["STATUS"] == "CANCELLED"
    assert after.uid == before.uid
    assert after.sequence > before.sequence


def test_a_declined_request_also_removes_the_calendar_entry(booking):
    calendar, event = parse(booking_ics(decline_booking(booking, reason="We are closed that week.")))

    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event.sequence == 1


def test_the_ics_says_nothing_about_the_patients_health(booking):
    text = unfolded(booking_ics(booking))

    assert booking.note not in text
    assert "knee" not in text.lower()
    assert booking.patient_name not in text
    assert booking.phone.as_e164 not in text


def test_the_ics_says_where_what_it_costs_and_links_to_the_booking_page(booking, settings, review_requests):
    settings.SITE_URL = "https://returntorunning.example/"
    _, event = parse(booking_ics(booking))

    # A request still under review says so, and by when the clinic answers; once confirmed the title is plain.
    assert event["SUMMARY"] == "Requested: First assessment, Return to Running"
    assert "Request sent: the clinic confirms by" in event["DESCRIPTION"]
    assert parse(booking_ics(confirm_booking(booking)))[1]["SUMMARY"] == "First assessment, Return to Running"
    assert "Paseo de los Héroes 9350" in event["LOCATION"]
    assert "$750 MXN" in event["DESCRIPTION"]
    assert booking.reference in event["DESCRIPTION"]
    assert event["URL"] == f"https://returntorunning.example/book/manage/{booking.token}/"
    assert f"See, change or cancel your booking: {event['URL']}" in event["DESCRIPTION"]


def test_a_spanish_booking_links_to_the_spanish_booking_page(make_booking, settings):
    settings.SITE_URL = "https://returntorunning.example"
    booking = make_booking(language="es")
    _, event = parse(booking_ics(booking))

    assert event["URL"] == f"https://returntorunning.example/es/reservar/mi-cita/{booking.token}/"
    assert "/es/reservar/mi-cita/" in event["DESCRIPTION"]


def test_the_same_booking_gives_the_same_file(booking):
    # A calendar that subscribes to the file, or a browser's cache, sees no change where there is none.
    assert booking_ics(booking) == booking_ics(booking)
