"""Forms the clinic's staff fill in the admin: a booking taken by phone, a decline, a cancellation, a move."""

from datetime import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.clock import CLINIC_TZ, clinic_date
from clinic.forms import MexicanOrUSPhoneField
from conditions.models import Condition, PatientReason
from privacy.models import PrivacyNotice
from team.models import Practitioner

from ..models import Booking


def slot_value(starts_at, practitioner_id):
    """How a time with a practitioner is written in a form, e.g. "2027-03-02T10:00:00-08:00|3"."""
    return f"{timezone.localtime(starts_at, CLINIC_TZ).isoformat()}|{practitioner_id}"


def parse_moment(value):
    """An aware datetime from ISO 8601 text, or None; a "+" a query string turned into a space is put back."""
    try:
        moment = datetime.fromisoformat(str(value).strip().replace(" ", "+"))
    except (TypeError, ValueError):
        return None
    return moment if timezone.is_aware(moment) else None


def slot_choices(days, leave_out=None):
    """{date: [OpenTime]} as choices grouped by day: one per time and practitioner free at it.

    E.g. ("Tuesday 2 March 2027", [("2027-03-02T10:00:00-08:00|3", "10:00 · Dra. Ruiz"), ...]).
    `leave_out` (a start time) is not offered: a booking is not moved to the time it already has.
    """
    names = {practitioner.pk: practitioner.name for practitioner in Practitioner.objects.all()}
    choices = []
    for day, times in days.items():
        group = [
            (slot_value(open_time.starts_at, pk),
             f"{timezone.localtime(open_time.starts_at, CLINIC_TZ):%H:%M} · {names.get(pk, '')}")
            for open_time in times
            if open_time.starts_at != leave_out
            for pk in open_time.free_practitioner_ids
        ]
        if group:
            choices.append((clinic_date(day, "day_year"), group))
    return choices


class SlotField(forms.ChoiceField):
    """A time and the practitioner chosen for it, as (aware datetime, Practitioner).

    Any well-formed pair is accepted here: between showing the page and
    saving, a time can be taken or closed, and the booking services are what
    decide (raising TimeTaken or TimeNotOpen), so staff get the real reason.
    So the form checks a time without its list; the page offers the list
    (`offer`) only to show it, once it knows whether the time was had.
    """

    widget = forms.RadioSelect

    def valid_value(self, value):
        return self.parse(value) is not None

    def clean(self, value):
        return self.parse(super().clean(value))

    @staticmethod
    def parse(value):
        moment, _bar, practitioner_id = str(value or "").rpartition("|")
        moment = parse_moment(moment)
        if moment is None or not practitioner_id.isdigit():
            return None
        practitioner = Practitioner.objects.filter(pk=practitioner_id).first()
        return (moment, practitioner) if practitioner else None


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the patient"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_(
            "Optional. The patient reads this in the email that tells them the request was declined, "
            "e.g. “The physiotherapist is away that week; please choose a time from the 14th.”"
        ),
    )

    def clean_reason(self):
        return " ".join(self.cleaned_data["reason"].split())


class CancelForm(forms.Form):
    """Who cancels and why, for the clinic's record; `closing` a request whose time has passed asks only why."""

    cancelled_by = forms.ChoiceField(
        label=_("Who is cancelling"),
        choices=Booking.CancelledBy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who is cancelling: the patient or the clinic.")},
    )
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("For the clinic's record; the patient's email does not show it."),
        error_messages={"required": _("Enter the reason for cancelling.")},
    )

    def __init__(self, *args, closing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if closing:
            del self.fields["cancelled_by"]

    def clean_reason(self):
        return " ".join(self.cleaned_data["reason"].split())


class MoveForm(forms.Form):
    slot = SlotField(
        label=_("New time (Tijuana) and practitioner"),
        error_messages={"required": _("Choose the new time.")},
    )

    def offer(self, open_times_by_day, leave_out=None):
        """List these open times ({date: [OpenTime]}) to choose from, but not `leave_out`."""
        self.fields["slot"].choices = slot_choices(open_times_by_day, leave_out=leave_out)


class PhoneBookingForm(forms.Form):
    """A booking taken by phone or at the desk, under the same rules as one made online."""

    # Not a ChoiceField: the days on offer change, and a day that filled up since is no error.
    day = forms.CharField(
        label=_("Day"),
        required=False,
        widget=forms.Select,
        help_text=_("Choose the day, then “Show this day's times”: what you have typed is kept."),
    )
    slot = SlotField(
        label=_("Time (Tijuana) and practitioner"),
        help_text=_("Only open times are listed, each with the practitioner free at it."),
        error_messages={"required": _("Choose a time.")},
    )
    patient_name = forms.CharField(label=_("Full name"), max_length=120)
    phone = MexicanOrUSPhoneField(
        label=_("Mobile phone"),
        max_length=30,
        help_text=_("A Mexican number like 664 123 4567, or a US number starting with +1."),
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        required=False,
        help_text=_(
            "The patient's confirmation and the link to manage it go here. Leave it empty for a patient "
            "without email: no email is sent, so give them the time and reference by phone or WhatsApp."
        ),
    )
    # The patient's own words, as the online booking asks them; the condition is staff's to add.
    reason = forms.ChoiceField(label=_("Why they come"), choices=[("", "---------"), *PatientReason.choices])
    condition = forms.ModelChoiceField(
        label=_("Likely condition"), required=False, queryset=Condition.objects.published(),
        help_text=_("Optional. Left empty, the patient's answer names one when only one condition fits it."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Anything the physiotherapist should know before the assessment."),
    )
    language = forms.ChoiceField(
        label=_("Language of the emails"), choices=settings.LANGUAGES, widget=forms.RadioSelect
    )
    consent = forms.BooleanField(
        label=_("The patient agreed by phone to the clinic processing their health data"),
        error_messages={"required": _("Ask the patient to agree to the processing of their health data before booking.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.privacy_notice = PrivacyNotice.current()
        if self.privacy_notice:
            self.fields["consent"].help_text = _(
                "As set out in the privacy notice (version %(version)s): tell them what the clinic keeps and why "
                "before ticking."
            ) % {"version": self.privacy_notice.version}

    def offer(self, open_times_by_day, day):
        """Offer the days of `open_times_by_day` ({date: [OpenTime]}), and the times of `day` to choose from."""
        self.fields["day"].widget.choices = [
            (each.isoformat(), clinic_date(each, "day_year")) for each in open_times_by_day
        ]
        self.fields["slot"].choices = slot_choices({day: open_times_by_day[day]} if day in open_times_by_day else {})

    def clean_patient_name(self):
        name = " ".join(self.cleaned_data["patient_name"].split())
        if not name:
            raise ValidationError(_("Enter the patient's full name."), code="required")
        return name

    def clean_day(self):
        return None  # only chooses which times are shown; the time chosen carries its own day

    def clean_note(self):
        return self.cleaned_data["note"].strip()

    def clean(self):
        if self.privacy_notice is None:
            raise ValidationError(_("Publish a privacy notice before taking bookings."), code="no_privacy_notice")
        return super().clean()

    def booking_details(self):
        """The cleaned data as book_assessment's arguments."""
        data = self.cleaned_data
        starts_at, practitioner = data["slot"]
        return {
            "starts_at": starts_at,
            "practitioner": practitioner,
            "patient_name": data["patient_name"],
            "phone": data["phone"],
            "email": data["email"],
            "reason": data["reason"],
            "condition": data["condition"],
            "note": data["note"],
            "language": data["language"],
            "privacy_notice": self.privacy_notice,
        }
