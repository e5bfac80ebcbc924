from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from booking.sitemaps import BookingSitemap
from clinic_site import icons, share_cards, views
from clinic_site.view_on_site import view_on_site
from conditions.sitemaps import ConditionSitemap, HomeSitemap, PageSitemap
from faq.sitemaps import FaqSitemap
from privacy.sitemaps import PrivacySitemap
from team.sitemaps import TeamSitemap

sitemaps = {
    "home": HomeSitemap,
    "conditions": ConditionSitemap,
    "faq": FaqSitemap,
    "pages": PageSitemap,
    "booking": BookingSitemap,
    "privacy": PrivacySitemap,
    "team": TeamSitemap,
}

admin.site.site_header = _("Clinic administration")
admin.site.site_title = _("Clinic administration")
admin.site.index_title = _("Site content and bookings")

urlpatterns = [
    # Before the admin's own: its shortcut would send staff to a booking's private link.
    path("admin/r/<int:content_type_id>/<path:object_id>/", admin.site.admin_view(view_on_site), name="admin_view_on_site"),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", icons.favicon_ico, name="favicon_ico"),
    path("share/<str:token>.<str:extension>", share_cards.share_card, name="share_card"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="django.contrib.sitemaps.views.sitemap"),
]

# `make run` (DEBUG) serves staff's uploads itself; in production nginx or the bucket does (README, Production).
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# English unprefixed; Spanish under /es/.
urlpatterns += i18n_patterns(
    path("site.webmanifest", icons.web_manifest, name="web_manifest"),
    path("", include("faq.urls")),
    path("", include("booking.urls")),
    path("", include("privacy.urls")),
    path("", include("team.urls")),
    path("", include("conditions.urls")),
    prefix_default_language=False,
)

handler500 = "clinic_site.views.server_error"
