"""Carrying out a patient's request to delete their data (the C of ARCO) in one transaction.

The person is found by the request's email and phone: in bookings, in the
history rows of bookings (also of bookings deleted outright), in the browser
sessions of the booking flow and in their other data requests. What the
clinic's accounts need stays: each booking's date, price, status and reference.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.forms import MexicanOrUSPhoneField
from privacy.models import DataRequest
from privacy.views import DATA_REQUEST as LAST_DATA_REQUEST

from .calendar import when_label
from .draft import BookingDraft
from .models import Booking, OutgoingEmail, WaitlistEntry
from .retention import clear_personal_data

# Emails that tell the patient what happened to a booking: they must go out before the address is gone.
TELLS_THE_PATIENT = [OutgoingEmail.Kind.CANCELLED, OutgoingEmail.Kind.DECLINED]


class ErasureRefused(Exception):
    """The person's data cannot be deleted yet; `reasons` says what to do first."""

    def __init__(self, reasons):
        super().__init__(" ".join(reasons))
        self.reasons = reasons


def normalised_phone(value):
    """The number in E.164 read as the booking form reads it (Mexican, then US), or "" if it is not one."""
    try:
        return MexicanOrUSPhoneField(required=False).clean(value)
    except ValidationError:
        return ""


@dataclass
class BookingFound:
    """A booking of the person, as staff see it before they confirm: nothing personal."""

    pk: int
    reference: str
    starts_at: datetime
    ends_at: datetime
    status: str
    status_label: str
    deleted: bool

    @property
    def when(self):
        return when_label(self.starts_at)


@dataclass
class PersonalData:
    """Everything the clinic holds about the person a deletion request names."""

    data_request: DataRequest
    email: str
    phone: str
    phone_unreadable: bool
    bookings: list = field(default_factory=list)
    history_rows: int = 0
    unsent_emails: list = field(default_factory=list)
    session_keys: list = field(default_factory=list)
    other_requests: list = field(default_factory=list)
    waitlist_entries: list = field(default_factory=list)

    @property
    def booking_ids(self):
        return [booking.pk for booking in self.bookings]

    @property
    def existing_booking_ids(self):
        return [booking.pk for booking in self.bookings if not booking.deleted]

    def refusals(self, now=None):
        """Why the data cannot be deleted yet, each with what staff do about it; empty when it can."""
        now = now or timezone.now()
        reasons = []
        for booking in self.bookings:
            if not booking.deleted and booking.status in Booking.ACTIVE and booking.ends_at > now:
                reasons.append(
                    _("%(reference)s on %(when)s is still %(status)s. Cancel it first, so the patient is told, "
                      "then delete their data.")
                    % {"reference": booking.reference, "when": booking.when, "status": booking.status_label.lower()}
                )
        telling = {email.booking.reference for email in self.unsent_emails if email.kind in TELLS_THE_PATIENT}
        for reference in sorted(telling):
            reasons.append(
                _("The email telling the patient about %(reference)s has not gone out yet. Wait until it has "
                  "(usually a minute), then delete their data.")
                % {"reference": reference}
            )
        for other in self.other_requests:
            if other.status == DataRequest.Status.OPEN:
                reasons.append(
                    _("This person's request “%(kind)s” of %(received)s is still open. Answer it first: deleting "
                      "removes the address to answer it at.")
                    % {"kind": other.get_kind_display(), "received": f"{timezone.localtime(other.received_at):%Y-%m-%d}"}
                )
        return reasons


def find_personal_data(data_request, lock=False):
    """What the clinic holds about the person who made `data_request`, found by its email and phone."""
    email = data_request.email.strip()
    phone = normalised_phone(data_request.phone)
    found = PersonalData(
        data_request=data_request, email=email, phone=phone, phone_unreadable=bool(data_request.phone.strip()) and not phone
    )
    if not email and not phone:
        return found
    matches = Q(pk__in=[])
    if email:
        matches |= Q(email__iexact=email)
    if phone:
        matches |= Q(phone=phone)

    # A booking deleted outright lives on only in its history rows; its id is the booking's old pk.
    ids = set(Booking.objects.filter(matches).values_list("pk", flat=True))
    ids |= set(Booking.history.filter(matches).values_list("id", flat=True))
    existing = Booking.objects.filter(pk__in=ids)
    if lock:
        existing = existing.select_for_update()
    for booking in existing:
        found.bookings.append(BookingFound(
            booking.pk, booking.reference, booking.starts_at, booking.ends_at, booking.status,
            booking.get_status_display(), deleted=False,
        ))
    deleted = ids - set(found.existing_booking_ids)
    latest = {}
    for row in Booking.history.filter(id__in=deleted).order_by("history_date"):
        latest[row.id] = row
    for row in latest.values():
        found.bookings.append(BookingFound(
            row.id, row.reference, row.starts_at, row.ends_at, row.status, row.get_status_display(), deleted=True,
        ))
    found.bookings.sort(key=lambda booking: booking.starts_at)
    found.history_rows = Booking.history.filter(id__in=ids).count()
    found.unsent_emails = list(
        OutgoingEmail.objects.pending().filter(booking_id__in=found.existing_booking_ids).select_related("booking")
    )
    found.other_requests = _other_requests(data_request, email, phone)
    found.waitlist_entries = list(WaitlistEntry.objects.filter(matches))
    found.session_keys = _sessions_holding(
        email, phone, set(ids), {data_request.pk, *(other.pk for other in found.other_requests)}
    )
    return found


