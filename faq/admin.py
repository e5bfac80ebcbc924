from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import Question, QuestionGroup


@admin.register(QuestionGroup)
class QuestionGroupAdmin(TranslationAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Question)
class QuestionAdmin(TranslationAdmin):
    list_display = ["question", "group", "position", "is_published", "updated_at"]
    list_editable = ["position", "is_published"]
    list_filter = ["is_published", "group", "conditions"]
    list_select_related = ["group"]
    search_fields = ["question", "answer"]
    prepopulated_fields = {"slug": ["question_en"]}
    filter_horizontal = ["conditions"]
    fields = ["group", "question", "slug", "answer", "read_more", "conditions", "position", "is_published"]
