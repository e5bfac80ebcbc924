"""Fields that carry a Spanish version beside the English (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Clinic


@register(Clinic)
class ClinicTranslationOptions(TranslationOptions):
    fields = ("description",)
