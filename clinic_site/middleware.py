"""A strict Content-Security-Policy for every response.

Django 5.2 has no CSP support of its own (it arrives in 6.0). Every script and
stylesheet lives in static/, so the policy allows nothing inline. Pictures
come from this site, or from wherever uploaded media are served: with
MEDIA_S3_BUCKET set every <img> and <source> points at the bucket (or its
MEDIA_S3_CUSTOM_DOMAIN), and without that origin in img-src browsers would
show none of them.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation


def content_security_policy(media_origin=None):
    """The policy, with `media_origin` (e.g. "https://media.example.com") allowed to serve pictures."""
    img_src = f"img-src 'self' data: {media_origin}" if media_origin else "img-src 'self' data:"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            img_src,
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def media_origin():
    """Where uploaded pictures are served from when it is not this site: scheme://host of a stored file's URL, or None.

    Read from the storage itself, so it is whatever default_storage.url() gives the pages' pictures: the
    custom domain, the endpoint's address with the bucket in the path, or AWS's own bucket address.
    """
    address = urlsplit(default_storage.url("x"))
    if not address.netloc:
        return None  # /media/…: this site's own origin, already 'self'
    # A protocol-relative address ("//cdn.example.com/…") is served over the page's own scheme.
    return f"{address.scheme}://{address.netloc}" if address.scheme else address.netloc


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # Worked out once a process: the storage's settings do not change while it runs.
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or content_security_policy(media_origin())

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class TranslatedPathFallbackMiddleware:
    """Sends an English address under /es/ to its Spanish one, instead of a 404.

    /es/book/ becomes /es/reservar/ and /es/conditions/<slug>/ becomes
    /es/padecimientos/<slug>/: links shared before the Spanish addresses
    existed, and people typing the English path, still reach the page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        target = spanish_address_for(request.path_info)
        if target is None:
            return response
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(target + ("?" + query if query else ""))


def spanish_address_for(path):
    """The Spanish address of an English path written under /es/, if it names a page."""
    if not path.startswith("/es/"):
        return None
    english_path = path[len("/es") :]
    with translation.override("en"):
        try:
            match = resolve(english_path)
        except Resolver404:
            return None
    # /es/<anything>/ would otherwise "resolve" as a page slug; only real routes count.
    if match.view_name in {"conditions:page", "conditions:home"}:
        return None
    with translation.override("es"):
        target = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
    return target if target != path else None
