"""The clinic_content fixture writes back exactly what load_clinic_content writes, on SQLite and PostgreSQL."""

from datetime import datetime

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from booking.models import BookingSettings, OpeningHours
from clinic.models import Clinic
from conditions.models import Condition, ServicePage
from privacy.models import PrivacyNotice
from team.models import Practitioner
from tests.helpers import load_clinic_content


def contents(tables, started, finished):
    """Every row of `tables`, keys replaced by the row's place in its table and times stamped meanwhile by "now".

    Keys differ between the two ways of loading (PostgreSQL's sequences go on
    past a rolled-back test); what they point to must not.
    """
    models = {table.model for table in tables}
    places = {
        model: {pk: place for place, pk in enumerate(QuerySet(model).order_by("pk").values_list("pk", flat=True))}
        for model in models
    }

    def value(field, value):
        if field.primary_key:
            return places[field.model][value]
        if field.is_relation and field.related_model in models and value is not None:
            return places[field.related_model][value]
        if isinstance(value, datetime) and started <= value <= finished:
            return "now"
        return value

    def rows(table):
        fields = [field for field in table.fields if not (table.model._meta.auto_created and field.primary_key)]
        rows = [
            tuple((field.attname, value(field, v)) for field, v in zip(fields, row, strict=True))
            for row in QuerySet(table.model).order_by("pk").values_list(*(field.attname for field in fields))
        ]
        # A many-to-many table's rows go in in whatever order .set() takes the keys.
        return sorted(rows) if table.model._meta.auto_created else rows

    return {table.model._meta.label: rows(table) for table in tables}


def loaded_by(load, tables):
    started = timezone.now()
    load()
    return contents(tables, started, timezone.now())


@pytest.mark.django_db
def test_the_snapshot_writes_back_the_rows_the_command_writes(clinic_content_snapshot):
    tables = clinic_content_snapshot.tables
    by_command = loaded_by(load_clinic_content, tables)
    for table in reversed(tables):
        QuerySet(table.model).all().delete()

    assert clinic_content_snapshot.can_restore()
    by_snapshot = loaded_by(clinic_content_snapshot.restore, tables)

    assert by_snapshot == by_command
    assert {"clinic.Clinic", "conditions.ServicePage", "faq.Question_conditions", "privacy.PrivacyNotice"} <= set(
        by_snapshot
    )
    assert not clinic_content_snapshot.can_restore()


@pytest.mark.django_db
def test_rows_created_after_a_restore_get_keys_of_their_own(clinic_content):
    highest = Condition.objects.order_by("-pk").values_list("pk", flat=True).first()
    condition = Condition.objects.create(name="Extra", slug="extra", summary="Extra.")
    assert condition.pk > highest


@pytest.mark.django_db(transaction=True)
def test_the_content_is_restored_in_a_test_that_commits(clinic_content):
    assert ServicePage.objects.get() == clinic_content
    assert Condition.objects.create(name="Extra", slug="extra", summary="Extra.").pk > 8


# A test names its fixtures in any order; they are set up in one.


def content_with_the_booking_rules():
    clinic = Clinic.objects.get()
    assert clinic.email == "clinic@example.com" and clinic.description_es  # the content's clinic, with an email
    assert PrivacyNotice.objects.get().title_es  # the content's notice
    assert list(Practitioner.objects.values_list("name", flat=True)) == ["Dra. Ruiz"]  # the rules'
    assert OpeningHours.objects.count() == 7 and BookingSettings.objects.get().minimum_notice_hours == 12
    return True


def test_the_content_then_the_booking_rules(clinic_content, booking_rules):
    assert content_with_the_booking_rules()


def test_the_booking_rules_then_the_content(booking_rules, clinic_content):
    assert content_with_the_booking_rules()


def the_clinics_own_details():
    clinic = Clinic.objects.get()
    assert (clinic.email, clinic.whatsapp, clinic.description) == ("hola@returntorunning.example", "+52 664 765 4321", "")
    return True


def test_the_clinic_before_the_rules_and_the_content(clinic, booking_rules, clinic_content):
    assert the_clinics_own_details()


def test_the_clinic_after_the_content_and_the_rules(clinic_content, booking_rules, clinic):
    assert the_clinics_own_details()


def test_the_clinic_after_the_rules(booking_rules, clinic):
    assert the_clinics_own_details()


def test_a_booking_at_the_loaded_clinic(booking, clinic_content, booking_rules):
    """The single rows come after the content and the rules: the booking's practitioner is the second one."""
    assert booking.practitioner.name == "Ana Ruiz" and booking.privacy_notice.title_es
    assert Practitioner.objects.count() == 2 and Condition.objects.count() == 9
