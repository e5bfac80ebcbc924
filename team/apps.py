from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamConfig(AppConfig):
    """The people who treat patients: who they are, what they studied, and whether they take bookings."""

    name = "team"
    verbose_name = _("Team")
