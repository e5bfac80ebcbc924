"""The front desk's calendar: a day or a week of bookings, one column per practitioner, on the clinic's clock.

Rows are a fixed step on the wall clock. The step is the largest that divides
an hour, the assessment's length and every opening and closing time, so each
bookable time starts on a row and fills whole rows (one row an hour with the
clinic's 60-minute assessments on the hour). The page is an HTML table:
a booking or a free time is one cell spanning its rows, so it needs no
JavaScript and no inline styles under the CSP, and reads cell by cell.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.clock import CLINIC_TZ, clinic_date, clinic_today
from team.models import Practitioner

from ..availability import open_times, wall_clock_time
from ..models import Booking, BookingSettings, Closure, OpeningHours

DAY_MINUTES = 24 * 60
# Without opening hours the calendar still shows a working day, all of it shaded.
DEFAULT_DAY = (8 * 60, 20 * 60)
SHOWN_STATUSES = [
    Booking.Status.REQUESTED, Booking.Status.CONFIRMED, Booking.Status.ATTENDED, Booking.Status.NO_SHOW,
]
SHOW_ALL = "all"


def minutes_of(clock):
    return clock.hour * 60 + clock.minute


def clock_label(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def clinic_midnight(day):
    return datetime.combine(day, time.min, tzinfo=CLINIC_TZ)


def touches(booking, day):
    """Whether any of the booking falls on `day` by the clinic's clock."""
    return clinic_midnight(day) < booking.ends_at and booking.starts_at < clinic_midnight(day + timedelta(days=1))


def patient_confirmed(booking, with_time=False):
    """"✓ Patient confirmed": the patient answered their reminder "I'll be there"; with the day and time they did."""
    if not booking.patient_confirmed_at:
        return ""
    if not with_time:
        return _("✓ Patient confirmed")
    when = clinic_date(timezone.localtime(booking.patient_confirmed_at, CLINIC_TZ), "day_time")
    return _("✓ Patient confirmed %(when)s") % {"when": when}


def first_name(booking):
    parts = booking.patient_name.split()
    return parts[0] if parts else _("(name removed)")


@dataclass
class Cell:
    """One cell of a column: a booking (or bookings that overlap), a free time, shading, or nothing."""

    kind: str  # "bookings", "free", "outside", "closed", "leave", "empty"
    first_row: int
    rows: int = 1
    bookings: list = field(default_factory=list)
    label: str = ""
    url: str = ""
    hidden_label: str = ""


@dataclass
class Column:
    day: date
    practitioner: Practitioner
    cells: list = field(default_factory=list)


