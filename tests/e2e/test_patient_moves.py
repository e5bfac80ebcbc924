"""A patient moving their own booking and answering their reminder, in a browser, in both languages, JS on and off."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from booking.availability import open_times
from booking.draft import parse_time
from booking.models import Booking
from clinic.models import Clinic
from tests.booking.test_patient_moves import new_booking

from .checkers import (
    axe_violations,
    describe_axe_violation,
    describe_vnu_error,
    vnu_errors,
)
from .conftest import PHONE, WIDE
from .patient import follow, press

pytestmark = pytest.mark.django_db(transaction=True)
A_TIME = re.compile(r"^\d{1,2}:\d\d")


def page_url(site, name, booking, language):
    with translation.override(language):
        return site + reverse(f"booking:{name}", kwargs={"token": booking.token})


def held_booking():
    """A confirmed booking at the first open time three days ahead: well before the cut-off."""
    soon = timezone.now() + timedelta(days=3)
    return new_booking(next(t.starts_at for t in open_times() if t.starts_at > soon))


def choose_a_new_time(page, site, booking, language):
    page.goto(page_url(site, "move", booking, language))
    follow(page, page.locator("a.day-link").last.click)
    page.get_by_role("radio", name=A_TIME).first.check()
    with translation.override(language):
        return press(page, _("Continue"))


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_patient_moves_their_own_booking(site, open_page, language, javascript):
    booking = held_booking()
    page = open_page(PHONE, javascript=javascript)
    choose_a_new_time(page, site, booking, language)
    with translation.override(language):
        assert page.get_by_role("heading", level=1).inner_text().startswith(_("Move your assessment from %(old)s to %(new)s?").split("%")[0])
        response = press(page, _("Yes, move my assessment"))
        assert response.url == page_url(site, "manage", booking, language)
    emailed = {"en": "We have emailed you the new time.", "es": "Te mandamos la nueva hora por correo."}[language]
    assert emailed in page.locator(".panel").inner_text()
    moved = Booking.objects.get(pk=booking.pk)
    assert moved.starts_at != booking.starts_at and moved.sequence == 1
    assert sorted(moved.emails.values_list("kind", flat=True)) == ["changed", "clinic_changed"]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_time_lost_in_a_race_keeps_the_old_one(site, open_page, language, javascript):
    booking = held_booking()
    page = open_page(WIDE, javascript=javascript)
    choose_a_new_time(page, site, booking, language)
    wanted = page.locator('input[name="starts_at"]').input_value()
    new_booking(parse_time(wanted), patient_name="Berta Soto", email="berta@example.com")
    with translation.override(language):
        press(page, _("Yes, move my assessment"))
    pick_again = {"en": "Choose another time.", "es": "Elige otra hora."}[language]
    assert pick_again in page.locator(".notice--error").inner_text()
    kept = Booking.objects.get(pk=booking.pk)
    assert kept.starts_at == booking.starts_at and kept.sequence == 0 and not kept.emails.exists()


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_ill_be_there_in_one_tap(site, open_page, language, javascript):
    booking = held_booking()
    page = open_page(PHONE, javascript=javascript)
    page.goto(page_url(site, "reply", booking, language))
    assert Booking.objects.get(pk=booking.pk).patient_confirmed_at is None
    with translation.override(language):
        press(page, _("I'll be there"))
        assert _("You told us you'll be there.") in page.locator("main").inner_text()
    assert Booking.objects.get(pk=booking.pk).patient_confirmed_at is not None


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_i_need_to_change_opens_the_move_and_the_patient_picks_a_new_time(site, open_page, javascript):
    booking = held_booking()
    page = open_page(PHONE, javascript=javascript)
    page.goto(page_url(site, "reply", booking, "es"))
    with translation.override("es"):
        follow(page, page.get_by_role("link", name=_("I need to change")).click)
        assert page.url == page_url(site, "move", booking, "es")
        follow(page, page.locator("a.day-link").last.click)
        page.get_by_role("radio", name=A_TIME).first.check()
        press(page, _("Continue"))
        press(page, _("Yes, move my assessment"))
    assert Booking.objects.get(pk=booking.pk).starts_at != booking.starts_at


def test_inside_the_cut_off_the_reply_page_says_how_to_reach_the_clinic(site, open_page):
    now = timezone.now()  # a time inside the 24-hour cut-off: the clinic is open 08:00-20:00 every day
    soon = next(t.starts_at for t in open_times(for_staff=True) if now + timedelta(hours=1) < t.starts_at < now + timedelta(hours=23))
    booking = new_booking(soon)
    Clinic.objects.update(phone="+52 664 123 4567")
    page = open_page(PHONE)
    page.goto(page_url(site, "reply", booking, "en"))
    assert page.get_by_role("link", name="I need to change").count() == 0
    assert page.get_by_role("heading", name="I need to change").is_visible()
    assert "can no longer be changed online" in page.locator("main").inner_text()
    assert page.get_by_role("main").get_by_role("link", name="Call +52 664 123 4567").is_visible()
    press(page, "I'll be there")
    assert Booking.objects.get(pk=booking.pk).patient_confirmed_at is not None


def walk_the_new_pages(page, site, look):
    booking = held_booking()
    for language in ("en", "es"):
        look(f"reply-{language}", page.goto(page_url(site, "reply", booking, language)))
        look(f"move-days-{language}", page.goto(page_url(site, "move", booking, language)))
        look(f"move-times-{language}", follow(page, page.locator("a.day-link").last.click))
        with translation.override(language):
            look(f"move-times-error-{language}", press(page, _("Continue")))
        look(f"move-check-{language}", choose_a_new_time(page, site, booking, language))
        look(f"manage-{language}", page.goto(page_url(site, "manage", booking, language)))


def test_the_new_pages_are_valid_html(site, open_page, tmp_path):
    names = {}

    def save(name, response):
        path = tmp_path / f"{len(names):02d}-{name}.html"
        path.write_text(response.text(), encoding="utf-8")
        names[str(path)] = name

    walk_the_new_pages(open_page(PHONE, javascript=False), site, save)
    errors = vnu_errors(sorted(names))
    assert not errors, "\n" + "\n".join(describe_vnu_error(message, names) for message in errors)


@pytest.mark.parametrize("screen", [PHONE, WIDE], ids=["phone", "wide"])
def test_the_new_pages_pass_axe(site, open_page, screen):
    page = open_page(screen)
    found = []

    def check(name, response):
        found.extend(describe_axe_violation(f"{name} at {screen['width']}px", v) for v in axe_violations(page))

    walk_the_new_pages(page, site, check)
    assert not found, "\n" + "\n".join(found)
