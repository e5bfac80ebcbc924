"""The filters on the bookings list: by when on the clinic's calendar, and emails still to go out."""

from datetime import datetime, time, timedelta

from django.contrib import admin
from django.contrib.admin.views.main import SEARCH_VAR
from django.utils.translation import gettext_lazy as _

from clinic.clock import CLINIC_TZ, clinic_today


class UnsentEmailFilter(admin.SimpleListFilter):
    title = _("emails")
    parameter_name = "emails"

    def lookups(self, request, model_admin):
        return [("unsent", _("Not sent yet"))]

    def queryset(self, request, queryset):
        if self.value() == "unsent":
            return queryset.filter(emails__sent_at__isnull=True, emails__overtaken_at__isnull=True).distinct()
        return queryset


def clinic_midnight(day):
    """The start of `day` on the clinic's clock (the clocks change at 02:00, so midnight always exists)."""
    return datetime.combine(day, time.min, tzinfo=CLINIC_TZ)


class AgendaDateFilter(admin.SimpleListFilter):
    """When a booking is, by the clinic's calendar.

    With no choice the list shows upcoming bookings, from the start of today so
    that this morning's can still be marked attended; a search looks at every
    date, so a patient's past bookings are found too.
    """

    title = _("date")
    parameter_name = "when"
    UPCOMING, ALL = "upcoming", "all"

    def __init__(self, request, params, model, model_admin):
        self.default = self.ALL if request.GET.get(SEARCH_VAR) else self.UPCOMING
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [
            (self.UPCOMING, _("Upcoming")),
            ("today", _("Today")),
            ("week", _("This week")),
            ("next7", _("Next 7 days")),
            ("past", _("Past")),
            (self.ALL, _("Any date")),
        ]

    def value(self):
        return super().value() or self.default

    def choices(self, changelist):
        choices = super().choices(changelist)
        next(choices)  # the stock "All" stands for the default here, which is listed under its own name
        yield from choices

    def queryset(self, request, queryset):
        today = clinic_today()
        monday = today - timedelta(days=today.weekday())
        periods = {
            self.UPCOMING: (today, None),
            "today": (today, today + timedelta(days=1)),
            "week": (monday, monday + timedelta(days=7)),
            "next7": (today, today + timedelta(days=7)),
            "past": (None, today),
        }
        if self.value() not in periods:
            return queryset
        first, after_last = periods[self.value()]
        if first:
            queryset = queryset.filter(starts_at__gte=clinic_midnight(first))
        if after_last:
            queryset = queryset.filter(starts_at__lt=clinic_midnight(after_last))
        return queryset
