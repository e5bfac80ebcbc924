"""Fields that carry a Spanish version beside the English (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Condition, Page, PatientKind, PatientStory, ServicePage, Stage


@register(ServicePage)
class ServicePageTranslationOptions(TranslationOptions):
    fields = (
        "title",
        "strapline",
        "summary",
        "meta_title",
        "meta_description",
        "conditions_label",
        "conditions_heading",
        "pattern_label",
        "pattern_heading",
        "pattern_body",
        "pattern_cycle",
        "stages_label",
        "stages_heading",
        "patients_label",
        "patients_heading",
        "case_label",
        "case_heading",
        "case_body",
        "case_timeline",
        "case_consent",
        "questions_label",
        "questions_heading",
        "faq_link_text",
        "related_label",
        "booking_label",
        "booking_heading",
        "booking_text",
    )


@register(Condition)
class ConditionTranslationOptions(TranslationOptions):
    fields = (
        "name",
        "summary",
        "body",
        "feels_like",
        "who_gets_it",
        "assessment_checks",
        "treatment",
        "timeline",
        "this_week",
        "red_flags",
        "signs",
        "meta_title",
        "meta_description",
    )


@register(PatientStory)
class PatientStoryTranslationOptions(TranslationOptions):
    fields = ("quote",)


@register(Stage)
class StageTranslationOptions(TranslationOptions):
    fields = ("title", "body")


@register(PatientKind)
class PatientKindTranslationOptions(TranslationOptions):
    fields = ("title", "body")


@register(Page)
class PageTranslationOptions(TranslationOptions):
    fields = ("title", "summary", "body", "meta_title", "meta_description")
