from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import BookingSettings, PrivacyNotice


class BookingSitemap(Sitemap):
    priority = 0.9
    changefreq = "daily"

    def items(self):
        return ["booking:start"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        rules = BookingSettings.objects.first()
        return rules.updated_at if rules else None


class PrivacySitemap(Sitemap):
    priority = 0.2
    changefreq = "yearly"

    def items(self):
        notice = PrivacyNotice.current()
        return [notice] if notice else []

    def lastmod(self, notice):
        return notice.published_at
