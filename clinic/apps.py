from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicConfig(AppConfig):
    """The clinic itself and what every other app of the site shares; it imports none of them."""

    name = "clinic"
    verbose_name = _("Site content")

    def ready(self):
        from . import pictures
        from .models import Picture

        pictures.connect_signals(Picture)
