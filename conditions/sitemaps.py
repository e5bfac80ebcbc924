from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Condition, Page, ServicePage


class HomeSitemap(Sitemap):
    priority = 1.0
    changefreq = "monthly"

    def items(self):
        return ServicePage.objects.all()[:1]

    def lastmod(self, page):
        return page.updated_at


class ConditionSitemap(Sitemap):
    priority = 0.8
    changefreq = "monthly"

    def items(self):
        return Condition.objects.published()

    def lastmod(self, condition):
        return condition.updated_at


class PageSitemap(Sitemap):
    priority = 0.6
    changefreq = "monthly"

    def items(self):
        return Page.objects.published()

    def lastmod(self, page):
        return page.updated_at
