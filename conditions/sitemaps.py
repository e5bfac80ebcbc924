from clinic.sitemaps import LocalisedSitemap

from .models import Condition, Page, ServicePage


class HomeSitemap(LocalisedSitemap):
    priority = 1.0
    changefreq = "monthly"

    def items(self):
        return ServicePage.objects.all()[:1]

    def lastmod(self, page):
        return page.updated_at


class ConditionSitemap(LocalisedSitemap):
    priority = 0.8
    changefreq = "monthly"

    def items(self):
        return Condition.objects.published()

    def lastmod(self, condition):
        return condition.updated_at


class PageSitemap(LocalisedSitemap):
    priority = 0.6
    changefreq = "monthly"

    def items(self):
        return Page.objects.published()

    def lastmod(self, page):
        return page.updated_at
