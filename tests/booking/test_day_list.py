"""The list of days: the first open time first, then the days compactly, each with how many times are open."""

import re

import pytest
from django.utils import timezone, translation

from booking.availability import open_times_by_day
from booking.models import Booking
from clinic.clock import clinic_date
from privacy.models import PrivacyNotice
from tests.booking.walk import url
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

FIRST = {"en": "First open time:", "es": "Primer horario libre:"}
FULL = {"en": "Fully booked", "es": "Sin lugares"}
ONE = {"en": "1 open time", "es": "1 horario libre"}
MANY = {"en": "{} open times", "es": "{} horarios libres"}


def cell_of(response, day, language):
    """What the grid's cell for `day` says, tags dropped; its state ("open", "full", "closed") first."""
    with translation.override(language):
        full_date = clinic_date(day, "day")
    for state, body in re.findall(r'<td class="day day--(\w+)">(.*?)</td>', response.content.decode(), flags=re.S):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()
        if text.startswith(f"{day.day} {full_date}"):
            return state, text[len(f"{day.day} {full_date}"):].strip(" ,:")
    raise AssertionError(f"no cell for {full_date}")


def fill(open_times, leave=0):
    """Book every time in `open_times` but the last `leave` of them."""
    for number, open_time in enumerate(open_times[:len(open_times) - leave]):
        Booking.objects.create(
            practitioner_id=open_time.free_practitioner_ids[0], starts_at=open_time.starts_at,
            ends_at=open_time.ends_at, price=750, patient_name=f"P {number}", phone=f"+52664111{number:04d}",
            email=f"p{number}@example.com", consent_given_at=timezone.now(), status=Booking.Status.CONFIRMED,
            privacy_notice=PrivacyNotice.objects.get(),
        )


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_first_open_time_comes_first_and_books_that_time(client, booking_rules, clinic_content, language):
    first = next(iter(open_times_by_day().values()))[0]

    response = client.get(url("start", language))

    content = response.content.decode()
    with translation.override(language):
        when = clinic_date(first.starts_at, "day_time")
    assert f"{FIRST[language]} {when}" in page_text(response)
    assert content.index(FIRST[language]) < content.index('<table class="week"')
    form = content[content.rindex("<form", 0, content.index(FIRST[language])):content.index(FIRST[language])]
    assert f'name="starts_at" value="{first.starts_at.isoformat()}"' in form

    # Its button goes straight on to the details with that time chosen.
    chosen = client.post(url("start", language), {"day": first.starts_at.date().isoformat(),
                                                  "starts_at": first.starts_at.isoformat()})
    assert chosen["Location"] == url("details", language)
    assert when in page_text(client.get(url("start", language) + "?day="))


@pytest.mark.parametrize("language", ["en", "es"])
def test_each_day_says_how_many_times_are_open_in_the_plural_of_its_language(
        client, booking_rules, clinic_content, language):
    days = open_times_by_day()
    one_left, full, whole = list(days)[1:4]
    fill(days[one_left], leave=1)
    fill(days[full])

    response = client.get(url("start", language))

    # The number the eye sees, then the words a screen reader hears.
    assert cell_of(response, one_left, language) == ("open", f"1 {ONE[language]}")
    count = len(days[whole])
    assert cell_of(response, whole, language) == ("open", f"{count} {MANY[language].format(count)}")
    assert cell_of(response, full, language) == ("full", FULL[language])


def test_a_fully_booked_day_is_not_offered(client, booking_rules, clinic_content):
    days = open_times_by_day()
    full = list(days)[1]
    fill(days[full])

    content = client.get(url("start")).content.decode()

    assert f'href="?day={full.isoformat()}"' not in content
    assert f'href="?day={list(days)[2].isoformat()}"' in content
    assert "There are no open times on that day" in page_text(client.get(f"{url('start')}?day={full.isoformat()}"))


def test_the_days_are_compact_weeks_of_seven_with_the_numbers_only(client, booking_rules, clinic_content):
    content = client.get(url("start")).content.decode()

    weeks = re.findall(r'<table class="week">.*?</table>', content, flags=re.S)
    assert weeks and all(len(re.findall(r"<td ", week)) == 7 for week in weeks)
    assert re.findall(r'<th scope="col">(\w+)</th>', weeks[0]) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    # The number of the day and its count are what the eye sees; the full date is there for screen readers.
    cell = re.search(r'<td class="day day--open">(.*?)</td>', weeks[-1] if len(weeks) == 1 else content, flags=re.S).group(1)
    assert re.search(r'<span class="day__number" aria-hidden="true">\d+</span>', cell)
    assert re.search(r'<span class="visually-hidden">\w+, \w+ \d+, </span>', cell)
