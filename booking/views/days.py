"""Days and times as the booking pages show them: a day from the address, weeks as people say them, a day's times by part.

Shared by the booking flow's first step (flow.py) and the patient's move (manage.py).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from clinic.clock import clinic_date, clinic_today


def parse_day(value):
    """The day a ?day= or a posted day names, or None for nothing or nonsense."""
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def day_month(day):
    return clinic_date(day, "day_month")


def week_label(monday, this_monday):
    """ "This week", "Next week" or "Week of 14 December", for the week starting `monday`."""
    if monday == this_monday:
        return _("This week")
    if monday == this_monday + timedelta(days=7):
        return _("Next week")
    return _("Week of %(date)s") % {"date": day_month(monday)}


@dataclass(frozen=True)
class CalendarDay:
    """One day of the week grid: open (a link, with its count), full, closed, or outside the days booked online."""

    day: date
    count: int = 0
    state: str = "outside"  # "open", "full", "closed" or "outside"

    @property
    def count_label(self):
        return ngettext("%(count)d open time", "%(count)d open times", self.count) % {"count": self.count}

    @property
    def state_label(self):
        return {"full": _("Fully booked"), "closed": _("No times")}.get(self.state, "")


def calendar_weeks(days, today, would_be_open=()):
    """Whole weeks, Monday to Sunday, from this one to the last with an open time, each labelled as people say it.

    `days` are the days with open times ({date: [OpenTime]}); `would_be_open`
    those that would have some if nobody had booked: the rest of those are
    full, every other day of the clinic's calendar closed.
    """
    if not days:
        return []
    this_monday = today - timedelta(days=today.weekday())
    last_day = max(days)
    weeks = []
    monday = this_monday
    while monday <= last_day:
        week = []
        for offset in range(7):
            day = monday + timedelta(days=offset)
            if day in days:
                week.append(CalendarDay(day, len(days[day]), "open"))
            elif day < today or day > last_day:
                week.append(CalendarDay(day))
            else:
                week.append(CalendarDay(day, 0, "full" if day in would_be_open else "closed"))
        weeks.append({"monday": monday, "label": week_label(monday, this_monday), "days": week})
        monday += timedelta(days=7)
    return weeks


def weekday_names(monday):
    """The grid's column headings, "Mon" to "Sun" ("lun" to "dom"), in the active language."""
    return [clinic_date(monday + timedelta(days=offset), "weekday_short") for offset in range(7)]


def days_by_week(days):
    """Only the days with open times, grouped by week, each week labelled the way people say it."""
    today = clinic_today()
    this_monday = today - timedelta(days=today.weekday())
    weeks = []
    for day, times in days.items():
        monday = day - timedelta(days=day.weekday())
        if not weeks or weeks[-1]["monday"] != monday:
            weeks.append({"monday": monday, "label": week_label(monday, this_monday), "days": []})
        weeks[-1]["days"].append({"day": day, "count": len(times)})
    return weeks


# Two parts of the day, as patients plan them: the afternoon starts at noon.
AFTERNOON_FROM = 12


def parts_of_day(times):
    """Times split into morning and afternoon, each numbered for its radio's id (booking/includes/times_of_day.html)."""
    parts = {"morning": [], "afternoon": []}
    for index, open_time in enumerate(times):
        parts["morning" if open_time.starts_at.hour < AFTERNOON_FROM else "afternoon"].append((index, open_time))
    labels = {"morning": pgettext("part of day", "Morning"), "afternoon": pgettext("part of day", "Afternoon")}
    return [(labels[name], times) for name, times in parts.items() if times]
