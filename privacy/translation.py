"""Fields that carry a Spanish version beside the English (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import PrivacyNotice


@register(PrivacyNotice)
class PrivacyNoticeTranslationOptions(TranslationOptions):
    fields = ("title", "body")
