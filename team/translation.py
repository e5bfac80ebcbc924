"""Fields that carry a Spanish version beside the English (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Practitioner


@register(Practitioner)
class PractitionerTranslationOptions(TranslationOptions):
    fields = ("title", "degree", "specialities", "languages", "bio")
