"""What the booking tests share: the front desk, signed in."""

from datetime import timedelta

import pytest

from clinic.clock import clinic_today
from clinic_site.staff_groups import RECEPTION
from tests.helpers import staff_member


@pytest.fixture
def desk(booking_rules, clinic_content):
    """A receptionist: staff, in the Reception group, nothing more."""
    return staff_member("desk", RECEPTION)


@pytest.fixture
def reception(client, desk):
    client.force_login(desk)
    return client


@pytest.fixture
def tomorrow():
    return clinic_today() + timedelta(days=1)


@pytest.fixture
def review_requests(booking_rules):
    """A clinic that reviews online bookings: patients send a request, answered within 4 opening hours."""
    booking_rules.review_requests = True
    booking_rules.save()
    return booking_rules
