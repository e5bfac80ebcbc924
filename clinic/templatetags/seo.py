import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import translate_url
from django.utils import translation
from django.utils.safestring import mark_safe

register = template.Library()

# The same escapes as Django's json_script: nothing in the data can close the <script>.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data):
    """A JSON-LD block. It is data, not script, so the CSP does not apply to it."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's address without its query string: one URL per page for search engines."""
    request = context["request"]
    return request.build_absolute_uri(request.path)


@register.simple_tag(takes_context=True)
def language_versions(context):
    """This page's address in each language, {"en": "/faq/", "es": "/es/preguntas-frecuentes/"}.

    A page about one row (a condition, a page) passes it as `translatable`, so
    each language gets that row's own slug; other pages are translated by
    their route. Error pages have no versions.
    """
    request = context.get("request")
    if request is None or getattr(request, "resolver_match", None) is None:
        return {}
    translatable = context.get("translatable")
    versions = {}
    for code, _name in settings.LANGUAGES:
        if translatable is not None:
            with translation.override(code):
                versions[code] = translatable.get_absolute_url()
        else:
            versions[code] = translate_url(request.path, code)
    return versions


@register.simple_tag(takes_context=True)
def absolute(context, path):
    return context["request"].build_absolute_uri(path)
