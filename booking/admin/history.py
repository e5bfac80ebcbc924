"""A booking's history as staff read it: who changed what, and when, in words rather than stored values."""

from dataclasses import dataclass

from django.db import models
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinic.clock import clinic_date

# Bookkeeping, not something staff decide or read: the calendar's SEQUENCE
# would only puzzle them, and the rest is simple-history's own.
NOT_SHOWN = {"id", "sequence", "token", "updated_at"}

EMPTY = "—"

WHAT_HAPPENED = {
    "+": pgettext_lazy("booking history", "Created"),
    "~": pgettext_lazy("booking history", "Changed"),
    "-": pgettext_lazy("booking history", "Deleted"),
}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    record: object
    when: str
    who: object
    what: str
    changes: list


def shown_fields(model):
    """The booking's fields a historical record holds and staff may read, in the form's order."""
    return [f for f in model._meta.concrete_fields if f.name not in NOT_SHOWN]


def readable_history(records, model):
    """`records` (newest first, one page of them) as entries whose changes are "Status: Requested → Confirmed".

    A fixed number of queries however many entries: the record before the
    page's oldest, then one per kind of related row that changed.
    """
    records = list(records)
    if not records:
        return []
    fields = shown_fields(model)
    oldest = records[-1]
    earlier = (
        type(oldest).objects.filter(id=oldest.id, history_date__lt=oldest.history_date).order_by("-history_date").first()
    )
    pairs = [(record, older) for record, older in zip(records, [*records[1:], earlier], strict=True)]
    diffs = [(record, changed_fields(record, older, fields) if older else []) for record, older in pairs]
    related = related_labels(
        (f, getattr(record, f.attname), getattr(older, f.attname))
        for (record, older), (_record, changed) in zip(pairs, diffs, strict=True)
        for f in changed
    )
    return [
        Entry(
            record=record,
            when=clinic_date(record.history_date, "day_year_time"),
            who=record.history_user,
            what=WHAT_HAPPENED.get(record.history_type, ""),
            changes=[
                Change(
                    field=capfirst(f.verbose_name),
                    old=shown_value(f, getattr(older, f.attname), related),
                    new=shown_value(f, getattr(record, f.attname), related),
                )
                for f in changed
            ],
        )
        for (record, older), (_record, changed) in zip(pairs, diffs, strict=True)
    ]


def changed_fields(record, older, fields):
    return [f for f in fields if getattr(record, f.attname) != getattr(older, f.attname)]


def related_labels(changes):
    """{(model, pk): label} for every related row named in `changes`: one query per related model."""
    wanted = {}
    for f, *values in changes:
        if f.is_relation:
            wanted.setdefault(f.related_model, set()).update(value for value in values if value is not None)
    return {
        (related_model, row.pk): str(row)
        for related_model, pks in wanted.items()
        for row in related_model._default_manager.filter(pk__in=pks)
    }


def shown_value(f, value, related):
    """`value` of the booking's field `f` as its page shows it: a label, a name, a clinic time."""
    if value is None or value == "":
        return EMPTY
    if f.is_relation:
        # A row since deleted (a practitioner who left) is still named by its number.
        return related.get((f.related_model, value), f"#{value}")
    if f.flatchoices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return str(_("Yes") if value else _("No"))
    if isinstance(f, models.DateTimeField):
        return clinic_date(value, "day_year_time")
    if isinstance(f, models.DateField):
        return clinic_date(value, "date")
    if hasattr(value, "as_international"):
        return value.as_international
    return Truncator(str(value)).chars(100)
