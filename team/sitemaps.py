from django.db.models import Max
from django.urls import reverse

from clinic.sitemaps import LocalisedSitemap

from .models import Practitioner


class TeamSitemap(LocalisedSitemap):
    priority = 0.5
    changefreq = "monthly"

    def items(self):
        # No page worth listing until someone is on it.
        return ["team:index"] if Practitioner.objects.listed().exists() else []

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        # The page changes when any profile on it does.
        return Practitioner.objects.listed().aggregate(newest=Max("updated_at"))["newest"]
