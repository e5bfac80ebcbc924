from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from conditions.admin_translation import SpanishHintsMixin

from .models import Question, QuestionGroup


@admin.register(QuestionGroup)
class QuestionGroupAdmin(SpanishHintsMixin, TranslationAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Question)
class QuestionAdmin(SpanishHintsMixin, TranslationAdmin):
    list_display = ["question", "group", "position", "is_published", "updated_at"]
    list_editable = ["position", "is_published"]
    list_filter = ["is_published", "group", "conditions"]
    list_select_related = ["group"]
    search_fields = ["question_en", "question_es", "answer_en", "answer_es"]
    prepopulated_fields = {"slug": ["question_en"]}
    filter_horizontal = ["conditions"]
    fields = ["group", "question", "slug", "answer", "read_more", "conditions", "position", "is_published"]
