"""One patient's record: every booking of the same person, found by their phone (E.164) or their email.

There is no table of patients: a record is read from the bookings, so the
retention period and a data request's deletion, which empty the bookings,
empty the record with them, and nothing about a person outlives their bookings.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q

from clinic.forms import MexicanOrUSPhoneField

from .models import Booking


def same_person(phone, email):
    """The bookings a phone (E.164) or an email (any case) belongs to; anonymised bookings belong to nobody."""
    match = Q(phone=phone) if phone else Q(pk__in=[])
    if email:
        match |= Q(email__iexact=email)
    return Booking.objects.filter(match, anonymised_at__isnull=True)


@dataclass
class PatientRecord:
    bookings: list

    @classmethod
    def of(cls, booking):
        bookings = same_person(booking.phone, booking.email).select_related("practitioner", "condition")
        return cls(sorted(bookings, key=lambda each: each.starts_at, reverse=True))

    @classmethod
    def of_typed(cls, phone, email):
        """The record of whoever staff typed the phone (any way) or email of, if they have booked before; else None."""
        try:
            phone = MexicanOrUSPhoneField(required=False).clean(phone or "")
        except ValidationError:
            phone = None
        email = (email or "").strip()
        earlier = same_person(phone, email).order_by("-starts_at").first() if phone or email else None
        return cls.of(earlier) if earlier else None

    @property
    def latest(self):
        return self.bookings[0]

    @property
    def name(self):
        return self.latest.patient_name

    @property
    def phones(self):
        return sorted({str(booking.phone) for booking in self.bookings if booking.phone})

    @property
    def emails(self):
        return sorted({booking.email.lower() for booking in self.bookings if booking.email})

    def count(self, status):
        return sum(booking.status == status for booking in self.bookings)

    @property
    def attended(self):
        return self.count(Booking.Status.ATTENDED)

    @property
    def no_shows(self):
        return self.count(Booking.Status.NO_SHOW)

    @property
    def cancelled(self):
        return self.count(Booking.Status.CANCELLED)

    @property
    def upcoming(self):
        return [booking for booking in self.bookings if booking.is_active]

    @property
    def notes(self):
        return [booking for booking in self.bookings if booking.note]
