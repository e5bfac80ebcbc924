from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline, TranslationTabularInline

from faq.models import FeaturedQuestion

from .admin_translation import SpanishHintsMixin
from .models import Clinic, Condition, Page, PatientKind, ServicePage, Stage


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


class StageInline(SpanishHintsMixin, TranslationTabularInline):
    model = Stage
    extra = 0
    fields = ["position", "title", "body"]


class PatientKindInline(SpanishHintsMixin, TranslationStackedInline):
    model = PatientKind
    extra = 0
    fields = ["position", "is_published", "title", "body"]


class FeaturedQuestionInline(admin.TabularInline):
    model = FeaturedQuestion
    extra = 0
    fields = ["position", "question"]
    autocomplete_fields = ["question"]
    verbose_name = _("question shown on the page")
    verbose_name_plural = _("questions shown on the page (the full list is on /faq/)")


@admin.register(ServicePage)
class ServicePageAdmin(SpanishHintsMixin, TranslationAdmin):
    inlines = [StageInline, PatientKindInline, FeaturedQuestionInline]
    filter_horizontal = ["related_pages"]
    fieldsets = [
        (_("Spanish"), {"fields": ["spanish_missing"],
                        "description": _("Until a field has its Spanish, the Spanish page shows the English.")}),
        (_("Opening"), {"fields": ["title", "strapline", "summary"]}),
        (_("What we treat"), {"fields": ["conditions_label", "conditions_heading"],
                              "description": _("The conditions themselves are edited under Conditions.")}),
        (_("The pattern"), {"fields": ["pattern_label", "pattern_heading", "pattern_body", "pattern_cycle"]}),
        (_("The framework"), {"fields": ["stages_label", "stages_heading"],
                              "description": _("The four stages are edited below.")}),
        (_("Who we see"), {"fields": ["patients_label", "patients_heading"],
                           "description": _("The kinds of patient are edited below.")}),
        (_("Case example"), {"fields": ["case_label", "case_heading", "case_body", "case_timeline", "case_consent"]}),
        (_("Questions"), {"fields": ["questions_label", "questions_heading", "faq_link_text", "related_label", "related_pages"]}),
        (_("Book an assessment"), {"fields": ["booking_label", "booking_heading", "booking_text"],
                                   "description": _("The price and address come from Clinic details.")}),
        (_("Search engines"), {"fields": ["slug", "meta_title", "meta_description"], "classes": ["collapse"]}),
    ]
    readonly_fields = ["spanish_missing", "slug"]

    def has_add_permission(self, request):
        return not ServicePage.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Condition)
class ConditionAdmin(SpanishHintsMixin, TranslationAdmin):
    list_display = ["name", "position", "is_published", "reviewed_on", "updated_at"]
    list_display_links = ["name"]
    list_editable = ["position", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["name_en", "name_es", "summary_en", "summary_es", "body_en", "body_es"]
    prepopulated_fields = {"slug": ["name_en"], "slug_es": ["name_es"]}
    fieldsets = [
        (None, {"fields": ["name", ("slug", "slug_es"), "summary", "body", "reviewed_on"]}),
        (_("On the site"), {"fields": ["position", "is_published"]}),
        (_("Search engines"), {"fields": ["meta_title", "meta_description"], "classes": ["collapse"]}),
    ]


@admin.register(Page)
class PageAdmin(SpanishHintsMixin, TranslationAdmin):
    list_display = ["title", "is_published", "updated_at"]
    list_editable = ["is_published"]
    list_filter = ["is_published"]
    search_fields = ["title_en", "title_es", "body_en", "body_es"]
    prepopulated_fields = {"slug": ["title_en"], "slug_es": ["title_es"]}
    fieldsets = [
        (None, {"fields": ["title", ("slug", "slug_es"), "summary", "body", "is_published"]}),
        (_("Search engines"), {"fields": ["meta_title", "meta_description"], "classes": ["collapse"]}),
    ]
