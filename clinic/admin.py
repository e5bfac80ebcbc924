from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from .admin_translation import SpanishHintsMixin
from .models import Clinic


@admin.register(Clinic)
class ClinicAdmin(SpanishHintsMixin, TranslationAdmin):
    # A map link typed without a scheme is an https one.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "description", "assessment_price"]}),
        (_("Address"), {"fields": ["street_address", "neighbourhood", "postal_code", "city", "region", "country_code", "map_url"]}),
        (_("Contact"), {"fields": ["phone", "whatsapp", "email"]}),
    ]

    def has_add_permission(self, request):
        # One clinic: its details are edited, never added twice.
        return not Clinic.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"
    FAILED, WAITING, SENT = "failed", "waiting", "sent"

    def lookups(self, request, model_admin):
        return [(self.FAILED, _("Failed for good")), (self.WAITING, _("Not sent yet")), (self.SENT, _("Sent"))]

    def queryset(self, request, queryset):
        if self.value() == self.FAILED:
            return queryset.failed()
        if self.value() == self.WAITING:
            return queryset.pending()
        if self.value() == self.SENT:
            return queryset.filter(sent_at__isnull=False)
        return queryset


class DeliveryAdmin(admin.ModelAdmin):
    """Emails on their way out (clinic.outbox): what became of each, and "send again" for those that failed for good.

    Nothing here can be typed into: the email is built from its booking or
    request when it goes out, and the only thing staff do is send it again.
    """

    list_filter = [DeliveryStateFilter]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    delivery_fields = ["state", "created_at", "attempts", "last_error", "next_attempt_at", "sent_at", "failed_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field for field in self.get_fields(request, obj)]

    @admin.display(description=_("state"))
    def state(self, delivery):
        return delivery.state

    @admin.action(description=_("Send again"), permissions=["change"])
    def send_again(self, request, queryset):
        failed = list(queryset.failed())
        for delivery in failed:
            delivery.send_again()
        if failed:
            self.message_user(
                request,
                ngettext("%(count)d email queued to be sent again.", "%(count)d emails queued to be sent again.",
                         len(failed)) % {"count": len(failed)},
                messages.SUCCESS,
            )
        skipped = queryset.count() - len(failed)
        if skipped:
            self.message_user(
                request,
                ngettext("%(count)d email had not failed and was left as it was.",
                         "%(count)d emails had not failed and were left as they were.", skipped) % {"count": skipped},
                messages.WARNING,
            )

    def front_page_context(self, request):
        """Emails that failed for good, on the admin's front page, for staff who can send them again."""
        if not self.has_change_permission(request):
            return {}
        opts = self.model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=self.admin_site.name)
        return {
            f"{opts.model_name}_failed": self.model.objects.failed().count(),
            f"{opts.model_name}_failed_url": f"{changelist}?{DeliveryStateFilter.parameter_name}={DeliveryStateFilter.FAILED}",
        }
