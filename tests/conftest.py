import signal

import pytest
from django.core.management import call_command
from django.utils import translation

from clinic_site.staff_groups import CLINIC_EDITORS
from conditions.models import ServicePage
from tests.helpers import staff_member


@pytest.fixture(autouse=True)
def english_between_tests():
    """A request under /es/ leaves Spanish active in the thread; every test starts in English."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def clinic_content(db):
    call_command("load_clinic_content", stdout=open("/dev/null", "w"))
    return ServicePage.objects.get()


@pytest.fixture
def editor(db):
    """A receptionist's account: staff, in the Clinic editors group, nothing more."""
    return staff_member("reception", CLINIC_EDITORS)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def booking_rules(db):
    """A clinic open 08:00–20:00 every day with one practitioner, a privacy notice and default rules."""
    from datetime import time

    from booking.models import BookingSettings, OpeningHours, Practitioner
    from clinic.models import Clinic
    from privacy.models import PrivacyNotice

    # Replaces whatever load_clinic_content set, whichever fixture ran first.
    Clinic.objects.get_or_create(defaults={"name": "Return to Running", "email": "clinic@example.com"})
    BookingSettings.objects.all().delete()
    OpeningHours.objects.all().delete()
    Practitioner.objects.all().delete()
    BookingSettings.objects.create(assessment_minutes=60, minimum_notice_hours=12, horizon_days=28)
    for weekday in range(7):
        OpeningHours.objects.create(weekday=weekday, opens=time(8), closes=time(20))
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
