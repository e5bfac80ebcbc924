from django.contrib.sitemaps import Sitemap


class LocalisedSitemap(Sitemap):
    """Every page once per language, each listing the other as its hreflang alternate."""

    i18n = True
    alternates = True
    x_default = True