def _other_requests(data_request, email, phone):
    """The person's other data requests whose details are still kept."""
    others = DataRequest.objects.exclude(pk=data_request.pk).filter(erased_at__isnull=True)
    by_email = list(others.filter(email__iexact=email)) if email else []
    by_phone = [
        other for other in others.exclude(phone="").exclude(pk__in=[r.pk for r in by_email])
        if phone and normalised_phone(other.phone) == phone
    ]
    return by_email + by_phone


def _sessions_holding(email, phone, booking_ids, data_request_ids):
    """Keys of the sessions that hold the person's booking answers or point at their bookings or requests.

    Expired sessions are read too: they keep their data until the nightly clean-up deletes them.
    """
    keys = []
    for session in Session.objects.iterator():
        data = session.get_decoded()
        draft = data.get(BookingDraft.SESSION_KEY)
        draft = draft if isinstance(draft, dict) else {}
        if (
            (email and str(draft.get("email", "")).strip().lower() == email.lower())
            or (phone and str(draft.get("phone", "")) == phone)
            or _pointed_at(data.get(BookingDraft.LAST_BOOKING_KEY)) in booking_ids
            or _pointed_at(data.get(LAST_DATA_REQUEST)) in data_request_ids
        ):
            keys.append(session.session_key)
    return keys


def _pointed_at(kept):
    """The pk a session keeps for a booking or request: a bare pk, or {"pk": …, "until": …}."""
    return kept.get("pk") if isinstance(kept, dict) else kept


def erase_personal_data(data_request, by, now=None):
    """Delete the person's details everywhere the clinic holds them, answer the request, and record what was done.

    Raises ErasureRefused while something must happen first (an upcoming
    booking to cancel, an email to the patient still to go out, another of
    their requests to answer). Returns the updated request.
    """
    now = now or timezone.now()
    with transaction.atomic():
        data_request = DataRequest.objects.select_for_update().get(pk=data_request.pk)
        if not data_request.asks_for_deletion:
            raise ErasureRefused([_("Only a request to delete data can delete it.")])
        if data_request.is_erased:
            raise ErasureRefused([_("This person's data has already been deleted.")])
        found = find_personal_data(data_request, lock=True)
        refusals = found.refusals(now)
        if refusals:
            raise ErasureRefused(refusals)

        history_rows = clear_personal_data(found.booking_ids, now)
        # Emails are built when they go out: with the details gone they must not go at all.
        emails_stopped = OutgoingEmail.objects.unsent().filter(booking_id__in=found.existing_booking_ids).update(
            overtaken_at=now
        )
        Session.objects.filter(session_key__in=found.session_keys).delete()
        # A waitlist entry is nothing but the person's details: deleted, with the emails it was sent.
        WaitlistEntry.objects.filter(pk__in=[entry.pk for entry in found.waitlist_entries]).delete()
        DataRequest.objects.filter(pk__in=[other.pk for other in found.other_requests]).update(
            full_name="", email="", phone="", details=""
        )

        data_request.full_name = data_request.email = data_request.phone = data_request.details = ""
        data_request.status = DataRequest.Status.ANSWERED
        data_request.answered_at = data_request.erased_at = now
        data_request.answered_by = data_request.erased_by = by
        data_request.erasure_report = {
            "bookings": [booking.reference for booking in found.bookings if not booking.deleted],
            "deleted_bookings": [booking.reference for booking in found.bookings if booking.deleted],
            "history_rows": history_rows,
            "emails_not_sent": emails_stopped,
            "sessions": len(found.session_keys),
            "other_requests": len(found.other_requests),
            "waitlist_entries": len(found.waitlist_entries),
        }
        data_request.save()
    return data_request
