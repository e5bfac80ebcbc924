"""The emails a booking causes, built when they are sent (booking.tasks queues and sends them)."""

import re
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from clinic.models import Clinic

from .calendar import (
    WHAT_TO_BRING,
    booking_ics,
    calendar_method,
    day_and_time,
    price_label,
    when_label,
)
from .links import admin_url, book_url, manage_url
from .models import BookingSettings, OutgoingEmail
from .seed import patient_facing_name

Kind = OutgoingEmail.Kind

# The emails that carry the .ics. Declined carries a CANCEL too: the request
# email already put a tentative entry in some patients' calendars.
CALENDAR_KINDS = {Kind.RECEIVED, Kind.CONFIRMED, Kind.CHANGED, Kind.CANCELLED, Kind.DECLINED}
# What to bring and how to cancel are for an assessment that is still going ahead.
ACTIVE_KINDS = {Kind.RECEIVED, Kind.CONFIRMED, Kind.CHANGED, Kind.REMINDER}


def clinic_address():
    """Where the clinic hears of new requests: Booking settings, else Clinic details, else the operator's address."""
    rules = BookingSettings.load()
    clinic = Clinic.load()
    return rules.notification_email or clinic.email or settings.CLINIC_NOTIFICATION_EMAIL or settings.DEFAULT_FROM_EMAIL


def build_message(outgoing):
    """The email for `outgoing`, in the language the patient booked in (the clinic's is in English)."""
    booking = outgoing.booking
    clinic = Clinic.load()
    if outgoing.to_clinic:
        language, to, reply_to = "en", [clinic_address()], [booking.email]
    else:
        language, to, reply_to = booking.language, [booking.email], [clinic.email] if clinic.email else []
    with translation.override(language):
        context = _clinic_context(booking, clinic) if outgoing.to_clinic else _patient_context(outgoing, clinic)
        name = f"booking/emails/{outgoing.kind}"
        # Line breaks in a subject would be refused as a header injection.
        subject = " ".join(render_to_string(f"{name}_subject.txt", context).split())
        message = EmailMultiAlternatives(
            subject,
            _tidy(render_to_string(f"{name}.txt", context)),
            settings.DEFAULT_FROM_EMAIL,
            to,
            reply_to=reply_to,
        )
        message.attach_alternative(render_to_string(f"{name}.html", context), "text/html")
        if outgoing.kind in CALENDAR_KINDS:
            message.attach(
                "assessment.ics", booking_ics(booking), f"text/calendar; method={calendar_method(booking)}"
            )
    return message


def _patient_context(outgoing, clinic):
    booking = outgoing.booking
    return {
        **_details(booking, clinic),
        "manage_url": manage_url(booking),
        "book_url": book_url(),
        "whatsapp_url": whatsapp_url(booking, clinic),
        "going_ahead": outgoing.kind in ACTIVE_KINDS,
        "what_to_bring": WHAT_TO_BRING,
        "cancellation_cutoff_hours": BookingSettings.load().cancellation_cutoff_hours,
    }


def _clinic_context(booking, clinic):
    return {
        **_details(booking, clinic),
        "patient_phone": booking.phone.as_international,
        "admin_url": admin_url(booking),
    }


def _details(booking, clinic):
    return {
        "booking": booking,
        "clinic": clinic,
        "practitioner_name": patient_facing_name(booking.practitioner),
        "when": when_label(booking.starts_at),
        "day_and_time": day_and_time(booking.starts_at),
        "price": price_label(booking.price),
    }


def whatsapp_url(booking, clinic):
    """The clinic's WhatsApp with a first message: the reference and the time, nothing about health."""
    if not clinic.whatsapp_link:
        return ""
    text = _("Hello, this is about my booking %(reference)s on %(when)s.") % {
        "reference": booking.reference,
        "when": when_label(booking.starts_at),
    }
    return f"{clinic.whatsapp_link}?text={quote(text)}"


def _tidy(text):
    """Plain text as written, without the blank lines and indents template tags leave behind."""
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
