"""The admin in its user's language, whatever the language of the public pages."""

from django.urls import reverse
from django.utils import translation


class AdminLanguageMiddleware:
    """The admin in the language chosen with the header's English/Español buttons, else the browser's.

    LocaleMiddleware gives every address without a language prefix English, since
    the English pages have none (prefix_default_language=False). The admin has no
    prefix either, but it is not an English page, so this runs after LocaleMiddleware
    and picks the admin's language from the language cookie, then Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(reverse("admin:index")):
            translation.activate(translation.get_language_from_request(request))
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
