"""What the site still lacks before it can take patients, for the admin's front page.

The starting content leaves the clinic's numbers, address and email empty,
names its practitioner "Lead physiotherapist" and ships a privacy notice that
does not name the clinic's legal owner. Each of those would reach a patient
(an email with nobody to reply to, "call us" with no number), so the front
page asks for them, each with a link to where it is filled in, until none is
left.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from booking.models import BookingSettings, Practitioner
from booking.seed import PLACEHOLDER_PRACTITIONER_NAME
from clinic.models import Clinic
from privacy.models import PrivacyNotice
from privacy.seed import PRIVACY_NOTICE_PATH, read_privacy_notice


def missing(request, site_name="admin"):
    """[{"label", "url"}] for each thing still to fill in that this staff member can fill in. Four queries."""
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
        ):
            if not value:
                items.append({"label": label, "url": clinic_url})
    else:
        clinic = None

    if user.has_perm("booking.change_practitioner"):
        placeholders = list(Practitioner.objects.filter(name=PLACEHOLDER_PRACTITIONER_NAME).values_list("pk", flat=True))
        for pk in placeholders:
            items.append({
                "label": _("The practitioner’s real name, in place of “%(name)s”") % {"name": PLACEHOLDER_PRACTITIONER_NAME},
                "url": url("booking_practitioner_change", pk),
            })

    if user.has_perm("privacy.add_privacynotice"):
        notice = PrivacyNotice.current()
        if notice is None or _is_the_shipped_notice(notice):
            items.append({
                "label": _("The privacy notice’s legal identity: the clinic’s registered name and full address, in a new version"),
                "url": url("privacy_privacynotice_add"),
            })

    if user.has_perm("booking.change_bookingsettings"):
        rules = BookingSettings.load()
        clinic_email = clinic.email if clinic is not None else Clinic.load().email
        if not (rules.notification_email or clinic_email or settings.CLINIC_NOTIFICATION_EMAIL):
            items.append({
                "label": _("Where new requests are emailed"),
                "url": url("booking_bookingsettings_add") if rules._state.adding
                else url("booking_bookingsettings_change", rules.pk),
            })
    return items


def _is_the_shipped_notice(notice):
    """Still the notice the site starts with, which names the clinic only by its trading name."""
    _title, shipped_body = read_privacy_notice(PRIVACY_NOTICE_PATH)
    body = getattr(notice, "body_en", None) or notice.body
    return body.strip() == shipped_body
