from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .second_factor import TooManyWrongCodes, WrongCode, check_code


class OneTimeCodeInput(forms.TextInput):
    """A code works once and changes every 30 seconds: a wrong one is not shown back to be corrected."""

    def format_value(self, value):
        return None


class DeviceCodeForm(forms.Form):
    """A code checked against one of the user's devices; `self.device` is the device that accepted it."""

    def __init__(self, device, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def normalise(self, code):
        return "".join(code.split())

    def check(self, code):
        code = self.normalise(code)
        try:
            self.device = check_code(self.device, code)
        except TooManyWrongCodes as refusal:
            raise ValidationError(refusal.message(), code="throttled")
        except WrongCode:
            raise ValidationError(self.wrong_code_message, code="wrong")
        return code


class AuthenticatorCodeForm(DeviceCodeForm):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("6 digits. The app shows a new one every 30 seconds."),
        max_length=12,
        widget=OneTimeCodeInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "spellcheck": "false"}
        ),
    )
    wrong_code_message = _("That code is not right. Type the 6 digits your app shows now.")

    def clean_code(self):
        return self.check(self.cleaned_data["code"])


class RecoveryCodeForm(DeviceCodeForm):
    recovery_code = forms.CharField(
        label=_("Recovery code"),
        help_text=_("One of the codes you kept when you set up your second factor. Each works once."),
        max_length=32,
        widget=OneTimeCodeInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )
    wrong_code_message = _("That recovery code is not right, or it has been used already.")

    def normalise(self, code):
        return super().normalise(code).replace("-", "").lower()

    def clean_recovery_code(self):
        return self.check(self.cleaned_data["recovery_code"])
