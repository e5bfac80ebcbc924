"""What the site's public forms share: accessible errors, and the name, email, phone and spam-trap fields."""

import re

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


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


# Mexican mobiles were dialled with 044 or 045 before the number, or +52 1 from
# abroad, until 2019; patients still give them so. Each is the same phone as
# the plain ten digits.
OLD_MOBILE_PREFIX = re.compile(r"^(?:\+|00)?52\s*1|^04[45]")


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
        # As typed first; then without an old mobile prefix, which only a number that fails as typed can have.
        for typed in (value, OLD_MOBILE_PREFIX.sub("", value.strip())):
            for region in ("MX", "US"):
                try:
                    number = phonenumbers.parse(typed, region)
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


class HoneypotMixin:
    """Adds the spam-trap field people never see: a form that fills it in is a bot's, and is not valid.

    Views ask `form.is_spam` to show the "we could not accept this form" page
    rather than the form's errors.
    """

    honeypot_name = "website"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.honeypot_name] = honeypot_field()

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get(self.honeypot_name):
            raise ValidationError(_("We could not accept this form."), code="spam")
        return cleaned_data

    @property
    def is_spam(self):
        return self.has_error(forms.forms.NON_FIELD_ERRORS, "spam")
