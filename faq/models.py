"""Questions patients ask, grouped for /faq/ and picked for the service page."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clinic.models import PublishedQuerySet
from clinic.text import paragraphs
from conditions.models import Condition, Page, ServicePage


class QuestionGroup(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("question group")
        verbose_name_plural = _("question groups")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("faq:index") + f"#{self.slug}"


class Question(models.Model):
    group = models.ForeignKey(
        QuestionGroup, on_delete=models.PROTECT, related_name="questions", verbose_name=_("group")
    )
    question = models.CharField(_("question"), max_length=250)
    slug = models.SlugField(
        _("anchor"), max_length=80, unique=True, help_text=_("The end of the link to this answer, as in /faq/#pain-free-before-running.")
    )
    answer = models.TextField(_("answer"), help_text=_("Separate paragraphs with a blank line."))
    read_more = models.ForeignKey(
        Page,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("read more"),
        help_text=_("A page to link after the answer, once that page is published."),
    )
    conditions = models.ManyToManyField(
        Condition,
        blank=True,
        related_name="questions",
        verbose_name=_("related conditions"),
        help_text=_("The question is also shown on these conditions' pages."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return reverse("faq:index") + f"#{self.slug}"

    @property
    def answer_paragraphs(self):
        return paragraphs(self.answer)

    @property
    def published_read_more(self):
        if self.read_more and self.read_more.is_published:
            return self.read_more
        return None


class FeaturedQuestion(models.Model):
    """A question chosen for a service page, in the page's own order."""

    page = models.ForeignKey(ServicePage, on_delete=models.CASCADE, related_name="featured_questions")
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="featured_on", verbose_name=_("question")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("featured question")
        verbose_name_plural = _("featured questions")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["page", "question"], name="question_featured_once_per_page"),
        ]

    def __str__(self):
        return str(self.question)
