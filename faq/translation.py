"""Fields that carry a Spanish version beside the English (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Question, QuestionGroup


@register(QuestionGroup)
class QuestionGroupTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Question)
class QuestionTranslationOptions(TranslationOptions):
    fields = ("question", "answer")
