"""The clinic's clock (America/Tijuana), and dates, times and prices the way each language writes them.

English: "Tuesday 3 March, 10:00"; Spanish: "martes 3 de marzo, 10:00 h".
The formats are Django date-filter strings kept in the translation
catalogue (context "date format"), so the Spanish ones live with the rest
of the Spanish. Times are always on the clinic's clock, America/Tijuana.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.translation import pgettext_lazy

CLINIC_TZ = ZoneInfo(settings.TIME_ZONE)


def clinic_date_of(moment):
    return timezone.localtime(moment, CLINIC_TZ).date()


def clinic_today(now=None):
    return timezone.localtime(now or timezone.now(), CLINIC_TZ).date()


FORMATS = {
    "day": pgettext_lazy("date format", "l j F"),
    "day_year": pgettext_lazy("date format", "l j F Y"),
    "day_time": pgettext_lazy("date format", "l j F, H:i"),
    "day_year_time": pgettext_lazy("date format", "l j F Y, H:i"),
    "date": pgettext_lazy("date format", "j F Y"),
    "day_month": pgettext_lazy("date format", "j F"),
    "time": pgettext_lazy("date format", "H:i"),
}


def clinic_date(value, style="day"):
    """`value` (a date, or a datetime shown in clinic time) in the active language's `style`."""
    if value in (None, ""):
        return ""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    return dateformat.format(value, str(FORMATS[style]))


def price_mxn(amount):
    """E.g. "$750 MXN" or "$1,200 MXN": always pesos, and Mexico's thousands comma in both languages."""
    return f"${amount:,.0f} MXN"