class Calendar:
    """The bookings, opening hours and closures of `days`, laid out as rows of `step` minutes."""

    def __init__(self, days, show_all=False, now=None, add_url="", change_url=None):
        self.days = days
        self.show_all = show_all
        self.now = now or timezone.now()
        self.add_url = add_url
        self.change_url = change_url
        rules = BookingSettings.load()
        self.length = rules.assessment_minutes
        first, last = days[0], days[-1]

        self.hours = defaultdict(list)
        for opening in OpeningHours.objects.all():
            self.hours[opening.weekday].append((minutes_of(opening.opens), minutes_of(opening.closes)))
        self.closures = list(Closure.objects.filter(first_day__lte=last, last_day__gte=first))

        statuses = Booking.Status.values if show_all else SHOWN_STATUSES
        self.bookings = list(
            Booking.objects.filter(
                status__in=statuses, starts_at__lt=clinic_midnight(last + timedelta(days=1)),
                ends_at__gt=clinic_midnight(first),
            ).select_related("condition").order_by("starts_at", "pk")
        )
        booked = {booking.practitioner_id for booking in self.bookings}
        self.practitioners = [
            practitioner for practitioner in Practitioner.objects.all()
            if practitioner.takes_assessments or practitioner.pk in booked
        ]
        # Bookable exactly when the add view would accept the time: the same open times it offers.
        self.bookable = {
            (open_time.starts_at, practitioner_id)
            for open_time in open_times(first_day=first, last_day=last, now=self.now, for_staff=True)
            for practitioner_id in open_time.free_practitioner_ids
        } if add_url else set()

        self.step = math.gcd(self.length, 60, *(m for ranges in self.hours.values() for pair in ranges for m in pair))
        self.start, self.end = self.window()
        self.row_count = (self.end - self.start) // self.step
        self.columns = [Column(day, practitioner) for day in days for practitioner in self.practitioners]
        for column in self.columns:
            column.cells = self.cells_of(column)

    def spans(self, booking, day):
        """The booking's start and end in minutes of `day`'s wall clock, cut to the day."""
        starts = timezone.localtime(booking.starts_at, CLINIC_TZ)
        ends = timezone.localtime(booking.ends_at, CLINIC_TZ)
        start = minutes_of(starts) if starts.date() == day else 0
        end = minutes_of(ends) if ends.date() == day else DAY_MINUTES
        return start, max(end, start + 1)

    def bookings_on(self, day, practitioner):
        return [
            booking for booking in self.bookings if booking.practitioner_id == practitioner.pk and touches(booking, day)
        ]

    def window(self):
        """The first and last minute shown: the clinic's hours on the hour, widened to any booking outside them."""
        ranges = [pair for ranges in self.hours.values() for pair in ranges] or [DEFAULT_DAY]
        start = min(opens for opens, _closes in ranges) // 60 * 60
        end = min(DAY_MINUTES, -(-max(closes for _opens, closes in ranges) // 60) * 60)
        for day in self.days:
            for booking in (booking for booking in self.bookings if touches(booking, day)):
                booking_start, booking_end = self.spans(booking, day)
                start = min(start, booking_start // self.step * self.step)
                end = max(end, -(-booking_end // self.step) * self.step)
        return start, end

    def row_of(self, minutes):
        return (minutes - self.start) // self.step

    def rows_until(self, minutes):
        return min(self.row_count, -(-(minutes - self.start) // self.step))

    def cells_of(self, column):
        day, practitioner = column.day, column.practitioner
        state = ["outside"] * self.row_count
        for opens, closes in self.hours.get(day.weekday(), []):
            for row in range(max(0, self.row_of(opens)), self.rows_until(closes)):
                state[row] = "empty"
        closure_labels = {}
        for closure in self.closures:
            if closure.first_day <= day <= closure.last_day:
                if closure.practitioner_id is None:
                    kind, label = "closed", _("Clinic closed")
                elif closure.practitioner_id == practitioner.pk:
                    kind, label = "leave", _("On leave")
                else:
                    continue
                closure_labels[kind] = f"{label}: {closure.reason}" if closure.reason else label
        shade = "closed" if "closed" in closure_labels else "leave" if "leave" in closure_labels else None
        if shade:
            state = [shade] * self.row_count

        cells = {}
        for cluster_start, cluster_end, bookings in self.clusters(day, practitioner):
            cells[cluster_start] = Cell("bookings", cluster_start, cluster_end - cluster_start, bookings=bookings)
            for row in range(cluster_start, cluster_end):
                state[row] = "bookings"

        if not shade:
            for opens, closes in self.hours.get(day.weekday(), []):
                self.add_free_cells(day, practitioner, opens, closes, state, cells)

        current = None  # the shading being drawn, which an equal row below joins
        for row in range(self.row_count):
            kind = state[row]
            if kind in ("bookings", "free"):
                current = None
            elif current is not None and current.kind == kind:
                current.rows += 1
            else:
                label = closure_labels.get(kind, _("Outside opening hours") if kind == "outside" else "")
                current = cells[row] = Cell(kind, row, label=label)
        return [cells[row] for row in sorted(cells)]

    def clusters(self, day, practitioner):
        """The day's bookings as (first row, row after the last, bookings), overlapping ones together."""
        clusters = []
        for booking in self.bookings_on(day, practitioner):
            start, end = self.spans(booking, day)
            first, after = self.row_of(start), max(self.rows_until(end), self.row_of(start) + 1)
            block = self.describe(booking, day)
            if clusters and first < clusters[-1][1]:
                clusters[-1][1] = max(clusters[-1][1], after)
                clusters[-1][2].append(block)
            else:
                clusters.append([first, after, [block]])
        return clusters

    def describe(self, booking, day):
        """What the booking's block shows: no more of the patient than the first name and the reason."""
        start = timezone.localtime(booking.starts_at, CLINIC_TZ)
        return {
            "time": start.strftime("%H:%M") if start.date() == day else clinic_date(start, "day_time"),
            "name": first_name(booking),
            "reason": booking.reason_label,
            "status": " · ".join(filter(None, [booking.get_status_display(), patient_confirmed(booking)])),
            "status_class": f"status-{booking.status.replace('_', '-')}",
            "url": self.change_url(booking.pk),
        }

    def add_free_cells(self, day, practitioner, opens, closes, state, cells):
        """Each open time the practitioner could be booked at, as a link to the phone booking page."""
        rows = self.length // self.step
        clock = opens
        while clock + self.length <= closes:
            first = self.row_of(clock)
            starts_at = wall_clock_time(day, time(clock // 60, clock % 60))
            if (
                starts_at is not None and (starts_at, practitioner.pk) in self.bookable
                and 0 <= first and first + rows <= self.row_count
                and all(state[row] == "empty" for row in range(first, first + rows))
            ):
                cells[first] = Cell(
                    "free", first, rows,
                    label=_("Book %(time)s") % {"time": clock_label(clock)},
                    hidden_label=(
                        _("on %(day)s with %(practitioner)s") % {"day": clinic_date(day), "practitioner": practitioner}
                        if len(self.days) > 1 else _("with %(practitioner)s") % {"practitioner": practitioner}
                    ),
                    url=self.add_url + "?" + urlencode(
                        {"practitioner": practitioner.pk, "starts_at": starts_at.isoformat()}
                    ),
                )
                for row in range(first, first + rows):
                    state[row] = "free"
            clock += self.length

    def table_rows(self):
        """For the template: each row's time and the cells that start on it, left to right."""
        starting = [defaultdict(list) for _row in range(self.row_count)]
        for index, column in enumerate(self.columns):
            for cell in column.cells:
                starting[cell.first_row][index].append(cell)
        return [
            {
                "time": clock_label(self.start + row * self.step),
                "cells": [cell for index in sorted(starting[row]) for cell in starting[row][index]],
            }
            for row in range(self.row_count)
        ]


class CalendarPages:
    """The calendar's day and week pages on the bookings admin, for staff who may see bookings."""

    def get_urls(self):
        return [
            path("calendar/", self.admin_site.admin_view(self.calendar_day_view), name="booking_booking_calendar"),
            path(
                "calendar/week/", self.admin_site.admin_view(self.calendar_week_view),
                name="booking_booking_calendar_week",
            ),
        ] + super().get_urls()

    def calendar_link_context(self, request):
        """The calendar's address for the front page, for staff who may see bookings."""
        if not self.has_view_or_change_permission(request):
            return {}
        return {"calendar_url": reverse("admin:booking_booking_calendar", current_app=self.admin_site.name)}

    def calendar_day_view(self, request):
        day = self.calendar_date(request)
        return self.calendar_page(request, "calendar_day.html", [day], {
            "title": _("Bookings on %(day)s") % {"day": clinic_date(day, "day_year")},
            "previous": self.calendar_url("calendar", day - timedelta(days=1), request),
            "next": self.calendar_url("calendar", day + timedelta(days=1), request),
            "previous_label": _("Previous day"),
            "next_label": _("Next day"),
            "today_label": _("Today"),
            "other_view": self.calendar_url("calendar_week", day, request),
            "other_view_label": _("Week view"),
        })

    def calendar_week_view(self, request):
        day = self.calendar_date(request)
        monday = day - timedelta(days=day.weekday())
        days = [monday + timedelta(days=n) for n in range(7)]
        return self.calendar_page(request, "calendar_week.html", days, {
            "title": _("Bookings in the week of %(day)s") % {"day": clinic_date(monday, "day_year")},
            "previous": self.calendar_url("calendar_week", monday - timedelta(days=7), request),
            "next": self.calendar_url("calendar_week", monday + timedelta(days=7), request),
            "previous_label": _("Previous week"),
            "next_label": _("Next week"),
            "today_label": _("This week"),
            "other_view": self.calendar_url("calendar", day, request),
            "other_view_label": _("Day view"),
            "day_links": [
                (clinic_date(each, "day"), self.calendar_url("calendar", each, request)) for each in days
            ],
        })

    @staticmethod
    def calendar_date(request):
        """The day asked for (?date=YYYY-MM-DD), else today; a date that cannot be read is today too."""
        try:
            return date.fromisoformat(request.GET.get("date", ""))
        except ValueError:
            return clinic_today()

    def calendar_url(self, name, day, request):
        """The day or week page of `day`, still showing declined and cancelled bookings if this one does."""
        query = {"date": day.isoformat()}
        if request.GET.get("show") == SHOW_ALL:
            query["show"] = SHOW_ALL
        return reverse(f"admin:booking_booking_{name}", current_app=self.admin_site.name) + "?" + urlencode(query)

    def calendar_page(self, request, template, days, context):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        show_all = request.GET.get("show") == SHOW_ALL
        url_name = "calendar" if len(days) == 1 else "calendar_week"
        calendar = Calendar(
            days,
            show_all=show_all,
            add_url=reverse("admin:booking_booking_add", current_app=self.admin_site.name)
            if self.has_add_permission(request) else "",
            change_url=lambda pk: reverse("admin:booking_booking_change", args=[pk], current_app=self.admin_site.name),
        )
        base = reverse(f"admin:booking_booking_{url_name}", current_app=self.admin_site.name)
        shown_day = days[0] if len(days) == 1 else self.calendar_date(request)
        toggle = {"date": shown_day.isoformat()}
        if not show_all:
            toggle["show"] = SHOW_ALL
        return TemplateResponse(request, f"admin/booking/booking/{template}", {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "media": self.media,
            "calendar": calendar,
            "columns": calendar.columns,
            "rows": calendar.table_rows(),
            "days": days,
            "practitioners": calendar.practitioners,
            "shown_date": shown_day.isoformat(),
            "show_all": show_all,
            "today": base + "?" + urlencode({"show": SHOW_ALL}) if show_all else base,
            "toggle_url": base + "?" + urlencode(toggle),
            "toggle_label": _("Hide declined and cancelled") if show_all else _("Show declined and cancelled"),
            "day_headings": [clinic_date(day, "day") for day in days],
            **context,
        })
