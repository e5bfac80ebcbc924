"""Fields that carry a Spanish version beside the English (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Clinic, Picture


@register(Clinic)
class ClinicTranslationOptions(TranslationOptions):
    fields = (
        "description",
        "first_assessment",
        "usual_sessions",
        "payment",
        "invoices",
        "getting_there",
        "parking",
        "cancellation_policy",
    )


@register(Picture)
class PictureTranslationOptions(TranslationOptions):
    fields = ("alt_text", "caption")
