"""The shared form fields: a phone typed the ways patients give it."""

import pytest

from clinic.forms import MexicanOrUSPhoneField


@pytest.mark.parametrize("typed", ["664 123 4567", "+52 664 123 4567", "+52 1 664 123 4567", "521 664 123 4567",
                                   "044 664 123 4567", "045 664 123 4567", "(664) 123-4567"])
def test_a_mexican_mobile_typed_with_an_old_prefix_is_the_same_phone(typed):
    assert MexicanOrUSPhoneField().clean(typed) == "+526641234567"


def test_a_us_number_is_not_mistaken_for_an_old_mexican_prefix():
    assert MexicanOrUSPhoneField().clean("+1 619 555 0142") == "+16195550142"
    assert MexicanOrUSPhoneField().clean("(619) 555-0142") == "+16195550142"
