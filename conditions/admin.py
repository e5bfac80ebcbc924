from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from clinic.admin_translation import SpanishHintsMixin

from .models import Condition, Page, PatientKind, PatientStory, ServicePage, Stage


class StageInline(SpanishHintsMixin, TranslationTabularInline):
    model = Stage
    extra = 0
    fields = ["position", "title", "body"]


class PatientKindInline(SpanishHintsMixin, TranslationStackedInline):
    model = PatientKind
    extra = 0
    fields = ["position", "is_published", "title", "body"]


@admin.register(ServicePage)
class ServicePageAdmin(SpanishHintsMixin, TranslationAdmin):
    inlines = [StageInline, PatientKindInline]
    filter_horizontal = ["related_pages"]
    # A search box rather than a list of every photo ever uploaded.
    autocomplete_fields = ["opening_picture", "case_picture"]
    fieldsets = [
        (_("Spanish"), {"fields": ["spanish_missing"],
                        "description": _("Until a field has its Spanish, the Spanish page shows the English.")}),
        (_("Opening"), {"fields": ["title", "strapline", "summary", "opening_picture"]}),
        (_("What we treat"), {"fields": ["conditions_label", "conditions_heading"],
                              "description": _("The conditions themselves are edited under Conditions.")}),
        (_("The pattern"), {"fields": ["pattern_label", "pattern_heading", "pattern_body", "pattern_cycle"]}),
        (_("The framework"), {"fields": ["stages_label", "stages_heading"],
                              "description": _("The four stages are edited below.")}),
        (_("Who we see"), {"fields": ["patients_label", "patients_heading"],
                           "description": _("The kinds of patient are edited below.")}),
        (_("Case example"), {"fields": ["case_label", "case_heading", "case_body", "case_timeline", "case_consent", "case_picture"]}),
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
    list_display = ["name", "position", "is_published", "reviewed_by", "reviewed_on", "updated_at"]
    list_select_related = ["reviewed_by"]
    list_display_links = ["name"]
    list_editable = ["position", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["name_en", "name_es", "summary_en", "summary_es", "body_en", "body_es"]
    prepopulated_fields = {"slug": ["name_en"], "slug_es": ["name_es"]}
    autocomplete_fields = ["picture"]
    fieldsets = [
        (None, {"fields": ["name", ("slug", "slug_es"), "summary", "body", "picture"]}),
        (_("The page's sections"), {
            "fields": ["feels_like", "who_gets_it", "assessment_checks", "treatment", "timeline", "this_week",
                       "red_flags", "signs"],
            "description": _("Each section shows on the page only when it is filled. Plain words, no promises of results."),
        }),
        (_("Clinical review"), {
            "fields": ["reviewed_by", "reviewed_on"],
            "description": _("The page shows “Reviewed by” the clinician, with the date. Update both after each check."),
        }),
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


class PatientStoryForm(forms.ModelForm):
    def clean_consent_recorded_on(self):
        day = self.cleaned_data["consent_recorded_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("The day consent was recorded cannot be in the future."), code="future")
        return day


@admin.register(PatientStory)
class PatientStoryAdmin(SpanishHintsMixin, TranslationAdmin):
    """Patients' words on the home page and their condition's page, each with the day they agreed in writing."""

    form = PatientStoryForm
    list_display = ["patient", "condition", "consent_recorded_on", "position", "is_published"]
    list_display_links = ["patient"]
    list_editable = ["position", "is_published"]
    list_filter = ["is_published", "condition"]
    list_select_related = ["condition"]
    search_fields = ["patient", "quote_en", "quote_es"]
    fieldsets = [
        (None, {"fields": ["quote", "patient", "condition"]}),
        (_("Consent"), {
            "fields": ["consent_recorded_on"],
            "description": _("Show a patient's words only with their written consent, and keep that signed consent "
                             "on file at the clinic for as long as the story is shown. First name and initial only; "
                             "no ratings."),
        }),
        (_("On the site"), {"fields": ["position", "is_published"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "consent_recorded_on":
            field.help_text = _("The day the patient signed their consent. Keep the signed form on file.")
        return field

