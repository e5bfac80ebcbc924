from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """The privacy notice and patients' requests about their data (ARCO rights)."""

    name = "privacy"
    verbose_name = _("Privacy")
