"""Forms the clinic's staff fill in the admin: a booking taken by phone, a decline, a move."""

from datetime import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.clock import CLINIC_TZ, clinic_date
from clinic.forms import MexicanOrUSPhoneField
from conditions.models import Condition
from privacy.models import PrivacyNotice

from ..forms import SOMETHING_ELSE


def open_time_choices(days):
    """{date: [OpenTime]} as choices grouped by day, e.g. ("Tuesday 2 March 2027", [(iso, "10:00"), ...])."""
    return [
        (
            clinic_date(day, "day_year"),
            [
                (open_time.starts_at.isoformat(), timezone.localtime(open_time.starts_at, CLINIC_TZ).strftime("%H:%M"))
                for open_time in times
            ],
        )
        for day, times in days.items()
    ]


class OpenTimeField(forms.ChoiceField):
    """One of the open times on offer, as an aware datetime.

    Any well-formed time is accepted here: between showing the page and
    saving, a time can be taken or closed, and the booking services are what
    decide (raising TimeTaken or TimeNotOpen), so staff get the real reason.
    So the form checks a time without its list; the page offers the list
    (`offer`) only to show it, once it knows whether the time was had.
    """

    def valid_value(self, value):
        return self.parse(value) is not None

    def clean(self, value):
        return self.parse(super().clean(value))

    @staticmethod
    def parse(value):
        try:
            moment = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            return None
        return moment if timezone.is_aware(moment) else None


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


class MoveForm(forms.Form):
    starts_at = OpenTimeField(
        label=_("New time (Tijuana)"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the new time.")},
    )

    def offer(self, open_times_by_day):
        """List these open times ({date: [OpenTime]}) to choose from."""
        self.fields["starts_at"].choices = open_time_choices(open_times_by_day)


class PhoneBookingForm(forms.Form):
    """A booking taken by phone or at the desk, under the same rules as one made online."""

    starts_at = OpenTimeField(
        label=_("Time (Tijuana)"),
        help_text=_("Only open times are listed: the same as patients see online."),
        error_messages={"required": _("Choose a time.")},
    )
    patient_name = forms.CharField(label=_("Full name"), max_length=120)
    phone = MexicanOrUSPhoneField(
        label=_("Mobile phone"),
        max_length=30,
        help_text=_("A Mexican number like 664 123 4567, or a US number starting with +1."),
    )
    email = forms.EmailField(
        label=_("Email"), max_length=254, help_text=_("The patient's confirmation and the link to manage it go here.")
    )
    reason = forms.ChoiceField(label=_("What brings them"))
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
        self.conditions = {str(condition.pk): condition for condition in Condition.objects.published()}
        self.fields["reason"].choices = [
            ("", "---------"),
            *((pk, condition.name) for pk, condition in self.conditions.items()),
            (SOMETHING_ELSE, _("Something else")),
        ]
        self.privacy_notice = PrivacyNotice.current()
        if self.privacy_notice:
            self.fields["consent"].help_text = _(
                "As set out in the privacy notice (version %(version)s): tell them what the clinic keeps and why "
                "before ticking."
            ) % {"version": self.privacy_notice.version}

    def offer(self, open_times_by_day):
        """List these open times ({date: [OpenTime]}) to choose from."""
        self.fields["starts_at"].choices = [("", "---------"), *open_time_choices(open_times_by_day)]

    def clean_patient_name(self):
        name = " ".join(self.cleaned_data["patient_name"].split())
        if not name:
            raise ValidationError(_("Enter the patient's full name."), code="required")
        return name

    def clean_note(self):
        return self.cleaned_data["note"].strip()

    def clean(self):
        if self.privacy_notice is None:
            raise ValidationError(_("Publish a privacy notice before taking bookings."), code="no_privacy_notice")
        return super().clean()

    def booking_details(self):
        """The cleaned data as book_assessment's arguments."""
        data = self.cleaned_data
        return {
            "starts_at": data["starts_at"],
            "patient_name": data["patient_name"],
            "phone": data["phone"],
            "email": data["email"],
            "condition": self.conditions.get(data["reason"]),
            "note": data["note"],
            "language": data["language"],
            "privacy_notice": self.privacy_notice,
        }
