"""The booking questions, one group per step, each checked on the server."""

import re

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from conditions.models import Condition

from .models import DataRequest


SOMETHING_ELSE = "other"


class AccessibleFormMixin:
    """Points each field at its hint and, when invalid, its message, as screen readers need."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                field_id = self[name].auto_id
                describedby = [f"{field_id}-hint"] if self.fields[name].help_text else []
                describedby.append(f"{field_id}-error")
                self.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": " ".join(describedby)})


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


class MexicanOrUSPhoneField(forms.CharField):
    """A mobile number from Mexico or the US, stored in E.164.

    Without a country code a number is read as Mexican first, then as a US
    one, so both "664 123 4567" and "(619) 555-0142" are understood.
    """

    default_error_messages = {
        "invalid": _("Enter a Mexican or US mobile number, like 664 123 4567 or +1 619 555 0142"),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        for region in ("MX", "US"):
            try:
                number = phonenumbers.parse(value, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number) and phonenumbers.region_code_for_number(number) in {"MX", "US"}:
                return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        raise ValidationError(self.error_messages["invalid"], code="invalid")


# A web address or an email address: "http://…", "www.…", "name@…", "spam.example".
# Nobody's name has one, and the site writes the name into emails it sends to
# whatever address was typed, so a name with a link would make it a spam relay.
LINK_OR_ADDRESS = re.compile(r"://|www\.|@|[^\W_]\.[^\W\d_]{2,}", re.IGNORECASE)


def refuse_links(value):
    if LINK_OR_ADDRESS.search(value):
        raise ValidationError(_("Enter your name without a web address or email address"), code="link")


def full_name_field(**kwargs):
    return forms.CharField(
        label=_("Full name"),
        max_length=120,
        validators=[refuse_links],
        error_messages={
            "required": _("Enter your full name"),
            "max_length": _("Your name must be 120 characters or fewer"),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        **kwargs,
    )


def email_field(**kwargs):
    return forms.EmailField(
        label=_("Email"),
        max_length=254,
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
            "max_length": _("Enter an email address in the correct format, like name@example.com"),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        **kwargs,
    )


def honeypot_field():
    """Hidden from people by the stylesheet; bots that fill every field fill this one too."""
    return forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


def collapse_name(value):
    """A name with its spaces tidied, or a "required" error if nothing but spaces was typed."""
    name = " ".join(value.split())
    if not name:
        raise ValidationError(_("Enter your full name"), code="required")
    return name


class DetailsForm(AccessibleFormMixin, forms.Form):
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
    website = honeypot_field()

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


class DataRequestForm(AccessibleFormMixin, forms.ModelForm):
    """A patient's request about their personal data (ARCO rights), sent from the public form."""

    kind = forms.ChoiceField(
        label=_("What would you like to ask for?"),
        choices=DataRequest.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what you would like to ask for"),
            "invalid_choice": _("Choose what you would like to ask for"),
        },
    )
    full_name = full_name_field(help_text=_("The name you gave when you booked, so we can find your data."))
    email = email_field(help_text=_("We answer you at this address. If you can, use the one you booked with."))
    phone = MexicanOrUSPhoneField(
        label=_("Phone (optional)"),
        required=False,
        max_length=30,
        help_text=_("A Mexican number, or a US number starting with +1. We use it only about this request."),
        error_messages={"max_length": _("Enter a phone number, like 664 123 4567")},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    details = forms.CharField(
        label=_("Details (optional)"),
        help_text=_("For example what should be corrected, or which use of your data you object to."),
        required=False,
        max_length=2000,
        error_messages={"max_length": _("Your details must be 2,000 characters or fewer")},
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    website = honeypot_field()

    class Meta:
        model = DataRequest
        fields = ["kind", "full_name", "email", "phone", "details"]

    def clean_full_name(self):
        return collapse_name(self.cleaned_data["full_name"])

    def clean_details(self):
        return self.cleaned_data["details"].strip()
