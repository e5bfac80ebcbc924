from django.urls import reverse

from clinic.sitemaps import LocalisedSitemap

from .models import BookingSettings


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
