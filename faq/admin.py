from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from clinic.admin_translation import SpanishHintsMixin
from conditions.admin import ServicePageAdmin as ConditionsServicePageAdmin
from conditions.models import ServicePage

from .models import FeaturedQuestion, Question, QuestionGroup


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


class FeaturedQuestionInline(admin.TabularInline):
    model = FeaturedQuestion
    extra = 0
    fields = ["position", "question"]
    autocomplete_fields = ["question"]
    verbose_name = _("question shown on the page")
    verbose_name_plural = _("questions shown on the page (the full list is on /faq/)")


# The service page shows questions from this app: its admin gains them here,
# so the page's own app never imports the questions'.
admin.site.unregister(ServicePage)


@admin.register(ServicePage)
class ServicePageAdmin(ConditionsServicePageAdmin):
    inlines = [*ConditionsServicePageAdmin.inlines, FeaturedQuestionInline]
