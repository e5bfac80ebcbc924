"""Dates typed in the booking admin, in the one form both languages read the same way."""

from django import forms
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# "03/04/2027" is 4 March to an English reader and 3 April to a Spanish one;
# 2027-03-04 is the same day to both, and it is what <input type="date"> sends,
# whatever the browser shows.
ISO_DATE = "%Y-%m-%d"


class IsoDateInput(forms.DateInput):
    """The browser's date picker, in its user's language, sending YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs={"placeholder": "YYYY-MM-DD", **(attrs or {})}, format=ISO_DATE)


ISO_DATE_FIELDS = {
    models.DateField: {
        "widget": IsoDateInput,
        # Only ISO: the locale's day/month orders are what made a date readable two ways.
        "input_formats": [ISO_DATE],
    },
}


class IsoDatesMixin:
    """A ModelAdmin whose date fields take only YYYY-MM-DD, with the browser's date picker."""

    formfield_overrides = ISO_DATE_FIELDS

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        # A DateTimeField is a DateField too, and keeps the admin's own date and time boxes.
        if formfield and isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
            formfield.help_text = format_hint(db_field.help_text)
        return formfield


def format_hint(help_text):
    """The field's own help, then the format, for a browser that shows a plain text box."""
    hint = _("Date as YYYY-MM-DD, e.g. 2027-03-04.")
    return format_lazy("{} {}", help_text, hint) if help_text else hint
