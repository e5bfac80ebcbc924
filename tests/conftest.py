import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from conditions.models import ServicePage
from conditions.permissions import CLINIC_EDITORS


@pytest.fixture
def clinic_content(db):
    call_command("load_clinic_content", stdout=open("/dev/null", "w"))
    return ServicePage.objects.get()


@pytest.fixture
def editor(db):
    """A receptionist's account: staff, in the Clinic editors group, nothing more."""
    user = User.objects.create_user("reception", "reception@example.com", "a-long-test-password", is_staff=True)
    user.groups.add(Group.objects.get(name=CLINIC_EDITORS))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
