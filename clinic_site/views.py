"""Views of the project as a whole: robots.txt, the error pages and the language switch."""

import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET
from django.views.i18n import set_language as django_set_language

from clinic.models import Clinic

logger = logging.getLogger(__name__)

@requires_csrf_token
def server_error(request):
    """The 500 page, with the clinic's phone when the database can still give it.

    Rendered without the request's context processors, as Django's own is:
    whatever broke the page may break them too.
    """
    try:
        clinic = Clinic.objects.first()
    except Exception:  # noqa: BLE001 - the page must render whatever failed
        logger.warning("The error page could not read the clinic's details", exc_info=True)
        clinic = None
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"clinic": clinic}))

def set_language(request):
    """Django's set_language, reading `next` in its own language.

    Django resolves `next` in the language active for /i18n/setlang/
    (English), where "/es/" looks like a page called "es", and so answered
    /es/es/. Here `next` is read in the language its own prefix names.
    """
    next_url = request.POST.get("next", request.GET.get("next", ""))
    language = translation.get_language_from_path(next_url) or settings.LANGUAGE_CODE
    with translation.override(language):
        response = django_set_language(request)
    return response



@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /book/manage/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def csrf_failure(request, reason=""):
    """A form sent without its security token, usually after a long pause: nothing typed is lost."""
    return render(request, "form_expired.html", status=403)
