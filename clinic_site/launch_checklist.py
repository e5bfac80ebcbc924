"""What the site still lacks before it can take patients, for the admin's front page.

The starting content leaves the clinic's numbers, address and email empty,
names its practitioner "Lead physiotherapist", and leaves out what Mexican law
asks of the site: the legal name and domicile the privacy notice gives for the
party responsible for patients' data (LFPDPPP), the COFEPRIS advertising notice
and responsable sanitario in the footer, and each listed practitioner's cédula
profesional on the team page. Each of those would reach a patient (an email
with nobody to reply to, "call us" with no number, advertising COFEPRIS can
suspend), so the front page asks for them, each with a link to where it is
filled in, until none is left.
"""

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from booking.models import BookingSettings
from booking.seed import PLACEHOLDER_PRACTITIONER_NAME
from clinic.models import Clinic
from privacy.models import PrivacyNotice
from team.models import Practitioner


def missing(request, site_name="admin"):
    """[{"label", "url"}] for each thing still to fill in that this staff member can fill in. Five queries at most."""
    user = request.user

    def url(name, *args):
        return reverse(f"admin:{name}", args=args, current_app=site_name)

    items = []
    if user.has_perm("clinic.change_clinic"):
        clinic = Clinic.load()
        clinic_url = url("clinic_clinic_add") if clinic._state.adding else url("clinic_clinic_change", clinic.pk)
        for value, label in (
            (clinic.phone, _("The clinic’s phone number")),
            (clinic.whatsapp, _("The clinic’s WhatsApp number")),
            (clinic.email, _("The clinic’s email")),
            (clinic.street_address, _("The clinic’s street address")),
            (clinic.legal_name, _("The clinic’s legal name, for the privacy notice")),
            (clinic.legal_address, _("The clinic’s legal domicile, for the privacy notice")),
            (clinic.advertising_notice, _("The COFEPRIS advertising notice or permit number, for the footer")),
            (clinic.health_officer, _("The responsable sanitario, for the footer")),
            (not clinic.health_officer or clinic.health_officer_cedula,
             _("The responsable sanitario’s cédula profesional, for the footer")),
        ):
            if not value:
                items.append({"label": label, "url": clinic_url})
    else:
        clinic = None

    if user.has_perm("team.change_practitioner"):
        # One query: the placeholders, and everyone on the team page without a cédula.
        to_fill = Practitioner.objects.filter(
            Q(name=PLACEHOLDER_PRACTITIONER_NAME) | Q(is_listed=True, cedula="")
        ).values_list("pk", "name")
        for pk, name in to_fill:
            if name == PLACEHOLDER_PRACTITIONER_NAME:
                label = _("The practitioner’s real name, in place of “%(name)s”") % {"name": name}
            else:
                label = _("%(name)s’s cédula profesional, for the team page") % {"name": name}
            items.append({"label": label, "url": url("team_practitioner_change", pk)})

    if user.has_perm("privacy.add_privacynotice") and not PrivacyNotice.objects.published().exists():
        # The notice names the responsible party from Clinic details (above); here only that there is one.
        items.append({"label": _("A privacy notice"), "url": url("privacy_privacynotice_add")})

    if user.has_perm("booking.change_bookingsettings"):
        rules = BookingSettings.load()
        clinic_email = clinic.email if clinic is not None else Clinic.load().email
        if not (rules.notification_email or clinic_email or settings.CLINIC_NOTIFICATION_EMAIL):
            items.append({
                "label": _("Where new bookings are emailed"),
                "url": url("booking_bookingsettings_add") if rules._state.adding
                else url("booking_bookingsettings_change", rules.pk),
            })
    return items

