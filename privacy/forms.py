"""The public form for a patient's request about their personal data."""

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

from .models import DataRequest


class DataRequestForm(HoneypotMixin, AccessibleFormMixin, forms.ModelForm):
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

    class Meta:
        model = DataRequest
        fields = ["kind", "full_name", "email", "phone", "details"]

    def clean_full_name(self):
        return collapse_name(self.cleaned_data["full_name"])

    def clean_details(self):
        return self.cleaned_data["details"].strip()
