"""The booking questions, one group per step, each checked on the server."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clinic.clock import clinic_date
from clinic.forms import (
    AccessibleFormMixin,
    HoneypotMixin,
    MexicanOrUSPhoneField,
    collapse_name,
    email_field,
    full_name_field,
)
from conditions.models import PatientReason

from .waitlist import MAX_WAITING_PER_CONTACT, waiting_count


class ChooseTimeForm(AccessibleFormMixin, forms.Form):
    starts_at = forms.ChoiceField(
        label=_("Time"),
        error_messages={
            "required": _("Choose a time"),
            "invalid_choice": _("That time is no longer open. Choose another time."),
        },
    )

    def __init__(self, *args, open_times=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.open_times = {open_time.starts_at.isoformat(): open_time for open_time in open_times}
        self.fields["starts_at"].choices = [(key, key) for key in self.open_times]

    def clean_starts_at(self):
        return self.open_times[self.cleaned_data["starts_at"]]


class DetailsForm(HoneypotMixin, AccessibleFormMixin, forms.Form):
    patient_name = full_name_field()
    phone = MexicanOrUSPhoneField(
        label=_("Mobile phone"),
        max_length=30,
        help_text=_("A Mexican number, or a US number starting with +1. We call or message only about your booking."),
        error_messages={
            "required": _("Enter a mobile phone number, like 664 123 4567"),
            "max_length": _("Enter a mobile phone number, like 664 123 4567"),
        },
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = email_field(help_text=_("We send your confirmation and a link to change or cancel here."))

    def clean_patient_name(self):
        return collapse_name(self.cleaned_data["patient_name"])


class ReasonForm(AccessibleFormMixin, forms.Form):
    """Where it hurts or why they come, in the patient's words: never a diagnosis they would have to make."""

    reason = forms.ChoiceField(
        label=_("Where does it hurt, or why are you coming?"),
        help_text=_("Choose the closest. Your physiotherapist finds the cause at the assessment."),
        choices=PatientReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose where it hurts or why you are coming, or “Not sure”"),
            "invalid_choice": _("Choose where it hurts or why you are coming, or “Not sure”"),
        },
    )
    note = forms.CharField(
        label=_("Anything you would like us to know (optional)"),
        help_text=_("For example when it started, or a surgery date. Do not include anything you would not want to email."),
        required=False,
        max_length=1000,
        error_messages={"max_length": _("Your note must be 1,000 characters or fewer")},
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def clean_note(self):
        return self.cleaned_data["note"].strip()


class ConsentForm(AccessibleFormMixin, forms.Form):
    consent = forms.BooleanField(
        label=_("I agree to the clinic processing my health information to assess and treat me, as set out in the privacy notice."),
        error_messages={"required": _("Tick the box to agree to the clinic processing your health information, or call us to book")},
    )
    submission = forms.CharField(widget=forms.HiddenInput)


def day_field(label, required_message):
    return forms.DateField(
        label=label,
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"],
        error_messages={"required": required_message},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class WaitlistForm(DetailsForm):
    """Joining the waitlist: who to tell, the days they could come, and their consent, as the booking asks them."""

    # Said here, not in __init__: the form's fields are bound before __init__ could change a help text.
    email = email_field(help_text=_("We email you when a time opens on your days, with a link to book it."))
    first_day = day_field(_("From"), _("Enter the first day you could come"))
    last_day = day_field(_("To"), _("Enter the last day you could come"))
    reason = forms.ChoiceField(
        label=_("Where does it hurt, or why are you coming? (optional)"),
        choices=PatientReason.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose where it hurts or why you are coming, or “Not sure”")},
    )
    consent = ConsentForm.base_fields["consent"]  # the same words as the booking's consent

    def __init__(self, *args, first_day, last_day, **kwargs):
        super().__init__(*args, **kwargs)
        self.earliest, self.latest = first_day, last_day
        example = f"{last_day:%Y-%m-%d}"
        for name in ("first_day", "last_day"):
            self.fields[name].widget.attrs.update({"min": f"{first_day:%Y-%m-%d}", "max": example})
        self.fields["first_day"].error_messages["invalid"] = _("Enter the first day as a date, like %(example)s") % {
            "example": example
        }
        self.fields["last_day"].error_messages["invalid"] = _("Enter the last day as a date, like %(example)s") % {
            "example": example
        }

    def clean_first_day(self):
        first_day = self.cleaned_data["first_day"]
        if first_day < self.earliest:
            raise ValidationError(_("The first day must be today or later"), code="past")
        if first_day > self.latest:
            raise ValidationError(self._too_far(), code="too_far")
        return first_day

    def clean_last_day(self):
        last_day = self.cleaned_data["last_day"]
        if last_day > self.latest:
            raise ValidationError(self._too_far(), code="too_far")
        return last_day

    def _too_far(self):
        return _("We book up to %(date)s: choose a day by then") % {"date": clinic_date(self.latest, "day_month")}

    def clean(self):
        cleaned_data = super().clean()
        first_day, last_day = cleaned_data.get("first_day"), cleaned_data.get("last_day")
        if first_day and last_day and last_day < first_day:
            self.add_error("last_day", ValidationError(_("The last day must be the same as the first day or after it"),
                                                       code="before_first"))
        phone, email = cleaned_data.get("phone"), cleaned_data.get("email")
        if phone and email and waiting_count(phone, email) >= MAX_WAITING_PER_CONTACT:
            raise ValidationError(
                _("You are already waiting for %(count)s sets of days, the most we keep for one phone or email. "
                  "Leave one from the link in its email, or call us.") % {"count": MAX_WAITING_PER_CONTACT},
                code="too_many",
            )
        return cleaned_data
