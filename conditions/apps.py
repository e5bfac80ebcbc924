from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ConditionsConfig(AppConfig):
    name = "conditions"
    verbose_name = _("Site content")

    def ready(self):
        from .permissions import create_staff_groups

        # Permissions only exist once every app has migrated, so the group is
        # (re)built after migrate rather than in a data migration.
        post_migrate.connect(create_staff_groups, dispatch_uid="create_staff_groups")
