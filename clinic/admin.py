from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
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
