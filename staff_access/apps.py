from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static import apps as otp_static
from django_otp.plugins.otp_totp import apps as otp_totp


class StaffAccessConfig(AppConfig):
    default = True
    name = "staff_access"
    verbose_name = _("Staff sign-in")

    def ready(self):
        from .working_day import end_staff_sessions_after_a_working_day

        user_logged_in.connect(end_staff_sessions_after_a_working_day, dispatch_uid="staff_working_day")


# django-otp's device apps under names the clinic's owner reads on the admin's
# front page, where they delete a colleague's devices. Same apps, same tables.
class AuthenticatorAppsConfig(otp_totp.DefaultConfig):
    default = False
    verbose_name = _("Second factor: authenticator apps")


class RecoveryCodesConfig(otp_static.DefaultConfig):
    default = False
    verbose_name = _("Second factor: recovery codes")
