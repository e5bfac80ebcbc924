"""The emails a booking causes, built when they are sent (booking.tasks queues and sends them)."""

import re
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from clinic.mail import absolute_url
from clinic.models import Clinic

from .calendar import (
    WHAT_TO_BRING,
    booking_ics,
    calendar_filename,
    calendar_method,
    day_and_time,
    is_withdrawn,
    price_label,
    when_label,
)
from .links import admin_url, book_url, manage_url
from .models import Booking, BookingSettings, OutgoingEmail
from .review import answer_by_label
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
                calendar_filename(booking), booking_ics(booking), f"text/calendar; method={calendar_method(booking)}"
            )
    return message


def _patient_context(outgoing, clinic):
    booking = outgoing.booking
    return {
        **_details(booking, clinic),
        "first_name": first_name(booking.patient_name),
        # "Assessment booked" for a booking that never waited; "confirmed" once the clinic said yes to a request.
        "was_a_request": outgoing.kind == Kind.CONFIRMED and booking.emails.filter(kind=Kind.RECEIVED).exists(),
        "manage_url": manage_url(booking),
        # The reminder's "I'll be there" / "I need to change": reversed in the email's language, like the page's own URL.
        "reply_url": absolute_url(reverse("booking:reply", kwargs={"token": booking.token})),
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
        # Nothing is owed for an assessment that is not going ahead.
        "price": "" if is_withdrawn(booking) else price_label(booking.price),
        "confirm_by": answer_by_label(booking) if booking.status == Booking.Status.REQUESTED else "",
    }


# Given names that often come second in a compound one: "María Fernanda López" is greeted as María Fernanda.
SECOND_GIVEN_NAMES = {
    name.casefold() for name in (
        "Alejandra Alejandro Alberto Andrea Ángel Angélica Antonio Beatriz Camila Carlos Carmen Cristina Daniel "
        "Daniela Eduardo Elena Emilio Enrique Esther Eugenia Fernanda Fernando Francisco Gabriel Gabriela Guadalupe "
        "Ignacio Inés Isabel Javier Jesús José Josefina Juan Julia Laura Lucía Luis Luisa Manuel Mar Margarita María "
        "Mariana Miguel Pablo Patricia Paula Pedro Rafael Ramón Regina Ricardo Rosa Rosario Sebastián Sofía "
        "Teresa Valentina Valeria Victoria"
    ).split()
}
# Given names that begin "María del Carmen", "Juan de Dios", "María de los Ángeles".
PARTICLE_FIRST_NAMES = {"maría", "maria", "ma.", "josé", "jose", "juan"}
PARTICLES = {"de", "del", "la", "las", "los"}


def first_name(full_name):
    """The name to greet a patient by: their given name or names, not their surnames.

    Mexican names run given names, then father's and mother's surnames, so
    only the first word is taken, and a second when it is a common second
    given name ("María Fernanda", "Juan Carlos") or a particle joins it
    ("María del Carmen"). A name that fits no rule is greeted by its first word.
    """
    words = full_name.split()
    if not words:
        return ""
    given = [words[0]]
    rest = words[1:]
    if words[0].casefold() in PARTICLE_FIRST_NAMES and rest and rest[0].casefold() in PARTICLES:
        while rest and rest[0].casefold() in PARTICLES:
            given.append(rest.pop(0))
        if rest:
            given.append(rest.pop(0))
        return " ".join(given)
    # Two words are a given name and a surname; with three or more, the second may be a given name too.
    if len(rest) >= 2 and rest[0].casefold() in SECOND_GIVEN_NAMES:
        given.append(rest[0])
    return " ".join(given)


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
