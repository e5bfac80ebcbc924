"""The booking admin at the front desk: a patient found however the name or phone is typed, the list read at a glance, dates read one way."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone, translation

from booking.admin.widgets import IsoDatesMixin
from booking.models import Booking, Closure
from clinic.clock import clinic_today
from privacy.admin import PrivacyNoticeForm
from privacy.models import PrivacyNotice
from team.models import Practitioner
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

TIJUANA = ZoneInfo("America/Tijuana")
BOOKINGS = "/admin/booking/booking/"


@pytest.fixture
def make_patient():
    """A booking tomorrow at `hour`, for the patient named."""

    def make(patient_name, phone="+526649998877", email="", hour=9, **fields):
        starts_at = datetime.combine(clinic_today() + timedelta(days=1), time(hour), tzinfo=TIJUANA)
        return Booking.objects.create(
            practitioner=Practitioner.objects.first(),
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=1),
            price=750,
            patient_name=patient_name,
            phone=phone,
            email=email,
            consent_given_at=timezone.now(),
            privacy_notice=PrivacyNotice.objects.first(),
            **fields,
        )

    return make


def found(reception, typed):
    return page_text(reception.get(BOOKINGS, {"q": typed}))


# Names and emails, whatever their accents.


@pytest.mark.parametrize("typed", ["Maria Lopez", "maría lópez", "MARIA LÓPEZ", "lopez", "'María López'"])
def test_a_name_is_found_with_or_without_its_accents(reception, make_patient, typed):
    make_patient("María López", hour=9)
    make_patient("Berta Ruiz", hour=10)

    text = found(reception, typed)

    assert "María López" in text and "Berta Ruiz" not in text


@pytest.mark.parametrize("typed", ["maría", "MARÍA", "Maria"])
def test_a_name_typed_without_accents_is_found_by_a_search_with_them(reception, make_patient, typed):
    make_patient("MARIA GARCIA", hour=9)
    make_patient("Berta Ruiz", hour=10)

    text = found(reception, typed)

    assert "MARIA GARCIA" in text and "Berta Ruiz" not in text


@pytest.mark.parametrize("typed", ["Nuñez", "nunez", "ÑÚÑEZ", "Güero", "guero", "IÑIGO"])
def test_capital_accents_and_the_spanish_letters_are_folded_too(reception, make_patient, typed):
    make_patient("ÍÑIGO NÚÑEZ GÜERO", hour=9)
    make_patient("Berta Ruiz", hour=10)

    assert "ÍÑIGO NÚÑEZ GÜERO" in found(reception, typed)


def test_every_word_of_the_search_must_match(reception, make_patient):
    make_patient("María López", hour=9)
    make_patient("María Ruiz", hour=10)

    text = found(reception, "maria ruiz")

    assert "María Ruiz" in text and "María López" not in text


def test_an_email_or_a_reference_is_still_found(reception, make_patient):
    ana = make_patient("Ana Peña", email="ana.pena@example.com", hour=9)
    make_patient("Berta Ruiz", email="berta@example.com", hour=10)

    assert "Ana Peña" in found(reception, "ANA.PENA@example.com")
    assert "Berta Ruiz" not in found(reception, "ANA.PENA@example.com")
    assert "Ana Peña" in found(reception, ana.reference.lower())


def test_a_search_with_nothing_in_it_lists_the_agenda(reception, make_patient):
    make_patient("María López")
    assert "María López" in found(reception, "   ")


# Phones, however they are typed.


@pytest.mark.parametrize(
    "typed",
    [
        "664 123 4567",
        "664-123-4567",
        "(664) 123-4567",
        "+52 664 123 4567",
        "+52 1 664 123 4567",
        "+521 664 123 4567",
        "52 1 664 123 4567",
        "044 664 123 4567",
        "045 664 123 4567",
        "0052 664 123 4567",
        "6641234567",
        "123 4567",
        "044 664 123",
    ],
)
def test_a_mexican_mobile_is_found_however_it_is_typed(reception, make_patient, typed):
    make_patient("Ana López", phone="+526641234567", hour=9)
    make_patient("Berta Ruiz", phone="+526649998877", hour=10)

    text = found(reception, typed)

    assert "Ana López" in text and "Berta Ruiz" not in text


@pytest.mark.parametrize("typed", ["(619) 555-0142", "619 555 0142", "+1 619 555 0142", "1-619-555-0142", "001 619 555 0142"])
def test_a_us_mobile_is_found_however_it_is_typed(reception, make_patient, typed):
    make_patient("Sam Baker", phone="+16195550142", hour=9)
    make_patient("Berta Ruiz", phone="+526649998877", hour=10)

    text = found(reception, typed)

    assert "Sam Baker" in text and "Berta Ruiz" not in text


# The list, at a glance.


def column_headers(response):
    head = re.search(r"<thead>.*?</thead>", response.content.decode(), flags=re.DOTALL).group(0)
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
        for cell in re.findall(r"<th\b[^>]*>(.*?)</th>", head, flags=re.DOTALL)
    ]


def test_the_list_shows_the_columns_the_front_desk_needs_and_nothing_that_makes_it_scroll(reception, make_patient):
    make_patient("María López")

    headers = [header for header in column_headers(reception.get(BOOKINGS)) if header]

    assert headers == ["Time (Tijuana)", "Patient", "Status", "Practitioner", "Reminder sent"]


def test_the_patients_name_opens_the_booking(reception, make_patient):
    booking = make_patient("María López", phone="+526641234567")

    body = reception.get(BOOKINGS).content.decode()

    link = re.search(rf'<a href="{BOOKINGS}{booking.pk}/change/[^"]*">(.*?)</a>', body, flags=re.DOTALL)
    assert link and "María López" in link.group(1)


def test_each_row_keeps_the_reason_phone_and_reference_under_the_name(reception, make_patient):
    booking = make_patient("María López", phone="+526641234567", reason="shin")

    text = page_text(reception.get(BOOKINGS))

    assert f"María López Shin +52 664 123 4567 · {booking.reference}" in text


def test_emails_still_to_go_out_are_counted_under_the_status(reception, make_patient):
    booking = make_patient("María López")
    booking.emails.create(kind="received")
    booking.emails.create(kind="clinic_new_request")
    make_patient("Berta Ruiz", hour=10)

    body = reception.get(BOOKINGS).content.decode()

    rows = {name: page_text_of(row) for row in re.findall(r"<tr\b.*?</tr>", body, flags=re.DOTALL)
            for name in ("María López", "Berta Ruiz") if name in row}
    assert "Requested 2 emails not sent" in rows["María López"]
    assert "not sent" not in rows["Berta Ruiz"]


def page_text_of(fragment):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))


def test_the_reminder_column_says_whether_the_patient_was_reminded_of_this_time(reception, make_patient):
    reminded = make_patient("Reminded Patient", hour=9, status=Booking.Status.CONFIRMED)
    Booking.objects.filter(pk=reminded.pk).update(reminded_for=reminded.starts_at)
    make_patient("Waiting Patient", hour=10, status=Booking.Status.CONFIRMED)

    body = reception.get(BOOKINGS).content.decode()

    rows = {name: row for row in re.findall(r"<tr\b.*?</tr>", body, flags=re.DOTALL)
            for name in ("Reminded Patient", "Waiting Patient") if name in row}
    assert 'alt="True"' in rows["Reminded Patient"]
    assert 'alt="False"' in rows["Waiting Patient"]


def test_times_in_the_spanish_admin_read_in_spanish(reception, make_patient):
    make_patient("María López", hour=10)
    tomorrow = clinic_today() + timedelta(days=1)
    spanish_days = ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"]
    spanish_months = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"]

    reception.cookies["django_language"] = "es"
    text = page_text(reception.get(BOOKINGS, HTTP_ACCEPT_LANGUAGE="es"))

    # The month's capital is the catalogue's to choose ("D j b" writes it small).
    assert f"{spanish_days[tomorrow.weekday()]} {tomorrow.day} {spanish_months[tomorrow.month - 1]}, 10:00" in text.lower()


# Dates typed in the admin: one way to read them, in either language.


@pytest.fixture
def closure_form():
    """The closures' form as an admin with the shared date widgets builds it."""

    class ClosureAdmin(IsoDatesMixin, admin.ModelAdmin):
        fields = ["first_day", "last_day", "reason", "practitioner"]

    return ClosureAdmin(Closure, admin.AdminSite()).get_form(RequestFactory().get("/"))


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_closures_days_are_typed_as_iso_dates_with_the_browsers_picker(closure_form, language):
    with translation.override(language):
        form = closure_form()
        html = str(form["first_day"])
        assert 'type="date"' in html and "2027-03-04" in str(form["first_day"].help_text)  # an example in ISO form
        assert closure_form({"first_day": "2027-03-04", "last_day": "2027-03-04"}).is_valid()
        ambiguous = closure_form({"first_day": "03/04/2027", "last_day": "04/03/2027"})
        assert not ambiguous.is_valid() and {"first_day", "last_day"} <= set(ambiguous.errors)


def test_a_closures_saved_day_is_shown_back_as_an_iso_date(closure_form):
    closure = Closure(first_day=date(2027, 3, 4), last_day=date(2027, 3, 5))
    with translation.override("es"):
        assert 'value="2027-03-04"' in str(closure_form(instance=closure)["first_day"])


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_privacy_notices_publication_day_is_an_iso_date_in_both_languages(language):
    field = PrivacyNoticeForm.base_fields["published_at"]
    with translation.override(language):
        assert 'type="date"' in field.widget.render("published_at", None)
        assert field.clean(["2027-03-04", "09:00"]).date().isoformat() == "2027-03-04"
        with pytest.raises(ValidationError):
            field.clean(["04/03/2027", "09:00"])
