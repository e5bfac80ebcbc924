"""The whole site in Spanish under /es/, English unprefixed, each pointing to the other."""

import re

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation

from conditions.models import Condition
from tests.helpers import page_text, seed_lines

pytestmark = pytest.mark.django_db


def spanish(name, **kwargs):
    with translation.override("es"):
        return reverse(name, kwargs=kwargs)


def english(name, **kwargs):
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def public_pages():
    achilles = Condition.objects.get(slug="achilles-tendinopathy")
    pages = []
    for language in ("en", "es"):
        with translation.override(language):
            pages += [
                (language, reverse("conditions:home")),
                (language, achilles.get_absolute_url()),
                (language, reverse("faq:index")),
                (language, reverse("booking:start")),
                (language, reverse("privacy:notice")),
                (language, reverse("privacy:data_request")),
            ]
    return pages


def alternates(response):
    return dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', response.content.decode()))


def test_every_page_answers_in_both_languages_with_the_right_lang(client, clinic_content, booking_rules):
    for language, url in public_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.content.decode(), url


def test_spanish_pages_have_spanish_addresses(clinic_content, booking_rules):
    achilles = Condition.objects.get(slug="achilles-tendinopathy")
    with translation.override("es"):
        assert achilles.get_absolute_url() == "/es/padecimientos/tendinopatia-aquilea/"
    assert spanish("booking:start") == "/es/reservar/"
    assert spanish("faq:index") == "/es/preguntas-frecuentes/"
    assert spanish("privacy:notice") == "/es/privacidad/"


def test_hreflang_alternates_point_both_ways(client, clinic_content, booking_rules):
    for _language, url in public_pages():
        links = alternates(client.get(url))
        assert set(links) == {"en", "es", "x-default"}, url
        assert links["x-default"] == links["en"]
        assert url in (links["en"].removeprefix("http://testserver"), links["es"].removeprefix("http://testserver"))
        other = links["es"] if url == links["en"].removeprefix("http://testserver") else links["en"]
        back = alternates(client.get(other.removeprefix("http://testserver")))
        assert back == links, url


def test_the_language_link_keeps_the_patient_on_the_same_page(client, clinic_content):
    content = client.get("/conditions/achilles-tendinopathy/?ref=newsletter").content.decode()
    assert '<a class="language-link" href="/es/padecimientos/tendinopatia-aquilea/?ref=newsletter" hreflang="es" lang="es">Español</a>' in content
    content = client.get("/es/padecimientos/tendinopatia-aquilea/").content.decode()
    assert '<a class="language-link" href="/conditions/achilles-tendinopathy/" hreflang="en" lang="en">English</a>' in content


def test_old_and_other_language_addresses_redirect_rather_than_404(client, clinic_content, booking_rules):
    for old, new in [
        ("/es/conditions/achilles-tendinopathy/", "/es/padecimientos/"),
        ("/es/padecimientos/achilles-tendinopathy/", "/es/padecimientos/tendinopatia-aquilea/"),
        ("/conditions/tendinopatia-aquilea/", "/conditions/achilles-tendinopathy/"),
        ("/es/book/", "/es/reservar/"),
        ("/es/faq/", "/es/preguntas-frecuentes/"),
        ("/es/privacy/", "/es/privacidad/"),
    ]:
        response = client.get(old, follow=True)
        assert response.status_code == 200, old
        assert response.redirect_chain and response.redirect_chain[0][1] == 301, old
        assert response.redirect_chain[-1][0].startswith(new), old
    assert client.get("/es/no-such-page/").status_code == 404


def test_no_redirect_by_browser_language(client, clinic_content):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert response.status_code == 200 and '<html lang="en">' in response.content.decode()


def test_no_english_copy_on_the_spanish_page_and_no_spanish_on_the_english(client, clinic_content):
    from clinic.models import Clinic

    spanish_text = page_text(client.get("/es/"))
    english_text = page_text(client.get("/"))
    brand = Clinic.load().name  # "Return to Running" is also the clinic's name, the same in both languages
    for line in seed_lines():
        if len(line) > 12 and line != brand:
            assert line.split(" Read more:")[0] not in spanish_text, line
    for line in seed_lines(language="es"):
        if len(line) > 12:
            assert line.split(" Lee más:")[0] not in english_text, line


def test_the_spanish_page_has_every_line_of_the_spanish_copy(client, clinic_content):
    text = page_text(client.get("/es/"))
    for line in seed_lines(language="es"):
        if line == "-" or line.startswith("Padecimientos relacionados:"):
            continue
        assert line.split(" Lee más:")[0] in text, line


def test_spanish_dates_and_prices_read_as_in_mexico(clinic_content):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from clinic.clock import clinic_date, price_mxn

    moment = datetime(2026, 12, 4, 15, tzinfo=ZoneInfo("America/Tijuana"))
    with translation.override("es"):
        assert clinic_date(moment, "day_time") == "viernes 4 de diciembre, 15:00 h"
        assert clinic_date(moment, "time") == "15:00 h"
        assert price_mxn(750) == "$750 MXN" and price_mxn(1500) == "$1,500 MXN"
    with translation.override("en"):
        # As San Diego reads it.
        assert clinic_date(moment, "day_time") == "Friday, December 4, 3:00 pm"
        assert clinic_date(moment.replace(hour=8), "time") == "8:00 am"
        assert clinic_date(moment.replace(hour=12), "time") == "12:00 pm"
        assert clinic_date(moment.date(), "day_year") == "Friday, December 4, 2026"


