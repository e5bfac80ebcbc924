import os
import shutil
import signal
import subprocess
import sys
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone, translation

from booking import availability
from booking.models import Booking, BookingSettings, OpeningHours
from booking.services import book_assessment
from clinic.models import Clinic
from clinic_site.staff_groups import CLINIC_EDITORS
from conditions.models import Condition, ServicePage
from privacy.models import PrivacyNotice
from team.models import Practitioner
from tests.helpers import load_clinic_content, staff_member
from tests.snapshot import Snapshot


@pytest.fixture(autouse=True)
def empty_cache_between_tests():
    """Pages (clinic_site/page_cache.py) and rate limits a test left in the cache are never seen by the next."""
    cache.clear()


@pytest.fixture(autouse=True)
def english_between_tests():
    """A request under /es/ leaves Spanish active in the thread; every test starts in English."""
    translation.activate("en")
    yield
    translation.activate("en")


def set_up_first(request, *names):
    """Set up, before the calling fixture writes, those of `names` the test also uses.

    Fixtures that write the same tables run in one order, whatever order a test
    names them in: the clinic's content, then the booking rules over it, then
    the single rows (a clinic, a practitioner, a notice, a condition).
    """
    for name in names:
        if name in request.fixturenames:
            request.getfixturevalue(name)


@pytest.fixture(scope="session")
def clinic_content_snapshot(django_db_setup, django_db_blocker):
    """What load_clinic_content writes into an empty database: run once per test run, then rolled back."""
    with django_db_blocker.unblock():
        return Snapshot.of(load_clinic_content)


@pytest.fixture
def clinic_content(db, clinic_content_snapshot):
    """The clinic's starting content, as load_clinic_content writes it into an empty database.

    Written back from the snapshot: a query a table, not the command's 169.
    Where the test has already written to some of those tables, the command
    itself runs instead, keeping what is there as it always does.
    """
    if clinic_content_snapshot.can_restore():
        clinic_content_snapshot.restore()
    else:
        load_clinic_content()
    return ServicePage.objects.get()


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory):
    """An SQLite file migrated by the production settings in their own process, once a run; copy it, never open it."""
    path = tmp_path_factory.mktemp("migrated") / "db.sqlite3"
    environment = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "DATABASE_URL"}}
    environment.update({"DJANGO_SETTINGS_MODULE": "clinic_site.settings", "SECRET_KEY": "migrating-only-not-a-secret",
                        "DATABASE_URL": f"sqlite:///{path}"})
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input"], cwd=Path(__file__).resolve().parents[1],
                   env=environment, check=True, capture_output=True, timeout=120)
    return path


@pytest.fixture
def migrated_database_url(migrated_sqlite_file, tmp_path):
    """A DATABASE_URL for a production process of its own: a fresh copy of the migrated file, in this test's folder."""
    copy = tmp_path / "db.sqlite3"
    shutil.copyfile(migrated_sqlite_file, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def editor(db):
    """A receptionist's account: staff, in the Clinic editors group, nothing more."""
    return staff_member("reception", CLINIC_EDITORS)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def booking_rules(request, db):
    """A clinic open 08:00–20:00 every day with one practitioner, a privacy notice and default rules.

    With the clinic's content these rules replace the content's, and the
    content's clinic gets the clinic's email, the address new requests go to.
    """
    set_up_first(request, "clinic_content")
    Clinic.objects.get_or_create(defaults={"name": "Return to Running", "email": "clinic@example.com"})
    Clinic.objects.filter(email="").update(email="clinic@example.com")  # the content's clinic has none
    # The singleton's key makes this an update where the content wrote the row.
    BookingSettings(assessment_minutes=60, minimum_notice_hours=12, horizon_days=28).save()
    OpeningHours.objects.all().delete()
    for weekday in range(7):
        OpeningHours.objects.create(weekday=weekday, opens=time(8), closes=time(20))
    Practitioner.objects.all().delete()
    Practitioner.objects.create(name="Dra. Ruiz", position=1)
    PrivacyNotice.objects.get_or_create(version=1, defaults={"title": "Privacy notice", "body": "How we use your data."})
    return BookingSettings.objects.get()


@pytest.fixture
def run_worker(monkeypatch):
    """Runs `manage.py db_worker --batch`: every task that is due, then stops.

    The worker closes "old" connections between tasks; inside a test's
    transaction that would close the test's own connection, so it is kept.
    """
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)

    def run():
        # The worker installs its own shutdown handlers; give pytest its own back.
        saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        try:
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        finally:
            for number, handler in saved.items():
                signal.signal(number, handler)

    return run


# Bookings, written straight to the database or booked the way the form does.

TIJUANA = ZoneInfo("America/Tijuana")


@pytest.fixture
def clinic(request, db):
    """The clinic with its address, numbers and email: written over the one row, whatever was there."""
    set_up_first(request, "clinic_content", "booking_rules")
    clinic = Clinic(
        name="Return to Running",
        street_address="Paseo de los Héroes 9350",
        postal_code="22010",
        phone="+52 664 123 4567",
        whatsapp="+52 664 765 4321",
        email="hola@returntorunning.example",
    )
    clinic.save()  # the singleton's key, so an update where the row exists
    return clinic


@pytest.fixture
def practitioner(request, db):
    """Ana Ruiz; beside the practitioner of the booking rules or the content where a test has those too."""
    set_up_first(request, "clinic_content", "booking_rules")
    return Practitioner.objects.create(name="Ana Ruiz")


@pytest.fixture
def privacy_notice(request, db):
    """Version 1, published yesterday; the content's or the rules' version 1 where a test has those too."""
    set_up_first(request, "clinic_content", "booking_rules")
    notice, _created = PrivacyNotice.objects.get_or_create(
        version=1,
        defaults={"title": "Privacy notice", "body": "How we use your data.",
                  "published_at": timezone.now() - timedelta(days=1)},
    )
    return notice


@pytest.fixture
def knee_condition(request, db):
    set_up_first(request, "clinic_content")
    return Condition.objects.create(name="Runner's knee", slug="runners-knee", summary="Pain around the kneecap.")


@pytest.fixture
def patient_details(knee_condition):
    """What a patient types in; the note and condition are health details that must stay out of calendars."""
    return {
        "patient_name": "María Fernanda López",
        "phone": "+526641234567",
        "email": "maria.lopez@example.com",
        "condition": knee_condition,
        "note": "Knee swells after 10 km since the Tijuana half marathon",
        "language": "en",
    }


@pytest.fixture
def make_booking(clinic, practitioner, privacy_notice, patient_details):
    """A booking written straight to the database, by default on Tuesday 2 March 2027 at 10:00 Tijuana time."""

    def make(**fields):
        starts_at = fields.pop("starts_at", datetime(2027, 3, 2, 10, 0, tzinfo=TIJUANA))
        return Booking.objects.create(
            **{
                **patient_details,
                "practitioner": practitioner,
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=1),
                "price": clinic.assessment_price,
                "consent_given_at": timezone.now(),
                "privacy_notice": privacy_notice,
                **fields,
            }
        )

    return make


@pytest.fixture
def booking(make_booking):
    return make_booking()


@pytest.fixture
def book(clinic, booking_rules, patient_details):
    """Book the first open time the way the booking form does, at the clinic with its WhatsApp number and email."""

    def book_first_open_time(**details):
        starts_at = availability.open_times()[0].starts_at
        return book_assessment(starts_at=starts_at, **{**patient_details, **details})

    return book_first_open_time
