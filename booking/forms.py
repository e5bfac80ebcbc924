"""The booking questions, one group per step, each checked on the server."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.forms import (
    AccessibleFormMixin,
    HoneypotMixin,
    MexicanOrUSPhoneField,
    collapse_name,
    email_field,
    full_name_field,
)
from conditions.models import Condition

SOMETHING_ELSE = "other"


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
    reason = forms.ChoiceField(
        label=_("What brings you to the clinic?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what brings you to the clinic"),
            "invalid_choice": _("Choose what brings you to the clinic"),
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conditions = {str(condition.pk): condition for condition in Condition.objects.published()}
        self.fields["reason"].choices = [(pk, condition.name) for pk, condition in self.conditions.items()] + [
            (SOMETHING_ELSE, _("Something else"))
        ]

    def clean_note(self):
        return self.cleaned_data["note"].strip()

    @property
    def condition(self):
        return self.conditions.get(self.cleaned_data.get("reason"))


class ConsentForm(AccessibleFormMixin, forms.Form):
    consent = forms.BooleanField(
        label=_("I agree to the clinic processing my health information to assess and treat me, as set out in the privacy notice."),
        error_messages={"required": _("Tick the box to agree to the clinic processing your health information, or call us to book")},
    )
    submission = forms.CharField(widget=forms.HiddenInput)
