from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .second_factor import reset_second_factor

User = get_user_model()


class StaffUserAdmin(UserAdmin):
    """The stock user admin, with the owner's way to reset a colleague's lost or replaced phone."""

    actions = [*UserAdmin.actions, "reset_second_factor"]

    @admin.action(
        description=_("Reset second factor (they set up a new one at their next sign-in)"),
        permissions=["reset_second_factor"],
    )
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            reset_second_factor(user)
            self.log_change(request, user, gettext("Reset the second factor."))
        count = len(queryset)
        self.message_user(
            request,
            ngettext(
                "Reset the second factor of %(count)d user: they set up a new one at their next sign-in.",
                "Reset the second factor of %(count)d users: each sets up a new one at their next sign-in.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def has_reset_second_factor_permission(self, request):
        return request.user.is_superuser


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
