from clinic.sitemaps import LocalisedSitemap

from .models import PrivacyNotice


class PrivacySitemap(LocalisedSitemap):
    priority = 0.2
    changefreq = "yearly"

    def items(self):
        notice = PrivacyNotice.current()
        return [notice] if notice else []

    def lastmod(self, notice):
        return notice.published_at
