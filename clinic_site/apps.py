from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ClinicAdminConfig(AdminConfig):
    """The stock admin app, serving the clinic's own admin site."""

    default_site = "clinic_site.admin.ClinicAdminSite"


class ClinicSiteConfig(AppConfig):
    """The project's own app: the staff groups, the content loader, the admin's front page."""

    name = "clinic_site"
    verbose_name = _("Clinic site")

    def ready(self):
        from . import checks, page_cache  # noqa: F401 - importing registers the deployment checks
        from .staff_groups import create_staff_groups

        # Permissions only exist once every app has migrated, so the groups are
        # (re)built after migrate rather than in a data migration.
        post_migrate.connect(create_staff_groups, dispatch_uid="create_staff_groups")
        page_cache.connect_receivers()
        # Every deploy migrates, and a data migration changes pages without sending a signal.
        post_migrate.connect(page_cache.deployed, dispatch_uid="page_cache_deployed")
