from django.contrib.admin.apps import AdminConfig


class ClinicAdminConfig(AdminConfig):
    """The stock admin app, serving the clinic's own admin site."""

    default_site = "clinic_site.admin.ClinicAdminSite"
