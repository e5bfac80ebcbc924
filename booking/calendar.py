"""A booking as an iCalendar file, for the patient's own calendar.

The file is attached to the emails and offered on the booking's page. Calendars
are often shared with family or colleagues, so it says where and when, never
why: no condition, no note.
"""

from datetime import date
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from icalendar import Calendar, Event, vCalAddress

from clinic.clock import CLINIC_TZ, clinic_date, price_mxn
from clinic.mail import site_url
from clinic.models import Clinic

from .links import manage_url
from .models import Booking
from .review import answer_by_label
from .seed import patient_facing_name

PRODID = "-//Return to Running//Bookings//EN"

# Shared with the emails, so the calendar entry and the email say the same.
WHAT_TO_BRING = (
    gettext_lazy("Comfortable clothes to move and run in"),
    gettext_lazy("Your running shoes"),
    gettext_lazy("Any scans or surgical reports"),
    gettext_lazy("A list of the medicines you take"),
)


def clinic_time(moment):
    return timezone.localtime(moment, CLINIC_TZ)


def day_and_time(moment):
    """E.g. "Tuesday, March 3, 2026, 10:00 am" (martes 3 de marzo de 2026, 10:00 h), on the clinic's clock."""
    return clinic_date(clinic_time(moment), "day_year_time")


def when_label(moment):
    """E.g. "Tuesday, March 3, 2026, 10:00 am (Tijuana time)"."""
    return _("%(day_and_time)s (Tijuana time)") % {"day_and_time": day_and_time(moment)}


def price_label(amount):
    """E.g. "$750 MXN", as on the site."""
    return price_mxn(amount)


def is_withdrawn(booking):
    """Cancelled or declined: the calendar entry should go."""
    return booking.status in (Booking.Status.CANCELLED, Booking.Status.DECLINED)


def calendar_method(booking):
    """The iTIP method: REQUEST adds or updates the entry, CANCEL removes it."""
    return "CANCEL" if is_withdrawn(booking) else "REQUEST"


EVENT_STATUS = {
    Booking.Status.REQUESTED: "TENTATIVE",
    Booking.Status.CONFIRMED: "CONFIRMED",
    Booking.Status.DECLINED: "CANCELLED",
    Booking.Status.CANCELLED: "CANCELLED",
}


def calendar_filename(booking):
    """E.g. "assessment-RTR-7KQ4M.ics", "valoracion-RTR-7KQ4M.ics": named in the patient's language, as they booked."""
    with translation.override(booking.language):
        name = pgettext("calendar file name", "assessment")  # outside the f-string, where makemessages finds it
    return f"{name}-{booking.reference}.ics"


def booking_uid(booking):
    """The same for every version of the file, so a calendar updates its entry instead of adding one."""
    host = urlsplit(site_url()).hostname or "localhost"
    return f"{booking.reference}@{host}"


def booking_ics(booking):
    """The booking as an iCalendar file (bytes), in the language the patient booked in."""
    with translation.override(booking.language):
        return _build_calendar(booking).to_ical()


def _build_calendar(booking):
    clinic = Clinic.load()
    calendar = Calendar()
    calendar.prodid = PRODID
    calendar.version = "2.0"
    calendar.calscale = "GREGORIAN"
    calendar.method = calendar_method(booking)

    title = _("First assessment, %(clinic)s") % {"clinic": clinic.name}
    if is_withdrawn(booking):
        # Some calendars ignore METHOD:CANCEL on a file opened by hand; the title still tells the truth.
        title = _("Cancelled: %(title)s") % {"title": title}
    elif booking.status == Booking.Status.REQUESTED:
        # A tentative entry that looks like a booked one would be taken for one.
        title = _("Requested: %(title)s") % {"title": title}

    event = Event.new(
        uid=booking_uid(booking),
        sequence=booking.sequence,
        # The booking's own clock, not now: the same version of a booking gives the same file.
        stamp=booking.updated_at,
        created=booking.created_at,
        last_modified=booking.updated_at,
        start=clinic_time(booking.starts_at),
        end=clinic_time(booking.ends_at),
        status=EVENT_STATUS[booking.status],
        summary=title,
        description=_event_description(booking, clinic),
        location=", ".join([clinic.name, *clinic.address_lines]),
        url=manage_url(booking),
        organizer=vCalAddress.new(_organizer_address(clinic), cn=clinic.name),
        # iTIP needs an attendee for REQUEST and CANCEL; only the address, no name.
        attendees=[vCalAddress.new(booking.email, role="REQ-PARTICIPANT", partstat="ACCEPTED", rsvp=False)],
        transparency="OPAQUE",
    )
    calendar.add_component(event)
    # A VTIMEZONE for America/Tijuana covering this year and next keeps the file
    # small while every calendar places the times on the clinic's clock.
    year = clinic_time(booking.starts_at).year
    calendar.add_missing_timezones(first_date=date(year, 1, 1), last_date=date(year + 2, 1, 1))
    return calendar


def _organizer_address(clinic):
    """The address the emails come from, so mail clients trust the invitation."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or clinic.email or "bookings@localhost"


def _event_description(booking, clinic):
    lines = [_("Reference: %(reference)s") % {"reference": booking.reference}]
    if booking.status == Booking.Status.REQUESTED:
        confirm_by = answer_by_label(booking)
        lines.append(
            _("Request sent: the clinic confirms by %(confirm_by)s.") % {"confirm_by": confirm_by}
            if confirm_by else _("Request sent: the clinic has not answered yet.")
        )
    elif booking.status == Booking.Status.CONFIRMED:
        lines.append(_("Booked and confirmed."))
    elif is_withdrawn(booking):
        lines.append(_("This assessment is cancelled."))
    if not is_withdrawn(booking):
        if practitioner_name := patient_facing_name(booking.practitioner):
            lines.append(_("With: %(practitioner)s") % {"practitioner": practitioner_name})
        lines.append(_("Price: %(price)s") % {"price": price_label(booking.price)})
        lines.append("")
        lines.append(_("What to bring:"))
        lines.extend(f"- {item}" for item in WHAT_TO_BRING)
        lines.append("")
        lines.append(_("See, change or cancel your booking: %(url)s") % {"url": manage_url(booking)})
    if clinic.phone:
        lines.append(_("Phone: %(phone)s") % {"phone": clinic.phone})
    if clinic.whatsapp_link:
        lines.append(_("WhatsApp: %(link)s") % {"link": clinic.whatsapp_link})
    return "\n".join(lines)
