"""The clinic's clock (America/Tijuana), and dates, times and prices the way each language writes them.

English as San Diego reads it: "Friday, December 4, 3:00 pm"; Spanish as
Tijuana does: "viernes 4 de diciembre, 15:00 h". The formats are Django
date-filter strings kept in the translation catalogue (context "date
format"), so the Spanish ones live with the rest of the Spanish. Times are
always on the clinic's clock, America/Tijuana.
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
    "day": pgettext_lazy("date format", "l, F j"),
    "day_year": pgettext_lazy("date format", "l, F j, Y"),
    "day_time": pgettext_lazy("date format", "l, F j, g:i a"),
    "day_year_time": pgettext_lazy("date format", "l, F j, Y, g:i a"),
    "date": pgettext_lazy("date format", "F j, Y"),
    "day_month": pgettext_lazy("date format", "F j"),
    "time": pgettext_lazy("date format", "g:i a"),
    # The opening of a range of hours: "8:00 am–1:00 pm" / "8:00–13:00 h".
    "range_start": pgettext_lazy("date format, start of a range of hours", "g:i a"),
    # Short, for lists where every row has a time: "Wed, Dec 2, 3:00 pm" / "mié 2 dic, 15:00 h".
    "short_day_time": pgettext_lazy("date format", "D, M j, g:i a"),
    "short_day": pgettext_lazy("date format", "D, M j"),
    "weekday_short": pgettext_lazy("date format", "D"),
}


def _plain_am_pm(format_string, value):
    """`format_string` with its "a" and "A" written out as "am" or "pm".

    Django's own "a" writes "p.m." (the Associated Press style), and "A" "PM";
    San Diego reads "3:00 pm" on its phones and calendars.
    """
    hour = getattr(value, "hour", 0)
    plain = "\\p\\m" if hour >= 12 else "\\a\\m"
    written, escaped = [], False
    for char in format_string:
        if escaped:
            written.append(char)
            escaped = False
        elif char == "\\":
            written.append(char)
            escaped = True
        elif char in "aA":
            written.append(plain)
        else:
            written.append(char)
    return "".join(written)


def clinic_date(value, style="day"):
    """`value` (a date, or a datetime shown in clinic time) in the active language's `style`."""
    if value in (None, ""):
        return ""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value, CLINIC_TZ)
    return dateformat.format(value, _plain_am_pm(str(FORMATS[style]), value))


def clinic_hours(opens, closes):
    """E.g. "8:00 am–1:00 pm" / "8:00–13:00 h": opening hours as the booking pages write times."""
    return f"{clinic_date(opens, 'range_start')}–{clinic_date(closes, 'time')}"


def price_mxn(amount):
    """E.g. "$750 MXN" or "$1,200 MXN": always pesos, and Mexico's thousands comma in both languages."""
    return f"${amount:,.0f} MXN"
