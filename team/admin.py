"""The team in the admin: each practitioner's public profile, and whether they take bookings."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from clinic.admin_translation import SpanishHintsMixin

from .models import Practitioner


@admin.register(Practitioner)
class PractitionerAdmin(SpanishHintsMixin, TranslationAdmin):
    list_display = ["name", "title", "cedula_shown", "takes_assessments", "is_listed", "position"]
    list_display_links = ["name"]
    # Whether someone takes bookings is changed on their page, where only those allowed can (get_readonly_fields).
    list_editable = ["is_listed", "position"]
    list_filter = ["is_listed", "takes_assessments"]
    list_select_related = ["photo"]
    search_fields = ["name", "cedula"]
    autocomplete_fields = ["photo"]
    fieldsets = [
        (None, {"fields": ["name", "title", "photo"]}),
        (_("Qualifications"), {
            "fields": ["degree", "institution", "cedula"],
            "description": _("Mexican rules for advertising health services require the institution and the cédula "
                             "profesional beside each professional the site shows."),
        }),
        (_("Profile"), {"fields": ["specialities", "languages", "bio"]}),
        (_("On the site and in bookings"), {"fields": ["is_listed", "position", "takes_assessments"]}),
    ]

    @admin.display(description=_("cédula profesional"), ordering="cedula")
    def cedula_shown(self, practitioner):
        return practitioner.cedula or _("Missing")

    def get_readonly_fields(self, request, obj=None):
        # Whether someone takes bookings belongs with the booking rules: site editors change the profile only.
        if request.user.has_perm("booking.change_bookingsettings"):
            return super().get_readonly_fields(request, obj)
        return [*super().get_readonly_fields(request, obj), "takes_assessments"]

    def save_model(self, request, practitioner, form, change):
        super().save_model(request, practitioner, form, change)
        if practitioner.is_listed and not practitioner.cedula:
            self.message_user(
                request,
                _("%(name)s is shown on the site without a cédula profesional. Mexican rules for health "
                  "advertising require it: add it, or untick “shown on the site”.") % {"name": practitioner.name},
                messages.WARNING,
            )
