from django.db.models import Max
from django.urls import reverse

from clinic.sitemaps import LocalisedSitemap

from .models import Question


class FaqSitemap(LocalisedSitemap):
    priority = 0.7
    changefreq = "monthly"

    def items(self):
        return ["faq:index"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        return Question.objects.published().aggregate(newest=Max("updated_at"))["newest"]
