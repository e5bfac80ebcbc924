from django.urls import reverse

from conditions.sitemaps import LocalisedSitemap

from .models import BookingSettings, PrivacyNotice


class BookingSitemap(LocalisedSitemap):
    priority = 0.9
    changefreq = "daily"

    def items(self):
        return ["booking:start"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        rules = BookingSettings.objects.first()
        return rules.updated_at if rules else None


class PrivacySitemap(LocalisedSitemap):
    priority = 0.2
    changefreq = "yearly"

    def items(self):
        notice = PrivacyNotice.current()
        return [notice] if notice else []

    def lastmod(self, notice):
        return notice.published_at