def test_the_sitemap_lists_both_languages_with_alternates(client, clinic_content, booking_rules):
    content = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://testserver/es/padecimientos/tendinopatia-aquilea/</loc>" in content
    assert 'hreflang="es" href="http://testserver/es/reservar/"' in content
    assert 'hreflang="x-default"' in content


def test_the_spanish_home_page_takes_the_same_queries(client, clinic_content, django_assert_num_queries):
    # As the English one (tests/conditions/test_home_page.py): the Spanish is in the same rows, not more queries.
    with django_assert_num_queries(11):
        client.get("/es/")


def book_through_the_site(client, prefix, monkeypatch):
    """Book the first open time from the pages of one language, as a patient would."""
    monkeypatch.setattr(django_settings, "BOOKING_MINIMUM_SECONDS", 0)
    with translation.override("es" if prefix else "en"):
        start, details, reason, check = (
            reverse("booking:start"), reverse("booking:details"), reverse("booking:reason"), reverse("booking:check")
        )
    day = re.search(r'href="\?day=([0-9-]+)"', client.get(start).content.decode()).group(1)
    page = client.get(f"{start}?day={day}").content.decode()
    starts_at = re.search(r'name="starts_at" id="id_starts_at_0" value="([^"]+)"', page).group(1)
    client.post(start, {"day": day, "starts_at": starts_at})
    client.post(details, {"patient_name": "Lucía Pérez", "phone": "664 123 4567", "email": "lucia@example.com"})
    client.post(reason, {"reason": "not_sure", "note": ""})
    submission = re.search(r'name="submission" value="([^"]+)"', client.get(check).content.decode()).group(1)
    assert client.post(check, {"submission": submission, "consent": "on"}).status_code == 302


@pytest.mark.parametrize("prefix,language", [("/es", "es"), ("", "en")])
def test_a_booking_speaks_the_language_it_was_made_in(
    client, clinic_content, booking_rules, mailoutbox, run_worker, monkeypatch, prefix, language
):
    from icalendar import Calendar

    from booking.models import Booking
    from clinic.models import Clinic

    Clinic.objects.update(whatsapp="+52 664 765 4321")
    book_through_the_site(client, prefix, monkeypatch)
    booking = Booking.objects.get()
    assert booking.language == language

    run_worker()
    (to_patient,) = [m for m in mailoutbox if m.to == ["lucia@example.com"]]
    ics = next(content for _name, content, _type in to_patient.attachments)
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    confirmation = client.get(reverse("booking:confirmation") if not prefix else spanish("booking:confirmation"))
    whatsapp = re.search(r'href="(https://wa.me/[^"]+)"', confirmation.content.decode()).group(1)
    if language == "es":
        # Online bookings are confirmed at once by default: the first email says it is booked.
        assert "Valoración agendada" in to_patient.subject
        assert "hora de Tijuana" in to_patient.body and "Tijuana time" not in to_patient.body
        assert "/es/reservar/mi-cita/" in to_patient.body
        assert "valoración" in str(event["SUMMARY"]).lower()
        assert "Hola" in whatsapp or "Hola" in __import__("urllib.parse").parse.unquote(whatsapp)
    else:
        assert "Assessment booked" in to_patient.subject
        assert "Tijuana time" in to_patient.body and "hora de Tijuana" not in to_patient.body
        assert "/book/manage/" in to_patient.body
        assert "assessment" in str(event["SUMMARY"]).lower()
        assert "Hello" in __import__("urllib.parse").parse.unquote(whatsapp)


def test_switching_language_on_a_booking_step_keeps_what_was_typed(client, clinic_content, booking_rules):
    day = re.search(r'href="\?day=([0-9-]+)"', client.get("/book/").content.decode()).group(1)
    starts_at = re.search(r'id="id_starts_at_0" value="([^"]+)"', client.get(f"/book/?day={day}").content.decode()).group(1)
    client.post("/book/", {"day": day, "starts_at": starts_at})
    response = client.post("/book/details/", {"patient_name": "Lucía Pérez", "phone": "664 12", "switch_language": "es"})
    assert response.status_code == 302 and response["Location"] == spanish("booking:details")
    content = client.get(response["Location"]).content.decode()
    assert 'value="Lucía Pérez"' in content and 'value="664 12"' in content
    assert '<html lang="es">' in content


def test_no_interface_string_is_left_in_english_on_any_spanish_page(client, clinic_content, booking_rules, monkeypatch):
    """Every Spanish page, including each booking step, read for English catalogue strings."""
    from tests.clinic_site.test_translations import PO_FILE, parse_po

    english = {
        entry.msgid
        for entry in parse_po(PO_FILE)
        if not entry.is_header and entry.msgctxt != "URL" and entry.msgctxt != "date format"
        and "%" not in entry.msgid and "<" not in entry.msgid and len(entry.msgid) >= 12
        and entry.msgstr != entry.msgid
    }
    book_through_the_site(client, "/es", monkeypatch)
    from booking.models import Booking

    booking = Booking.objects.get()
    with translation.override("es"):
        urls = [url for _language, url in public_pages() if url.startswith("/es/")] + [
            reverse("booking:confirmation"),
            booking.get_manage_url(),
            reverse("booking:cancel", kwargs={"token": booking.token}),
            reverse("booking:start") + "?day=2099-01-01",
        ]
    for url in urls:
        text = page_text(client.get(url))
        left = sorted(msgid for msgid in english if msgid in text)
        assert not left, f"{url}: {left}"
